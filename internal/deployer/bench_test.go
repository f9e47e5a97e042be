package deployer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// streamApp is an app of n DynamoDB stream functions with generated
// policies.
func streamApp(b testing.TB, n int) *deployer.Project {
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "bench"}
	p := &deployer.Project{Stage: "dev", Manifest: m, Settings: map[string]*stages.Settings{}}
	for i := range n {
		name := fmt.Sprintf("stream%02d", i)
		m.Functions = append(m.Functions, manifest.Function{Name: name, Kind: manifest.KindDynamoDBStream,
			DynamoDBStream: &manifest.DynamoDBStream{
				Stream:    fmt.Sprintf("arn:aws:dynamodb:us-east-1:123456789012:table/t%02d/stream/2026-01-01T00:00:00.000", i),
				BatchSize: 100, StartingPosition: "LATEST",
			}})
		p.Settings[name] = &stages.Settings{AppName: "bench", Stage: "dev", Function: name, LambdaFunctionName: "bench-dev-" + name,
			LambdaMemorySize: 128, LambdaTimeout: 60, LambdaArchitecture: "arm64", ManageIAMRole: true, AutogenPolicy: true,
			EnvironmentVariables: map[string]string{"N": name}}
	}
	a, err := deployer.NewArtifact([]byte("bench"))
	if err != nil {
		b.Fatal(err)
	}
	p.Code = a
	return p
}

// deployOnce plans and applies p against a fresh account whose every call
// takes latency, and returns the wall time.
func deployOnce(b *testing.B, p *deployer.Project, parallelism int, latency time.Duration) time.Duration {
	cloud := fakeaws.New()
	cloud.Latency = latency
	cloud.PendingPolls = 2
	cloud.RoleAssumeDelay = 1
	d := &deployer.Deployer{Clients: cloud.Clients(), Parallelism: parallelism, Backoff: latency,
		WaitMinDelay: latency, WaitMaxDelay: 2 * latency}
	start := time.Now()
	plan, err := d.PlanProject(context.Background(), p, target, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Apply(context.Background(), plan, nil); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkDeploy30StreamFunctions plans and applies an app of 30 stream
// functions (30 roles, functions and mappings) against fakes with 2ms per
// call, one step at a time and with the default parallelism (8), and reports both wall times
// and their ratio (the target is at most 0.35).
func BenchmarkDeploy30StreamFunctions(b *testing.B) {
	p := streamApp(b, 30)
	const latency = 2 * time.Millisecond
	var seq, par time.Duration
	for b.Loop() {
		seq += deployOnce(b, p, 1, latency)
		par += deployOnce(b, p, 0, latency) // the default: 8 at a time
	}
	b.ReportMetric(float64(seq.Milliseconds())/float64(b.N), "seq-ms/op")
	b.ReportMetric(float64(par.Milliseconds())/float64(b.N), "par-ms/op")
	b.ReportMetric(float64(par)/float64(seq), "par/seq")
}

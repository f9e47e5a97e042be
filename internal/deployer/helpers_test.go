package deployer_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const savealifeDir = "../../examples/savealife"

// savealife returns the seed app's dev stage as LoadProject would, without
// building it: the manifest is testdata's, the code a stand-in.
func savealife(t testing.TB) *deployer.Project {
	t.Helper()
	f, err := os.Open("testdata/savealife.manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := manifest.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := stages.Load(savealifeDir)
	if err != nil {
		t.Fatal(err)
	}
	return project(t, cfg, m, "v1")
}

func project(t testing.TB, cfg *stages.Config, m *manifest.Manifest, code string) *deployer.Project {
	t.Helper()
	p := &deployer.Project{Dir: savealifeDir, Stage: "dev", Config: cfg, Manifest: m, Settings: map[string]*stages.Settings{}}
	for _, fn := range m.Functions {
		s, err := cfg.Resolve("dev", fn.Name)
		if err != nil {
			t.Fatal(err)
		}
		p.Settings[fn.Name] = s
	}
	a, err := deployer.NewArtifact([]byte("bootstrap " + code))
	if err != nil {
		t.Fatal(err)
	}
	p.Code = a
	return p
}

// newCloud returns a fake account that behaves like a slow, eventually
// consistent AWS, and a deployer for it that never waits long.
func newCloud() (*fakeaws.Cloud, *deployer.Deployer) {
	c := fakeaws.New()
	c.PendingPolls = 2
	c.RoleAssumeDelay = 2
	return c, fast(c)
}

func fast(c *fakeaws.Cloud) *deployer.Deployer {
	return &deployer.Deployer{Clients: c.Clients(), Backoff: time.Microsecond, WaitMinDelay: time.Microsecond, WaitMaxDelay: time.Millisecond, MaxAttempts: 20}
}

var target = deployer.NewTarget("us-east-1", "123456789012")

// deploy plans p against the fake account and the state recorded at
// statePath, and applies it, recording to statePath.
func deploy(ctx context.Context, t testing.TB, d *deployer.Deployer, p *deployer.Project, statePath string) (*deployer.Plan, *deployer.State, error) {
	t.Helper()
	recorded, err := deployer.LoadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanProject(ctx, p, target, nil, recorded)
	if err != nil {
		return nil, nil, err
	}
	st, err := d.Apply(ctx, plan, deployer.StateFile(statePath))
	return plan, st, err
}

func statePath(t testing.TB) string {
	return filepath.Join(t.TempDir(), ".chalice", "deployed", "dev.json")
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

type manifestFunction = manifest.Function

func lambdaDelete(name string) *lambda.DeleteFunctionInput {
	return &lambda.DeleteFunctionInput{FunctionName: &name}
}

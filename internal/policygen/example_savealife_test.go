package policygen_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/manifest"
)

// TestExampleSavealife generates the policies of examples/savealife from
// its real manifest (taken by running it with GOCHALICE_MANIFEST=1): the
// API role gets DynamoDB actions on table/<TABLE_NAME> only, handle_stream
// the stream reads on the stream ARN.
func TestExampleSavealife(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	const table, stream = exampleTable, exampleStream
	res, err := policygen.Generate(context.Background(), exampleRequest(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Logf("diagnostic: %s", d)
	}
	tableARN := "arn:" + policygen.Partition + ":dynamodb:" + policygen.Region + ":" + policygen.AccountID + ":table/" + table
	api := res.Functions[manifest.APIHandlerName]
	if api == nil {
		t.Fatalf("no api_handler in %v", res.Names())
	}
	dynamo := 0
	for _, st := range api.Policy.Statement {
		for _, a := range st.Action {
			if !strings.HasPrefix(a, "dynamodb:") {
				if !strings.HasPrefix(a, "logs:") {
					t.Errorf("api_handler: unexpected action %s", a)
				}
				continue
			}
			dynamo++
			for _, r := range st.Resource {
				if r != tableARN && !strings.HasPrefix(r, tableARN+"/index/") {
					t.Errorf("api_handler: %s on %s, want %s", a, r, tableARN)
				}
			}
		}
	}
	if dynamo == 0 {
		t.Errorf("api_handler: no DynamoDB action")
	}
	hs := res.Functions["handle_stream"]
	if hs == nil {
		t.Fatalf("no handle_stream in %v", res.Names())
	}
	found := false
	for _, st := range hs.Policy.Statement {
		for _, a := range st.Action {
			if a == "dynamodb:GetRecords" {
				found = len(st.Resource) == 1 && st.Resource[0] == stream
			}
		}
	}
	if !found {
		t.Errorf("handle_stream: no dynamodb:GetRecords on %s", stream)
	}
	for _, fr := range []*policygen.FunctionResult{api, hs} {
		data, _ := fr.Policy.MarshalCanonical()
		t.Logf("%s:\n%s", fr.Name, data)
	}
}

const (
	exampleDir    = "../../examples/savealife"
	exampleTable  = "donors"
	exampleStream = "arn:aws:dynamodb:us-east-1:123456789012:table/donors/stream/2024-01-01T00:00:00.000"
)

// exampleRequest takes examples/savealife's manifest by running it with
// GOCHALICE_MANIFEST=1 and the stage's environment.
func exampleRequest(tb testing.TB) policygen.Request {
	tb.Helper()
	if _, err := os.Stat(exampleDir + "/main.go"); err != nil {
		tb.Skip("examples/savealife not present")
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = exampleDir
	cmd.Env = append(os.Environ(), manifest.EnvManifest+"=1", "TABLE_NAME="+exampleTable, "STREAM_ARN="+exampleStream)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go run %s: %v\n%s", exampleDir, err, stderr.String())
	}
	m, err := manifest.Parse(bytes.NewReader(out))
	if err != nil {
		tb.Fatal(err)
	}
	env := map[string]map[string]string{}
	for _, f := range m.Functions {
		env[f.Name] = map[string]string{"TABLE_NAME": exampleTable, "STREAM_ARN": exampleStream}
	}
	return policygen.Request{Dir: exampleDir, Manifest: m, Stage: "dev", Env: env}
}

// BenchmarkGenerateExampleSavealife is gen-policy on examples/savealife
// itself, warm cache.
func BenchmarkGenerateExampleSavealife(b *testing.B) {
	benchGenerate(b, exampleRequest(b))
}

package apptest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/apptest"
)

const stageConfig = `{
  "version": "2.0",
  "app_name": "envapp",
  "environment_variables": {"TABLE": "shared", "LEVEL": "info"},
  "stages": {
    "dev": {
      "api_gateway_stage": "v1",
      "environment_variables": {"TABLE": "dev-table"},
      "lambda_functions": {"report": {"environment_variables": {"LEVEL": "debug"}}}
    },
    "http": {"api_gateway_type": "HTTP"}
  }
}`

// inProject makes a project with stageConfig and moves the test into a
// folder below it, as a test of the app's package would run.
func inProject(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".chalice"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".chalice", "config.json"), []byte(stageConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "internal", "handlers")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
}

type report struct {
	Table, Level, Stage string
}

func envApp() *app.App {
	a := app.New("envapp")
	a.Route("GET /env", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{
			"table": os.Getenv("TABLE"), "level": os.Getenv("LEVEL"), "stage": app.Context(r).Stage,
		})
	})
	a.LambdaFunction("report", func(ctx context.Context, in struct{ N int }) (report, error) {
		return report{Table: os.Getenv("TABLE"), Level: os.Getenv("LEVEL"), Stage: os.Getenv("GOCHALICE_STAGE")}, nil
	})
	a.LambdaFunction("raw", func(ctx context.Context, ev events.CloudWatchEvent) (string, error) { return "ok", nil })
	return a
}

// WithStage sets each function's resolved environment variables during
// its calls, and restores the environment after, like Chalice's
// Client(app, stage_name=...).
func TestWithStageEnvironment(t *testing.T) {
	inProject(t)
	t.Setenv("TABLE", "from-the-shell")
	os.Unsetenv("LEVEL")
	c := apptest.New(envApp(), apptest.WithStage("dev"))

	resp, err := c.HTTPClient().Get("/env")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got["table"] != "dev-table" || got["level"] != "info" || got["stage"] != "v1" {
		t.Errorf("API handler saw %v, want the dev stage's TABLE, the shared LEVEL and API stage v1", got)
	}

	var r report
	raw, err := c.Lambda(context.Background(), "report", map[string]int{"N": 1}, &r)
	if err != nil {
		t.Fatal(err)
	}
	if want := (report{Table: "dev-table", Level: "debug", Stage: "dev"}); r != want {
		t.Errorf("report returned %+v, want %+v (its function-level LEVEL)", r, want)
	}
	if !strings.Contains(string(raw), `"Level":"debug"`) {
		t.Errorf("raw result %s", raw)
	}
	if v := os.Getenv("TABLE"); v != "from-the-shell" {
		t.Errorf("TABLE after the calls = %q, want it restored", v)
	}
	if v, ok := os.LookupEnv("LEVEL"); ok {
		t.Errorf("LEVEL after the calls = %q, want it unset again", v)
	}
}

// A stage the configuration lacks fails every call with the config's
// error; a stage with api_gateway_type HTTP gets HTTP API events and
// answers.
func TestWithStageErrorsAndAPIType(t *testing.T) {
	inProject(t)
	c := apptest.New(envApp(), apptest.WithStage("prod"))
	if _, err := c.HTTPClient().Get("/env"); err == nil || !strings.Contains(err.Error(), "prod") {
		t.Errorf("unknown stage: %v, want an error naming it", err)
	}
	if _, err := c.Lambda(context.Background(), "report", nil, nil); err == nil {
		t.Error("unknown stage: Lambda ran")
	}

	h := apptest.New(envApp(), apptest.WithStage("http"))
	resp, err := h.HTTPClient().Get("/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || string(b) != `{"message":"Not Found"}` {
		t.Errorf("HTTP API stage, no route: %d %s, want 404 Not Found", resp.StatusCode, b)
	}
}

func TestLambdaResult(t *testing.T) {
	c := apptest.New(envApp())
	var s string
	if _, err := c.Lambda(context.Background(), "raw", events.CloudWatchEvent{}, &s); err != nil || s != "ok" {
		t.Errorf("Lambda = %q, %v; want ok", s, err)
	}
	if _, err := c.Lambda(context.Background(), "api_handler", nil, nil); err == nil {
		t.Error("Lambda of the API handler: no error")
	}
}

package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/deployer"
)

// TestURLWebSocket: url prints the REST API's URL, and with --websocket
// the wss:// URL of the WebSocket API's stage, as recorded; a stage
// without the API asked for is an error that says so.
func TestURLWebSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := &awsEnv{statePath: func(_, stage string) string { return filepath.Join(dir, stage+".json") }}
	st := deployer.NewState("chat", "dev", deployer.NewTarget("eu-west-1", "123456789012"))
	st.Resources["websocket_api"] = deployer.ResourceState{Type: deployer.TypeWebSocketAPI, Name: "chat-dev-websocket-api", ID: "w123"}
	st.Resources["websocket_stage:api"] = deployer.ResourceState{Type: deployer.TypeWebSocketStage, Name: "api", ID: "w123"}
	if err := deployer.SaveState(filepath.Join(dir, "dev.json"), st); err != nil {
		t.Fatal(err)
	}
	only := deployer.NewState("rest", "prod", deployer.NewTarget("eu-west-1", "123456789012"))
	only.Resources["rest_api"] = deployer.ResourceState{Type: deployer.TypeRestAPI, Name: "rest-prod", ID: "r1"}
	if err := deployer.SaveState(filepath.Join(dir, "prod.json"), only); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args      []string
		want, err string
	}{
		{[]string{"--stage", "dev", "--websocket"}, "wss://w123.execute-api.eu-west-1.amazonaws.com/api\n", ""},
		{[]string{"--stage", "dev"}, "", "stage dev has no REST API"},
		{[]string{"--stage", "prod"}, "https://r1.execute-api.eu-west-1.amazonaws.com/api/\n", ""},
		{[]string{"--stage", "prod", "--websocket"}, "", "stage prod has no WebSocket API"},
	} {
		var stdout, stderr bytes.Buffer
		cliMu.Lock() // urfave/cli writes a package-level flag on every run
		err := testApp(&stdout, &stderr, urlCommandWith(env)).RunContext(context.Background(), append([]string{"gochalice", "url"}, tc.args...))
		cliMu.Unlock()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("url %v: err = %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || stdout.String() != tc.want {
			t.Errorf("url %v = %q, %v; want %q", tc.args, stdout.String(), err, tc.want)
		}
	}
}

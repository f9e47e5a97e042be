package deployer

import (
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// TestWebSocketFunctionsRefused: until WebSocket APIs are deployed, an app
// with WebSocket handlers is refused before any AWS call, not deployed
// with functions nothing invokes.
func TestWebSocketFunctionsRefused(t *testing.T) {
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "chat",
		Functions: []manifest.Function{{Name: "websocket_message", Kind: manifest.KindWebSocketMessage}}}
	s := &stages.Settings{AppName: "chat", Stage: "dev"}
	_, err := BuildDesired(Input{Manifest: m, Settings: map[string]*stages.Settings{"websocket_message": s}})
	if err == nil || !strings.Contains(err.Error(), "does not deploy or package WebSocket APIs yet") {
		t.Fatalf("err = %v", err)
	}
}

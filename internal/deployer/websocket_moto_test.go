package deployer_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/gochalice/gochalice/internal/deployer"
)

// motoUp is the script that starts moto (../shared/moto, beside the
// repository); GOCHALICE_MOTO_UP names another.
func motoUp() string {
	if s := os.Getenv("GOCHALICE_MOTO_UP"); s != "" {
		return s
	}
	return filepath.Join("..", "..", "..", "shared", "moto", "moto-up.sh")
}

// startMoto starts a moto server on a free port of 127.0.0.1 and returns
// its endpoint; it is stopped (by its PID) when the test ends. The test
// is skipped when moto cannot start (no script, no Python, no packages).
func startMoto(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("moto: not in -short mode")
	}
	script, err := filepath.Abs(motoUp())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(script); err != nil {
		t.Skipf("moto: %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command("bash", script, strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "MOTO_STATE_DIR="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Skipf("moto did not start: %v\n%s", err, stderr.String())
	}
	pid, err := strconv.Atoi(strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatalf("moto-up.sh printed %q, not a PID", stdout.String())
	}
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Signal(syscall.SIGTERM)
		}
	})
	return "http://127.0.0.1:" + strconv.Itoa(port)
}

// TestWebSocketMoto deploys the chat app to moto through the real SDK
// clients: moto accepts every call the WebSocket kinds send, reads back
// what they wrote so that a redeploy plans nothing, and delete leaves no
// API. (moto is laxer than AWS: it does not check integration URIs or
// serve the API.)
func TestWebSocketMoto(t *testing.T) {
	t.Parallel()
	endpoint := startMoto(t)
	ctx := context.Background()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("test", "test", ""))}
	clients := deployer.NewClients(cfg)
	d := &deployer.Deployer{Clients: clients, Backoff: 10 * time.Millisecond, WaitMinDelay: 10 * time.Millisecond, WaitMaxDelay: 100 * time.Millisecond}
	tgt, err := deployer.LookupTarget(ctx, clients.STS, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	path := statePath(t)
	apply := func(p *deployer.Project) (*deployer.Plan, *deployer.State) {
		t.Helper()
		recorded, err := deployer.LoadState(path)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := d.PlanProject(ctx, p, tgt, sendPolicy(tgt), recorded)
		if err != nil {
			t.Fatal(err)
		}
		st, err := d.Apply(ctx, plan, deployer.StateFile(path))
		if err != nil {
			t.Fatal(err)
		}
		return plan, st
	}

	_, st := apply(chatProject(t, "dev", true))
	api := st.Resources["websocket_api"].ID
	v2 := apigatewayv2.NewFromConfig(cfg)
	routes, err := v2.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &api})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range routes.Items {
		keys = append(keys, aws.ToString(r.RouteKey))
		if !strings.HasPrefix(aws.ToString(r.Target), "integrations/") {
			t.Errorf("route %s targets %q", aws.ToString(r.RouteKey), aws.ToString(r.Target))
		}
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"$connect", "$default", "$disconnect"}) {
		t.Errorf("routes = %v", keys)
	}
	if stage, err := v2.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &api, StageName: aws.String("api")}); err != nil || !aws.ToBool(stage.AutoDeploy) {
		t.Errorf("stage api: %+v, %v", stage, err)
	}

	plan, _ := apply(chatProject(t, "dev", true))
	for _, c := range plan.Changes {
		if c.Action != deployer.NoOp {
			t.Errorf("redeploy: %s %s %+v", c.Action, c.Address, c.Diffs)
		}
	}

	recorded, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
		t.Fatal(err)
	}
	apis, err := v2.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(apis.Items) != 0 {
		t.Errorf("APIs after delete: %+v", apis.Items)
	}
}

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gochalice/gochalice/internal/deployer"
)

// TestDeployAPIGatewayStageAndTimeout plans savealife with
// --api-gateway-stage (the REST API's stage for this run, instead of
// config.json's) and --connection-timeout (reaching connect in the
// context).
func TestDeployAPIGatewayStageAndTimeout(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	var timeout any
	env := defaultAWSEnv()
	env.connect = func(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error) {
		timeout = ctx.Value(connectionTimeoutKey{})
		return connectAWS(ctx, profile, region, optional)
	}
	var stdout, stderr bytes.Buffer
	app := testApp(&stdout, &stderr, deployCommandWith(env))
	args := []string{"gochalice", "deploy", "--dry-run", "--json", "--stage", "dev", "--project-dir", savealifeDir, "--region", "us-east-1",
		"--api-gateway-stage", "v1", "--connection-timeout", "7"}
	if err := app.RunContext(context.Background(), args); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"api_stage": "v1"`) || strings.Contains(stdout.String(), `"api_stage": "api"`) {
		t.Errorf("the plan does not use the REST API stage v1:\n%s", stdout.String())
	}
	if timeout != 7*time.Second {
		t.Errorf("connect's context carries connection timeout %v, want 7s", timeout)
	}
}

// TestLoadAWSConfigConnectionTimeout: the SDK's HTTP client gets the
// timeout the context carries.
func TestLoadAWSConfigConnectionTimeout(t *testing.T) {
	noCredentials(t)
	cfg, err := loadAWSConfig(withConnectionTimeout(context.Background(), 7*time.Second), "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	c, ok := cfg.HTTPClient.(interface{ GetTimeout() time.Duration })
	if !ok || c.GetTimeout() != 7*time.Second {
		t.Errorf("HTTP client %T does not time out after 7s", cfg.HTTPClient)
	}
}

func TestDeployFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"--api-gateway-stage", "v-1"}, want: `--api-gateway-stage "v-1": API Gateway stage names are letters, digits and underscores`},
		{args: []string{"--connection-timeout", "-1"}, want: "--connection-timeout -1: give seconds"},
	} {
		var stdout, stderr bytes.Buffer
		err := runCLI(context.Background(), &stdout, &stderr, append([]string{"gochalice", "deploy", "--dry-run", "--project-dir", savealifeDir}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != 2 {
			t.Errorf("%v: error %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
}

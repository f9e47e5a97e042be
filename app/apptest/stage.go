package apptest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// envMu serializes calls that set a stage's environment variables, which
// are process-wide.
var envMu sync.Mutex

// loadStage reads the project's configuration for WithStage: the
// .chalice/config.json of the working directory or the nearest folder
// above it.
func (c *Client) loadStage() {
	dir, ok, err := findProject()
	if err != nil {
		c.stageErr = fmt.Errorf("apptest: WithStage(%q): %w", c.stageName, err)
		return
	}
	if !ok {
		return
	}
	cfg, err := stages.Load(dir)
	if err != nil {
		c.stageErr = fmt.Errorf("apptest: WithStage(%q): project %s: %w", c.stageName, dir, err)
		return
	}
	s, err := cfg.Resolve(c.stageName, manifest.APIHandlerName)
	if err != nil {
		c.stageErr = fmt.Errorf("apptest: WithStage(%q): project %s: %w", c.stageName, dir, err)
		return
	}
	c.config = cfg
	c.stage = s.APIGatewayStage
	if s.APIGatewayType == stages.APIGatewayTypeHTTP {
		c.httpAPI = true
	}
}

// findProject returns the working directory or the nearest folder above
// it that holds .chalice/config.json, as the CLI finds its project.
func findProject() (string, bool, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false, err
	}
	for {
		_, err := os.Stat(filepath.Join(dir, stages.ConfigFile))
		if err == nil {
			return dir, true, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", false, err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false, nil
		}
		dir = parent
	}
}

// invoke runs the named function with a JSON payload, with the stage's
// environment variables of that function set for the call (WithStage).
func (c *Client) invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	if c.stageErr != nil {
		return nil, c.stageErr
	}
	if c.config == nil {
		return c.app.Invoke(ctx, name, payload)
	}
	s, err := c.config.Resolve(c.stageName, name)
	if err != nil {
		return nil, fmt.Errorf("apptest: stage %s, function %s: %w", c.stageName, name, err)
	}
	envMu.Lock()
	defer envMu.Unlock()
	vars := map[string]string{manifest.EnvStage: c.stageName}
	for k, v := range s.EnvironmentVariables {
		vars[k] = v
	}
	defer setEnv(vars)()
	return c.app.Invoke(ctx, name, payload)
}

// setEnv sets vars in the process environment and returns the function
// that restores what was there before.
func setEnv(vars map[string]string) (restore func()) {
	type prev struct {
		value string
		set   bool
	}
	saved := make(map[string]prev, len(vars))
	for k, v := range vars {
		old, ok := os.LookupEnv(k)
		saved[k] = prev{old, ok}
		_ = os.Setenv(k, v)
	}
	return func() {
		for k, p := range saved {
			if p.set {
				_ = os.Setenv(k, p.value)
			} else {
				_ = os.Unsetenv(k)
			}
		}
	}
}

// Lambda invokes the named pure Lambda function (app.LambdaFunction) with
// payload encoded as JSON, as a direct Lambda invocation does, and returns
// the handler's return value as JSON; when out is not nil, the value is
// also decoded into it. With WithStage, the function's environment
// variables of the stage are set during the call.
func (c *Client) Lambda(ctx context.Context, name string, payload, out any) (json.RawMessage, error) {
	fn, ok := c.manifest.Function(name)
	if !ok || fn.Kind != manifest.KindFunction {
		return nil, fmt.Errorf("apptest: %q is not a LambdaFunction of app %s", name, c.manifest.AppName)
	}
	raw, err := c.Invoke(ctx, name, payload)
	if err != nil {
		return nil, err
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return raw, fmt.Errorf("apptest: decode the result of %s into %T: %w", name, out, err)
		}
	}
	return raw, nil
}

package state_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/state"
)

func sample() *state.State {
	s := state.New("shop", "dev", arn.NewTarget("eu-west-1", "123456789012"))
	s.Resources["function:api_handler"] = state.ResourceState{Type: state.TypeFunction, Name: "shop-dev",
		ARN: "arn:aws:lambda:eu-west-1:123456789012:function:shop-dev", Attributes: map[string]string{"runtime": "provided.al2023"},
		DependsOn: []string{"role:api_handler"}}
	s.Resources["role:api_handler"] = state.ResourceState{Type: state.TypeRole, Name: "shop-dev-api_handler", Attributes: map[string]string{}}
	return s
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	path := state.Path(t.TempDir(), "dev")
	want := sample()
	if err := state.Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := state.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// No temporary file is left beside it.
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("files after Save: %v", entries)
	}
}

func TestMarshalIsStable(t *testing.T) {
	t.Parallel()
	a, err := state.Marshal(sample())
	if err != nil {
		t.Fatal(err)
	}
	b, err := state.Marshal(sample().Clone())
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) || !strings.HasSuffix(string(a), "}\n") {
		t.Errorf("Marshal is not stable:\n%s\n%s", a, b)
	}
	if strings.Contains(string(a), "Unrecorded") || strings.Contains(string(a), "unrecorded") {
		t.Errorf("Unrecorded is written:\n%s", a)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("missing file", func(t *testing.T) {
		s, err := state.Load(filepath.Join(dir, "none.json"))
		if s != nil || err != nil {
			t.Errorf("Load = %v, %v; want nil, nil", s, err)
		}
	})
	t.Run("other version", func(t *testing.T) {
		_, err := state.Load(write("v2.json", `{"schema_version": 2}`))
		if err == nil || !strings.Contains(err.Error(), "schema_version 2") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		p := write("bad.json", `{`)
		if _, err := state.Load(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("err = %v, want one naming %s", err, p)
		}
	})
	t.Run("no resources", func(t *testing.T) {
		s, err := state.Load(write("empty.json", `{"schema_version": 1, "app": "shop", "stage": "dev"}`))
		if err != nil || s.Resources == nil {
			t.Errorf("Load = %+v, %v; want an empty map", s, err)
		}
	})
	t.Run("legacy deployment address", func(t *testing.T) {
		s, err := state.Load(write("legacy.json", `{"schema_version": 1, "resources": {
			"deployment": {"type": "rest_api_deployment", "name": "api", "attributes": {}},
			"usage_plan": {"type": "api_usage_plan", "name": "shop-dev", "attributes": {}, "depends_on": ["deployment"]}}}`))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"deployment:api", "usage_plan"}, s.Addresses()); diff != "" {
			t.Errorf("addresses (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{state.DeploymentAddr("api")}, s.Resources["usage_plan"].DependsOn, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("depends_on (-want +got):\n%s", diff)
		}
	})
}

func TestCloneIsDeep(t *testing.T) {
	t.Parallel()
	s := sample()
	c := s.Clone()
	c.Resources["function:api_handler"].Attributes["runtime"] = "changed"
	c.Resources["function:api_handler"].DependsOn[0] = "changed"
	if diff := cmp.Diff(sample(), s); diff != "" {
		t.Errorf("the original changed (-want +got):\n%s", diff)
	}
}

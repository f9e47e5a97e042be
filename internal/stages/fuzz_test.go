package stages

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary bytes to the loader as config.json, next to a
// few valid policy files. Whatever the input, Load must not panic, must
// fail only with Diagnostics that hold an error, must be deterministic,
// and when it succeeds every stage must resolve for every function it
// configures. Seeds: every config of testdata.
func FuzzLoad(f *testing.F) {
	seeds, err := filepath.Glob("testdata/broken/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range seeds {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if cfg, ok := parseArchive(data).file(ConfigFile); ok {
			f.Add(cfg)
		}
	}
	if data, err := os.ReadFile("testdata/savealife/.chalice/config.json"); err == nil {
		f.Add(data)
	} else {
		f.Fatal(err)
	}
	f.Add([]byte(`{"app_name": "a", "stages": {"dev": {"lambda_functions": {"f": {"manage_iam_role": false, "iam_role_arn": "arn:aws:iam::123456789012:role/r"}}}}}`))

	policy := &fstest.MapFile{Data: []byte(testPolicy)}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{
			ConfigFile:                           {Data: data},
			".chalice/policy-dev.json":           policy,
			".chalice/policy-prod.json":          policy,
			".chalice/policy-handle-stream.json": policy,
			".chalice/policy.json":               policy,
		}
		c, err := LoadFS(fsys)
		_, err2 := LoadFS(fsys)
		if (err == nil) != (err2 == nil) || err != nil && err.Error() != err2.Error() {
			t.Fatalf("two loads differ:\n%v\n---\n%v", err, err2)
		}
		if err != nil {
			var ds Diagnostics
			if !errors.As(err, &ds) || !ds.HasErrors() {
				t.Fatalf("LoadFS failed without an error diagnostic: %v", err)
			}
			if c != nil {
				t.Fatal("LoadFS returned a Config and an error")
			}
			for _, d := range ds {
				if d.File == "" || d.Problem == "" {
					t.Fatalf("diagnostic without a file or problem: %#v", d)
				}
			}
			return
		}
		if c.Warnings().HasErrors() {
			t.Fatal("warnings hold an error")
		}
		if len(c.Stages()) == 0 {
			t.Fatal("a loaded config has no stage")
		}
		for _, stage := range c.Stages() {
			for _, fn := range c.Functions(stage) {
				s, err := c.Resolve(stage, fn)
				if err != nil {
					t.Fatalf("Resolve(%q, %q): %v", stage, fn, err)
				}
				_ = s.Fields()
				if s.IAMPolicyFile != "" && s.Policy == nil {
					t.Fatalf("Resolve(%q, %q): policy file %s not parsed", stage, fn, s.IAMPolicyFile)
				}
			}
		}
	})
}

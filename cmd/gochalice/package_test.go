package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestPackageGolden packages savealife through the CLI in both formats:
// dev (policy files, a stream ARN) and prod (policies generated from the
// code, a stream named by its table, so a parameter), one with a merged
// fragment. The template and the output are golden; the zip holds the
// bootstrap binary, executable.
func TestPackageGolden(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	for _, tc := range []struct {
		name, stage, format string
		args                []string
	}{
		{name: "dev-sam", stage: "dev", format: "cloudformation"},
		{name: "dev-tf", stage: "dev", format: "terraform"},
		{name: "prod-sam", stage: "prod", format: "cloudformation"},
		{name: "prod-tf", stage: "prod", format: "terraform"},
		{name: "dev-merged-sam", stage: "dev", format: "cloudformation", args: []string{"--merge-template", filepath.Join("testdata", "package", "merge.json")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			args := append([]string{"gochalice", "package", "--stage", tc.stage, "--pkg-format", tc.format, "--project-dir", savealifeDir}, tc.args...)
			if err := runCLI(context.Background(), &stdout, &stderr, append(args, out)); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			file := "sam.json"
			if tc.format == "terraform" {
				file = "chalice.tf.json"
			}
			tpl, err := os.ReadFile(filepath.Join(out, file))
			if err != nil {
				t.Fatal(err)
			}
			packageGolden(t, tc.name+".json", tpl)
			packageGolden(t, tc.name+".out", []byte(strings.ReplaceAll(stdout.String(), out, "OUT")))

			zr, err := zip.OpenReader(filepath.Join(out, "deployment.zip"))
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			if len(zr.File) != 1 || zr.File[0].Name != "bootstrap" || zr.File[0].Mode().Perm() != 0o755 {
				t.Errorf("deployment.zip holds %v, want bootstrap, mode 0755", zr.File)
			}
		})
	}
}

func packageGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "package", name)
	if updating() {
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
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestPackageUsageErrors stops before building, with an error that says
// what to do.
func TestPackageUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{\"Resources\": }"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no folder", nil, "package takes one argument, the folder to write to"},
		{"two folders", []string{"a", "b"}, "got 2"},
		{"unknown format", []string{"--pkg-format", "cdk", "out"}, `--pkg-format "cdk": use cloudformation or terraform`},
		{"missing fragment", []string{"--merge-template", "nope.json", "out"}, "--merge-template: open nope.json"},
		{"invalid fragment", []string{"--merge-template", bad, t.TempDir()}, bad + ": invalid JSON at line 1, column 15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"gochalice", "package", "--project-dir", savealifeDir}, tc.args...)
			err := runCLI(context.Background(), &stdout, &stderr, args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestPackageGoldenSchema checks the golden SAM templates, those the CLI
// writes for savealife's stages, against the CloudFormation and SAM
// resource schemas (scripts/cfn-validate.js, @aws-cdk/aws-service-spec).
func TestPackageGoldenSchema(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat("../../node_modules/@aws-cdk/aws-service-spec/db.json.gz")
	}
	if err != nil {
		msg := "the CloudFormation schema check needs Node.js and @aws-cdk/aws-service-spec (run npm ci at the repository root, as scripts/test.sh does): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	files, err := filepath.Glob(filepath.Join("testdata", "package", "*-sam.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden templates: %v", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, append([]string{"../../scripts/cfn-validate.js", "--json"}, files...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var got map[string][]string
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s%s", err, stdout.String(), stderr.String())
	}
	for _, f := range files {
		if p, ok := got[f]; !ok || len(p) > 0 {
			t.Errorf("%s: checked %v, problems:\n%s", f, ok, strings.Join(p, "\n"))
		}
	}
}

// TestPackageYAMLSingleFile packages savealife's dev stage as one zip
// file holding a YAML template and deployment.zip, as chalice package
// --template-format yaml --single-file does: the YAML says what the
// JSON template says, intrinsic functions in their long form.
func TestPackageYAMLSingleFile(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	out := filepath.Join(t.TempDir(), "dev.zip")
	var stdout, stderr bytes.Buffer
	args := []string{"gochalice", "package", "--stage", "dev", "--template-format", "yaml", "--single-file", "--project-dir", savealifeDir, out}
	if err := runCLI(context.Background(), &stdout, &stderr, args); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if _, err := b.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		files[f.Name] = b.Bytes()
	}
	if len(files) != 2 || files["deployment.zip"] == nil || files["sam.yaml"] == nil {
		t.Fatalf("zip holds %v, want sam.yaml and deployment.zip", slices.Sorted(maps.Keys(files)))
	}
	if _, err := zip.NewReader(bytes.NewReader(files["deployment.zip"]), int64(len(files["deployment.zip"]))); err != nil {
		t.Errorf("deployment.zip: %v", err)
	}
	tpl := string(files["sam.yaml"])
	if !strings.Contains(tpl, "Fn::GetAtt:") || strings.Contains(tpl, "!GetAtt") {
		t.Errorf("sam.yaml does not keep the long form Fn::GetAtt:\n%s", tpl)
	}
	fromYAML, err := yaml.YAMLToJSON(files["sam.yaml"])
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "package", "dev-sam.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got, wantDoc any
	if err := json.Unmarshal(fromYAML, &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wantDoc); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(wantDoc, got); diff != "" {
		t.Errorf("sam.yaml differs from the JSON template (-json +yaml):\n%s", diff)
	}
	if !strings.Contains(stdout.String(), "--template-file sam.yaml --s3-bucket <bucket> --output-template-file packaged.yaml") {
		t.Errorf("next steps do not name the YAML template:\n%s", stdout.String())
	}
}

func TestPackageTemplateFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"--template-format", "toml"}, want: `--template-format "toml": use json or yaml`},
		{args: []string{"--template-format", "yaml", "--pkg-format", "terraform"}, want: "--template-format yaml is for --pkg-format cloudformation"},
	} {
		var stdout, stderr bytes.Buffer
		err := runCLI(context.Background(), &stdout, &stderr, append(append([]string{"gochalice", "package", "--project-dir", savealifeDir}, tc.args...), t.TempDir()))
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != 2 {
			t.Errorf("%v: error %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
}

package build

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ZipFile is the name of the deployment package Lambda builds write
// beside the bootstrap binary (and gochalice package beside its
// template), Chalice's.
const ZipFile = "deployment.zip"

// Artifact is the deployment package every function of an app runs: a zip
// holding one file, bootstrap.
type Artifact struct {
	// Zip is the package.
	Zip []byte
	// SHA256 is the package's SHA-256 in Lambda's CodeSha256 form (base64
	// of the digest), so an unchanged package is never uploaded again.
	SHA256 string
}

// zipTime is the modification time of every zip entry, so that the same
// binary always gives the same zip.
func zipTime() time.Time { return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC) }

// NewArtifact zips a Lambda bootstrap binary reproducibly: one entry,
// bootstrap, with a fixed time and mode 0755.
func NewArtifact(bootstrap []byte) (*Artifact, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: zipTime()}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(bootstrap); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return &Artifact{Zip: buf.Bytes(), SHA256: CodeSHA256(buf.Bytes())}, nil
}

// CodeSHA256 returns data's SHA-256 as Lambda reports a package's
// CodeSha256: base64, standard encoding.
func CodeSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// Lambda builds the main package in dir for Lambda — GOOS=linux, GOARCH
// for arch ("arm64" or "x86_64"), CGO_ENABLED=0, -tags lambda.norpc,
// -trimpath, stripped, no build id — into outDir/bootstrap, and zips it
// (also written to outDir/deployment.zip).
func Lambda(ctx context.Context, dir, arch, outDir string) (*Artifact, error) {
	goarch := "arm64"
	if arch == "x86_64" {
		goarch = "amd64"
	}
	out, err := filepath.Abs(filepath.Join(outDir, "bootstrap"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath",
		"-buildvcs=false", "-ldflags", "-s -w -buildid=", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = Environ(os.Environ(), map[string]string{"GOOS": "linux", "GOARCH": goarch, "CGO_ENABLED": "0"})
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return nil, &Error{Dir: dir, Output: output.String(), Err: err}
	}
	bin, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	a, err := NewArtifact(bin)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(outDir, ZipFile), a.Zip, 0o644); err != nil {
		return nil, err
	}
	return a, nil
}

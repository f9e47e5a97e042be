package build

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// A build folder a killed gochalice left (its owner is gone) is swept;
// one whose owner runs, and a fresh unowned one, are kept.
func TestSweepStale(t *testing.T) {
	tmp := t.TempDir()
	mk := func(name, owner string) string {
		dir := filepath.Join(tmp, name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if owner != "" {
			if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(owner), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	// A process that has exited: its id is free.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("no true command:", err)
	}
	dead := mk(tempPrefix+"dead", strconv.Itoa(cmd.Process.Pid))
	live := mk(tempPrefix+"live", strconv.Itoa(os.Getpid()))
	fresh := mk(tempPrefix+"fresh", "")
	old := mk(tempPrefix+"old", "")
	other := mk("something-else", "1")
	past := time.Now().Add(-2 * staleAge)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	removed := SweepStale(tmp)
	for _, d := range []string{dead, old} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s not swept (removed %v)", filepath.Base(d), removed)
		}
	}
	for _, d := range []string{live, fresh, other} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("%s swept: %v", filepath.Base(d), err)
		}
	}
}

// Cancelling the command's context (Ctrl-C, SIGTERM) removes the build
// folder without waiting for the command to return.
func TestTempDirRemovedOnCancel(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	removed := make(chan string, 1)
	afterRemove = func(dir string) { removed <- dir }
	defer func() { afterRemove = func(string) {} }()
	ctx, cancel := context.WithCancel(context.Background())
	dir, cleanup, err := TempDir(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-removed
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s still there after cancel: %v", dir, err)
	}
}

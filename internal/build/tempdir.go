package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// tempPrefix names every build folder gochalice makes in the system's
// temporary folder.
const tempPrefix = "gochalice-build-"

// ownerFile holds the process id of the gochalice that made a build
// folder, so a later run can tell a live folder from one a killed run
// left behind.
const ownerFile = ".gochalice-owner"

// staleAge is how old an unowned build folder (one without a readable
// owner file) must be before a sweep removes it.
const staleAge = 24 * time.Hour

// TempDir makes a build folder in the system's temporary folder, first
// removing the ones that killed runs left behind (SweepStale). The folder
// is removed by the returned cleanup, or as soon as ctx is done (Ctrl-C
// and SIGTERM cancel the command's context), whichever comes first.
func TempDir(ctx context.Context) (dir string, cleanup func(), err error) {
	SweepStale(os.TempDir())
	dir, err = os.MkdirTemp("", tempPrefix)
	if err != nil {
		return "", nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	var once sync.Once
	remove := func() {
		once.Do(func() {
			os.RemoveAll(dir)
			afterRemove(dir)
		})
	}
	stop := context.AfterFunc(ctx, remove)
	return dir, func() { stop(); remove() }, nil
}

// SweepStale removes the build folders in tmp whose gochalice is no
// longer running, and unowned ones older than a day. It returns the
// folders it removed. Errors are ignored: a folder that cannot be
// removed is left for the next run.
func SweepStale(tmp string) []string {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		if !stale(dir) {
			continue
		}
		if os.RemoveAll(dir) == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// afterRemove is called once a build folder is removed (a test hook).
var afterRemove = func(string) {}

func stale(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, ownerFile))
	if err != nil {
		info, err := os.Stat(dir)
		return err == nil && time.Since(info.ModTime()) > staleAge
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return true
	}
	if pid == os.Getpid() {
		return false
	}
	return !alive(pid)
}

// alive reports whether a process with this id exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

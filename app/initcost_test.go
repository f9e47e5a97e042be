package app

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The most that initialising gochalice's packages may cost a binary that
// links app, at every cold start of every function. Today it is nothing;
// the smallest package-level regexp.MustCompile costs about 30
// allocations, the 19 this package once had 21,942 and 9-12 ms.
const (
	maxInitAllocs = 4
	maxInitBytes  = 1024
)

// TestInitCost runs a program that links app with GODEBUG=inittrace=1 and
// holds app's package initialisation, and that of every gochalice package
// it imports, to constant tables: work such as compiling a regular
// expression or building a map belongs in the function that needs it, or
// in a sync.OnceValue it calls.
func TestInitCost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	bin := filepath.Join(t.TempDir(), "initcost")
	if out, err := exec.Command(goTool, "build", "-o", bin, "./testdata/initcost").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"GODEBUG=inittrace=1"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("initcost: %v\n%s", err, out)
	}
	lines, err := initTrace(out, "github.com/gochalice/gochalice")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := lines["github.com/gochalice/gochalice/app"]; !ok {
		t.Fatalf("no init line for app in:\n%s", out)
	}
	for pkg, l := range lines {
		if l.allocs > maxInitAllocs || l.bytes > maxInitBytes {
			t.Errorf("initialising %s costs %d allocations, %d bytes (at most %d, %d): move the work out of package-level variables and init into the code that needs it\n%s",
				pkg, l.allocs, l.bytes, maxInitAllocs, maxInitBytes, l.text)
		}
	}
}

type initLine struct {
	text          string
	bytes, allocs int64
}

// initTrace returns the GODEBUG=inittrace=1 lines of the packages under
// module, by package:
//
//	init github.com/gochalice/gochalice/app @0.52 ms, 0.011 ms clock, 96 bytes, 3 allocs
func initTrace(stderr []byte, module string) (map[string]initLine, error) {
	lines := map[string]initLine{}
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	for sc.Scan() {
		text := sc.Text()
		if !strings.HasPrefix(text, "init ") {
			continue
		}
		var pkg string
		var at, clock float64
		l := initLine{text: text}
		if _, err := fmt.Sscanf(text, "init %s @%f ms, %f ms clock, %d bytes, %d allocs", &pkg, &at, &clock, &l.bytes, &l.allocs); err != nil {
			return nil, fmt.Errorf("unexpected inittrace line %q: %v", text, err)
		}
		if pkg == module || strings.HasPrefix(pkg, module+"/") {
			lines[pkg] = l
		}
	}
	return lines, sc.Err()
}

func TestInitTraceParse(t *testing.T) {
	t.Parallel()
	stderr := "init runtime @0.031 ms, 0.050 ms clock, 0 bytes, 0 allocs\n" +
		"init github.com/gochalice/gochalice/app @1.3 ms, 9.5 ms clock, 1627504 bytes, 21942 allocs\n" +
		"init github.com/gochalice/gochalicex @1.4 ms, 1 ms clock, 8 bytes, 1 allocs\n" +
		"something the program printed\n"
	got, err := initTrace([]byte(stderr), "github.com/gochalice/gochalice")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]initLine{"github.com/gochalice/gochalice/app": {
		text:  "init github.com/gochalice/gochalice/app @1.3 ms, 9.5 ms clock, 1627504 bytes, 21942 allocs",
		bytes: 1627504, allocs: 21942,
	}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(initLine{})); diff != "" {
		t.Errorf("initTrace (-want +got):\n%s", diff)
	}
	if _, err := initTrace([]byte("init app @1 ms, a lot of clock\n"), "app"); err == nil {
		t.Error("initTrace of a line it cannot read: no error")
	}
}

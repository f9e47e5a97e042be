package stages

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a Diagnostic stops loading.
type Severity int

const (
	// SeverityError is a problem that must be fixed before anything is
	// deployed or run; Load returns it as an error.
	SeverityError Severity = iota
	// SeverityWarning is a problem that does not stop loading, such as a
	// key that gochalice reads but ignores.
	SeverityWarning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText writes the severity as its String form.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Diagnostic is one problem in a project's .chalice folder: the file it is
// in, where in that file, what is wrong and how to fix it.
type Diagnostic struct {
	// File is the file's path relative to the project folder, with forward
	// slashes, e.g. ".chalice/config.json".
	File string `json:"file"`
	// Line and Column locate the problem in File (1-based); zero when the
	// problem has no single place, such as a file that does not exist.
	Line   int `json:"line,omitempty"`
	Column int `json:"column,omitempty"`
	// KeyPath is the JSON path of the offending key, such as
	// "stages.dev.lambda_functions.handle_stream.lambda_timeout", or of
	// the offending element of a policy file, such as
	// "Statement[0].Effect". It is empty for problems with the file as a
	// whole, such as malformed JSON.
	KeyPath string `json:"key_path,omitempty"`
	// Problem says what is wrong.
	Problem string `json:"problem"`
	// Fix says how to put it right; empty when Problem already says so.
	Fix string `json:"fix,omitempty"`
	// Severity says whether the problem stops loading.
	Severity Severity `json:"severity"`

	off int // byte offset in File, for sorting; -1 when unknown
}

// String formats the diagnostic for a terminal, one line:
//
//	.chalice/config.json: stages.dev.lambda_timeout: 1200 is out of range; Lambda allows 1 to 900 seconds
//
// Problems without a key path (malformed JSON) carry line and column
// instead, and warnings say so before the problem.
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.KeyPath == "" && d.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", d.Line, d.Column)
	}
	b.WriteString(": ")
	if d.KeyPath != "" {
		b.WriteString(d.KeyPath)
		b.WriteString(": ")
	}
	if d.Severity == SeverityWarning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Problem)
	if d.Fix != "" {
		b.WriteString("; ")
		b.WriteString(d.Fix)
	}
	return b.String()
}

// Diagnostics is every problem found in one run. As an error (Load returns
// it when at least one problem is an error) it prints one problem per
// line, sorted by file and then by place in the file.
type Diagnostics []Diagnostic

// Error returns the diagnostics one per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an error (not a warning).
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Errors returns the diagnostics of error severity.
func (ds Diagnostics) Errors() Diagnostics { return ds.filter(SeverityError) }

// Warnings returns the diagnostics of warning severity.
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SeverityWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// sortDiagnostics orders diagnostics by file, then place in the file, then
// key path and text, and drops exact duplicates.
func sortDiagnostics(ds Diagnostics) Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.off, b.off),
			comparePaths(a.KeyPath, b.KeyPath),
			cmp.Compare(a.Problem, b.Problem),
			cmp.Compare(a.Fix, b.Fix),
			cmp.Compare(a.Severity, b.Severity),
		)
	})
	return slices.CompactFunc(ds, func(a, b Diagnostic) bool {
		return a.File == b.File && a.KeyPath == b.KeyPath && a.Problem == b.Problem &&
			a.Fix == b.Fix && a.Severity == b.Severity && a.Line == b.Line && a.Column == b.Column
	})
}

// comparePaths compares key paths so that "Statement[2]" sorts before
// "Statement[10]".
func comparePaths(a, b string) int {
	for a != "" && b != "" {
		ia, ib := digitRun(a), digitRun(b)
		if ia > 0 && ib > 0 {
			na, nb := strings.TrimLeft(a[:ia], "0"), strings.TrimLeft(b[:ib], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[ia:], b[ib:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

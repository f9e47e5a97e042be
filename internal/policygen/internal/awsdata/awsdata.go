package awsdata

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

var (
	//go:embed operations.tsv
	operationsTSV string
	//go:embed actions.tsv
	actionsTSV string
	//go:embed helpers.tsv
	helpersTSV string
)

// Table answers which IAM actions an SDK operation needs. A Table is
// immutable once loaded.
type Table struct {
	ops     map[string][]string // "pkg.Op" -> actions; nil slice: known operation, no mapping
	actions map[string][]string // action -> resource types ("!" suffix: required)
	helpers map[string]Helper
}

// Helper is an SDK function outside the service packages that sends
// service operations.
type Helper struct {
	// Service is the service package name, e.g. "s3".
	Service string
	// Operations are the operations it sends.
	Operations []string
}

// Load parses the embedded data.
func Load() (*Table, error) {
	t := &Table{ops: map[string][]string{}, actions: map[string][]string{}, helpers: map[string]Helper{}}
	err := eachRow(operationsTSV, 3, func(f []string) {
		if f[2] == "-" {
			t.ops[f[0]+"."+f[1]] = nil
			return
		}
		t.ops[f[0]+"."+f[1]] = strings.Split(f[2], ",")
	})
	if err != nil {
		return nil, fmt.Errorf("operations.tsv: %w", err)
	}
	err = eachRow(actionsTSV, 2, func(f []string) {
		if f[1] == "-" {
			t.actions[f[0]] = []string{}
			return
		}
		t.actions[f[0]] = strings.Split(f[1], ",")
	})
	if err != nil {
		return nil, fmt.Errorf("actions.tsv: %w", err)
	}
	err = eachRow(helpersTSV, 3, func(f []string) {
		t.helpers[f[0]] = Helper{Service: f[1], Operations: strings.Split(f[2], ",")}
	})
	if err != nil {
		return nil, fmt.Errorf("helpers.tsv: %w", err)
	}
	return t, nil
}

func eachRow(data string, cols int, f func([]string)) error {
	for i, line := range strings.Split(data, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != cols {
			return fmt.Errorf("line %d: want %d tab-separated fields, got %d", i+1, cols, len(fields))
		}
		f(fields)
	}
	return nil
}

// Operation reports whether op is an operation of the service package svc
// (e.g. "dynamodb", "GetItem") and the IAM actions it needs. known is true
// with no actions for an operation that has no known mapping.
func (t *Table) Operation(svc, op string) (actions []string, known bool) {
	a, ok := t.ops[svc+"."+op]
	return a, ok
}

// ResourceTypes returns the IAM resource types an action accepts, each
// with a "!" suffix when it is required. An empty result means the action
// takes only "*". ok is false for an action the table does not know.
func (t *Table) ResourceTypes(action string) (types []string, ok bool) {
	rt, ok := t.actions[action]
	return rt, ok
}

// Accepts reports whether action accepts the resource type rt.
func (t *Table) Accepts(action, rt string) bool {
	for _, r := range t.actions[action] {
		if strings.TrimSuffix(r, "!") == rt {
			return true
		}
	}
	return false
}

// Helper returns the operations sent by the SDK function with the given
// full name (types.Func.FullName, e.g.
// "(github.com/aws/aws-sdk-go-v2/feature/s3/manager.Uploader).Upload").
func (t *Table) Helper(fullName string) (Helper, bool) {
	h, ok := t.helpers[fullName]
	return h, ok
}

// Actions returns every action the table can produce, sorted.
func (t *Table) Actions() []string {
	seen := map[string]bool{}
	var out []string
	for _, as := range t.ops {
		for _, a := range as {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	for a := range t.actions {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

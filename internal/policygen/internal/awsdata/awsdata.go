package awsdata

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
)

var (
	//go:embed services.tsv
	servicesTSV string
	//go:embed operations.tsv
	operationsTSV string
	//go:embed actions.tsv
	actionsTSV string
	//go:embed resources.tsv
	resourcesTSV string
	//go:embed helpers.tsv
	helpersTSV string
)

// Table answers which IAM actions an SDK operation needs. A Table is
// immutable once loaded.
type Table struct {
	prefixes  map[string]string   // service package -> IAM prefix ("" when it has none)
	ops       map[string][]string // "pkg.Op" -> actions; nil slice: known operation, no mapping
	actions   map[string][]string // action -> resource types ("!" suffix: required)
	resources map[string]string   // "prefix:resource type" -> ARN format
	helpers   map[string]Helper
}

// Helper is an SDK function outside the service packages that sends
// service operations.
type Helper struct {
	// Service is the service package name, e.g. "s3".
	Service string
	// Operations are the operations it sends.
	Operations []string
}

// load parses the embedded data once; the Table it returns is shared and
// never modified.
var load = sync.OnceValues(parse)

// Load returns the table of the embedded data.
func Load() (*Table, error) { return load() }

func parse() (*Table, error) {
	t := &Table{
		prefixes:  map[string]string{},
		ops:       map[string][]string{},
		actions:   map[string][]string{},
		resources: map[string]string{},
		helpers:   map[string]Helper{},
	}
	steps := []struct {
		name string
		data string
		cols int
		row  func([]string)
	}{
		{"services.tsv", servicesTSV, 3, func(f []string) {
			if f[1] == "-" {
				f[1] = ""
			}
			t.prefixes[f[0]] = f[1]
		}},
		{"operations.tsv", operationsTSV, 3, func(f []string) {
			if f[2] == "-" {
				t.ops[f[0]+"."+f[1]] = nil
				return
			}
			t.ops[f[0]+"."+f[1]] = strings.Split(f[2], ",")
		}},
		{"actions.tsv", actionsTSV, 2, func(f []string) {
			if f[1] == "-" {
				t.actions[f[0]] = []string{}
				return
			}
			t.actions[f[0]] = strings.Split(f[1], ",")
		}},
		{"resources.tsv", resourcesTSV, 3, func(f []string) {
			t.resources[f[0]+":"+f[1]] = f[2]
		}},
		{"helpers.tsv", helpersTSV, 3, func(f []string) {
			t.helpers[f[0]] = Helper{Service: f[1], Operations: strings.Split(f[2], ",")}
		}},
	}
	for _, s := range steps {
		if err := eachRow(s.data, s.cols, s.row); err != nil {
			return nil, fmt.Errorf("awsdata: %s: %w", s.name, err)
		}
	}
	return t, nil
}

func eachRow(data string, cols int, f func([]string)) error {
	line := 0
	for l := range strings.Lines(data) {
		line++
		l = strings.TrimSuffix(l, "\n")
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fields := strings.Split(l, "\t")
		if len(fields) != cols {
			return fmt.Errorf("line %d: want %d tab-separated fields, got %d", line, cols, len(fields))
		}
		f(fields)
	}
	return nil
}

// Operation reports the IAM actions the operation op (e.g. "GetItem") of
// the service package svc (e.g. "dynamodb") needs. known is false when the
// table has no such operation and the action cannot be derived from the
// service's IAM prefix; known is true with no actions for an operation
// the table knows has no derivable action.
//
// An operation newer than the table is derived as it was generated: the
// service's IAM prefix and the operation's name, when AWS's action list
// (as embedded) has that action.
func (t *Table) Operation(svc, op string) (actions []string, known bool) {
	if a, ok := t.ops[svc+"."+op]; ok {
		return a, true
	}
	if prefix := t.prefixes[svc]; prefix != "" {
		if a, ok := t.Derive(prefix, op); ok {
			return []string{a}, true
		}
	}
	return nil, false
}

// Service returns the IAM prefix of a service package ("" for a service
// authorised otherwise, such as by bearer tokens). ok is false for a
// package the table does not know.
func (t *Table) Service(svc string) (prefix string, ok bool) {
	prefix, ok = t.prefixes[svc]
	return prefix, ok
}

// Derive returns prefix:op when AWS's action list has that action.
func (t *Table) Derive(prefix, op string) (string, bool) {
	a := prefix + ":" + op
	_, ok := t.actions[a]
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

// ARNFormat returns the ARN format of a resource type of the service with
// the given IAM prefix, with ${Partition}, ${Region}, ${Account} and
// ${Name}-style variables, as AWS's Service Authorization Reference
// spells it.
func (t *Table) ARNFormat(prefix, resourceType string) (string, bool) {
	f, ok := t.resources[prefix+":"+resourceType]
	return f, ok
}

// Helper returns the operations sent by the SDK function with the given
// full name (types.Func.FullName, e.g.
// "(github.com/aws/aws-sdk-go-v2/feature/s3/manager.Uploader).Upload").
func (t *Table) Helper(fullName string) (Helper, bool) {
	h, ok := t.helpers[fullName]
	return h, ok
}

// Services returns every service package the table knows, sorted.
func (t *Table) Services() []string {
	out := make([]string, 0, len(t.prefixes))
	for p := range t.prefixes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Operations returns the operations of a service package the table knows,
// sorted.
func (t *Table) Operations(svc string) []string {
	var out []string
	for k := range t.ops {
		if s, op, _ := strings.Cut(k, "."); s == svc {
			out = append(out, op)
		}
	}
	sort.Strings(out)
	return out
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

// Package iam holds IAM policy documents: their types, a strict parser that
// reports shape errors by JSON path, and a canonical JSON form (sorted,
// stable) so generated and recorded policies can be compared byte for
// byte. It imports only the standard library; stages, policygen and the
// deployer share it.
package iam

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Version is the only policy language version gochalice writes.
const Version = "2012-10-17"

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	ID        string      `json:"Id,omitempty"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a policy.
type Statement struct {
	Sid          string     `json:"Sid,omitempty"`
	Effect       string     `json:"Effect"`
	Principal    any        `json:"Principal,omitempty"`
	NotPrincipal any        `json:"NotPrincipal,omitempty"`
	Action       Strings    `json:"Action,omitempty"`
	NotAction    Strings    `json:"NotAction,omitempty"`
	Resource     Strings    `json:"Resource,omitempty"`
	NotResource  Strings    `json:"NotResource,omitempty"`
	Condition    Conditions `json:"Condition,omitempty"`
}

// Conditions maps a condition operator (StringEquals, ArnLike, ...) to
// condition keys and their values.
type Conditions map[string]map[string]Strings

// Strings is a JSON value that IAM accepts either as one string or as an
// array of strings. It marshals a single element as a plain string, as the
// IAM console does.
type Strings []string

// UnmarshalJSON accepts a string or an array of strings.
func (s *Strings) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var one string
		if err := json.Unmarshal(data, &one); err != nil {
			return err
		}
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(data, &many); err != nil {
		return fmt.Errorf("want a string or an array of strings")
	}
	*s = many
	return nil
}

// MarshalJSON writes one element as a string and several as an array.
func (s Strings) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

// ShapeError is a problem with the structure of a policy document, located
// by a JSON path such as "Statement[1].Effect".
type ShapeError struct {
	Path    string
	Problem string
}

func (e *ShapeError) Error() string {
	if e.Path == "" {
		return e.Problem
	}
	return e.Path + ": " + e.Problem
}

// Parse decodes a policy document and checks its shape: a Version of
// "2012-10-17" or "2008-10-17", a non-empty Statement (an object or an
// array), each statement with Effect Allow or Deny, exactly one of Action
// and NotAction, and exactly one of Resource and NotResource. It returns
// every shape problem it finds, each as a *ShapeError, joined into one
// error.
func Parse(data []byte) (*Policy, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	var problems []error
	add := func(path, format string, args ...any) {
		problems = append(problems, &ShapeError{Path: path, Problem: fmt.Sprintf(format, args...)})
	}
	for k := range raw {
		switch k {
		case "Version", "Id", "Statement":
		default:
			add(k, "unknown policy element (want Version, Id or Statement)")
		}
	}
	p := &Policy{}
	if v, ok := raw["Version"]; !ok {
		add("Version", `missing: add "Version": %q`, Version)
	} else if err := json.Unmarshal(v, &p.Version); err != nil || (p.Version != Version && p.Version != "2008-10-17") {
		add("Version", `must be %q`, Version)
	}
	if v, ok := raw["Id"]; ok {
		if err := json.Unmarshal(v, &p.ID); err != nil {
			add("Id", "must be a string")
		}
	}
	stmts, ok := raw["Statement"]
	if !ok {
		add("Statement", "missing: a policy needs at least one statement")
		return nil, joinShape(problems)
	}
	var list []json.RawMessage
	if t := bytes.TrimSpace(stmts); len(t) > 0 && t[0] == '{' {
		list = []json.RawMessage{stmts}
	} else if err := json.Unmarshal(stmts, &list); err != nil {
		add("Statement", "must be an object or an array of objects")
		return nil, joinShape(problems)
	}
	if len(list) == 0 {
		add("Statement", "is empty: a policy needs at least one statement")
	}
	for i, rs := range list {
		path := fmt.Sprintf("Statement[%d]", i)
		st, errs := parseStatement(path, rs)
		problems = append(problems, errs...)
		p.Statement = append(p.Statement, st)
	}
	if len(problems) > 0 {
		return nil, joinShape(problems)
	}
	return p, nil
}

func parseStatement(path string, data json.RawMessage) (Statement, []error) {
	var st Statement
	var problems []error
	add := func(key, format string, args ...any) {
		problems = append(problems, &ShapeError{Path: path + key, Problem: fmt.Sprintf(format, args...)})
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		add("", "must be an object")
		return st, problems
	}
	strs := func(key string, dst *Strings) {
		v, ok := raw[key]
		if !ok {
			return
		}
		if err := json.Unmarshal(v, dst); err != nil {
			add("."+key, "must be a string or an array of strings")
			return
		}
		if len(*dst) == 0 {
			add("."+key, "is empty")
		}
		for j, s := range *dst {
			if strings.TrimSpace(s) == "" {
				add(fmt.Sprintf(".%s[%d]", key, j), "is an empty string")
			}
		}
	}
	for k, v := range raw {
		switch k {
		case "Sid":
			if err := json.Unmarshal(v, &st.Sid); err != nil {
				add(".Sid", "must be a string")
			}
		case "Effect":
			if err := json.Unmarshal(v, &st.Effect); err != nil || (st.Effect != "Allow" && st.Effect != "Deny") {
				add(".Effect", `must be "Allow" or "Deny"`)
			}
		case "Principal":
			_ = json.Unmarshal(v, &st.Principal)
		case "NotPrincipal":
			_ = json.Unmarshal(v, &st.NotPrincipal)
		case "Action":
			strs(k, &st.Action)
		case "NotAction":
			strs(k, &st.NotAction)
		case "Resource":
			strs(k, &st.Resource)
		case "NotResource":
			strs(k, &st.NotResource)
		case "Condition":
			if err := json.Unmarshal(v, &st.Condition); err != nil {
				add(".Condition", "must map operators to {key: value or [values]}")
			}
		default:
			add("."+k, "unknown statement element (want Sid, Effect, Principal, Action, NotAction, Resource, NotResource or Condition)")
		}
	}
	if _, ok := raw["Effect"]; !ok {
		add(".Effect", `missing: add "Effect": "Allow"`)
	}
	_, hasA := raw["Action"]
	_, hasNA := raw["NotAction"]
	switch {
	case !hasA && !hasNA:
		add(".Action", "missing: a statement needs Action (or NotAction)")
	case hasA && hasNA:
		add(".NotAction", "a statement takes Action or NotAction, not both")
	}
	_, hasR := raw["Resource"]
	_, hasNR := raw["NotResource"]
	switch {
	case !hasR && !hasNR:
		add(".Resource", `missing: a statement in an identity policy needs Resource (use "*" only where the action takes no resource)`)
	case hasR && hasNR:
		add(".NotResource", "a statement takes Resource or NotResource, not both")
	}
	for key, list := range map[string]Strings{"Action": st.Action, "NotAction": st.NotAction} {
		for j, a := range list {
			if a != "*" && strings.TrimSpace(a) != "" && !strings.Contains(a, ":") {
				add(fmt.Sprintf(".%s[%d]", key, j), "%q is not of the form service:Action", a)
			}
		}
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Error() < problems[j].Error() })
	return st, problems
}

func joinShape(errs []error) error {
	sort.SliceStable(errs, func(i, j int) bool {
		return pathLess(errs[i].(*ShapeError).Path, errs[j].(*ShapeError).Path)
	})
	return shapeErrors(errs)
}

// pathLess orders JSON paths with array indexes compared as numbers, so
// that "Statement[2]" comes before "Statement[10]".
func pathLess(a, b string) bool {
	for a != "" && b != "" {
		na, nb := digits(a), digits(b)
		if na > 0 && nb > 0 {
			x, y := strings.TrimLeft(a[:na], "0"), strings.TrimLeft(b[:nb], "0")
			if len(x) != len(y) {
				return len(x) < len(y)
			}
			if x != y {
				return x < y
			}
			a, b = a[na:], b[nb:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

type shapeErrors []error

func (e shapeErrors) Error() string {
	var b strings.Builder
	for i, err := range e {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(err.Error())
	}
	return b.String()
}

func (e shapeErrors) Unwrap() []error { return e }

// Canonical returns a copy of p with every statement's lists sorted and
// de-duplicated, and statements sorted by Sid, then Effect, then first
// action, then first resource. It does not merge statements.
func (p *Policy) Canonical() *Policy {
	c := &Policy{Version: p.Version, ID: p.ID}
	if c.Version == "" {
		c.Version = Version
	}
	for _, st := range p.Statement {
		st.Action = sortedUnique(st.Action)
		st.NotAction = sortedUnique(st.NotAction)
		st.Resource = sortedUnique(st.Resource)
		st.NotResource = sortedUnique(st.NotResource)
		if st.Condition != nil {
			cond := make(Conditions, len(st.Condition))
			for op, kv := range st.Condition {
				cond[op] = make(map[string]Strings, len(kv))
				for k, v := range kv {
					cond[op][k] = sortedUnique(v)
				}
			}
			st.Condition = cond
		}
		c.Statement = append(c.Statement, st)
	}
	sort.SliceStable(c.Statement, func(i, j int) bool {
		a, b := c.Statement[i], c.Statement[j]
		if a.Sid != b.Sid {
			return a.Sid < b.Sid
		}
		if a.Effect != b.Effect {
			return a.Effect < b.Effect
		}
		if x, y := first(a.Action), first(b.Action); x != y {
			return x < y
		}
		if x, y := first(a.Resource), first(b.Resource); x != y {
			return x < y
		}
		// Statements that agree on all of the above still get one order
		// whatever order they came in: compare their whole JSON.
		return statementKey(a) < statementKey(b)
	})
	return c
}

// statementKey is the JSON of a canonical statement, used to break ties
// when sorting.
func statementKey(st Statement) string {
	data, err := json.Marshal(st)
	if err != nil {
		return ""
	}
	return string(data)
}

// MarshalCanonical returns the canonical JSON of p: Canonical, indented by
// two spaces, with a trailing newline. Map keys (conditions) are sorted by
// encoding/json.
func (p *Policy) MarshalCanonical() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p.Canonical()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sortedUnique(s Strings) Strings {
	if len(s) == 0 {
		return s
	}
	out := append(Strings(nil), s...)
	sort.Strings(out)
	j := 0
	for i := range out {
		if i == 0 || out[i] != out[j-1] {
			out[j] = out[i]
			j++
		}
	}
	return out[:j]
}

func first(s Strings) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

package iam

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update rewrites the golden files under testdata.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func updating() bool { return *update }

// shapes returns the shape errors inside err, in order.
func shapes(t *testing.T, err error) []ShapeError {
	t.Helper()
	if err == nil {
		return nil
	}
	u, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %T is not a list of shape errors: %v", err, err)
	}
	var out []ShapeError
	for _, e := range u.Unwrap() {
		var se *ShapeError
		if !errors.As(e, &se) {
			t.Fatalf("%T in the list is not a *ShapeError: %v", e, e)
		}
		out = append(out, *se)
	}
	return out
}

func TestParseShapeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []ShapeError
	}{
		{
			name: "missing everything",
			in:   `{}`,
			want: []ShapeError{
				{"Statement", "missing: a policy needs at least one statement"},
				{"Version", `missing: add "Version": "2012-10-17"`},
			},
		},
		{
			name: "unknown top-level element and bad version",
			in:   `{"Version": "2020-01-01", "Statment": [], "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}`,
			want: []ShapeError{
				{"Statment", "unknown policy element (want Version, Id or Statement)"},
				{"Version", `must be "2012-10-17"`},
			},
		},
		{
			name: "version not a string, id not a string",
			in:   `{"Version": 2012, "Id": 5, "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`,
			want: []ShapeError{
				{"Id", "must be a string"},
				{"Version", `must be "2012-10-17"`},
			},
		},
		{
			name: "statement of the wrong type",
			in:   `{"Version": "2012-10-17", "Statement": "Allow everything"}`,
			want: []ShapeError{{"Statement", "must be an object or an array of objects"}},
		},
		{
			name: "empty statement list",
			in:   `{"Version": "2012-10-17", "Statement": []}`,
			want: []ShapeError{{"Statement", "is empty: a policy needs at least one statement"}},
		},
		{
			name: "statement that is not an object",
			in:   `{"Version": "2012-10-17", "Statement": ["s3:GetObject"]}`,
			want: []ShapeError{{"Statement[0]", "must be an object"}},
		},
		{
			name: "effect, action and resource",
			in: `{"Version": "2012-10-17", "Statement": [
				{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject"}
			]}`,
			want: []ShapeError{
				{"Statement[0].Effect", `must be "Allow" or "Deny"`},
				{"Statement[1].Effect", `missing: add "Effect": "Allow"`},
				{"Statement[2].Action", "missing: a statement needs Action (or NotAction)"},
				{"Statement[3].Resource", `missing: a statement in an identity policy needs Resource (use "*" only where the action takes no resource)`},
			},
		},
		{
			name: "both forms of action and resource",
			in:   `{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "NotAction": "s3:GetObject", "Resource": "*", "NotResource": "arn:aws:s3:::b"}}`,
			want: []ShapeError{
				{"Statement[0].NotAction", "a statement takes Action or NotAction, not both"},
				{"Statement[0].NotResource", "a statement takes Resource or NotResource, not both"},
			},
		},
		{
			name: "malformed action names, in Action and NotAction",
			in:   `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": ["s3:GetObject", "GetItem"], "Resource": "*"}, {"Effect": "Allow", "Action": ["*", "Query"], "Resource": "*"}]}`,
			want: []ShapeError{
				{"Statement[0].NotAction[1]", `"GetItem" is not of the form service:Action`},
				{"Statement[1].Action[1]", `"Query" is not of the form service:Action`},
			},
		},
		{
			name: "empty and mistyped lists",
			in:   `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [], "Resource": ["*", ""]}, {"Effect": "Allow", "Action": [1], "Resource": {"a": 1}}]}`,
			want: []ShapeError{
				{"Statement[0].Action", "is empty"},
				{"Statement[0].Resource[1]", "is an empty string"},
				{"Statement[1].Action", "must be a string or an array of strings"},
				{"Statement[1].Resource", "must be a string or an array of strings"},
			},
		},
		{
			name: "unknown statement element, bad sid and condition",
			in:   `{"Version": "2012-10-17", "Statement": [{"Sid": 1, "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": [], "Actions": "s3:PutObject"}]}`,
			want: []ShapeError{
				{"Statement[0].Actions", "unknown statement element (want Sid, Effect, Principal, Action, NotAction, Resource, NotResource or Condition)"},
				{"Statement[0].Condition", "must map operators to {key: value or [values]}"},
				{"Statement[0].Sid", "must be a string"},
			},
		},
		{
			name: "statements ordered by number, not text",
			in: `{"Version": "2012-10-17", "Statement": [
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "x", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
				{"Effect": "y", "Action": "s3:GetObject", "Resource": "*"}
			]}`,
			want: []ShapeError{
				{"Statement[2].Effect", `must be "Allow" or "Deny"`},
				{"Statement[10].Effect", `must be "Allow" or "Deny"`},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", p)
			}
			if p != nil {
				t.Errorf("Parse returned a policy with an error")
			}
			if diff := cmp.Diff(tc.want, shapes(t, err)); diff != "" {
				t.Errorf("shape errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNotJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{``, `[`, `[]`, `"policy"`, `{"Version": }`} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(in))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			var se *ShapeError
			if errors.As(err, &se) {
				t.Errorf("a JSON error is reported as a shape error: %v", err)
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want *Policy
	}{
		{
			name: "single statement object, strings",
			in:   `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/t"}}`,
			want: &Policy{Version: Version, Statement: []Statement{{
				Effect: "Allow", Action: Strings{"dynamodb:GetItem"}, Resource: Strings{"arn:aws:dynamodb:us-east-1:123456789012:table/t"},
			}}},
		},
		{
			name: "old version, id, sid, not-forms and a condition",
			in: `{"Version": "2008-10-17", "Id": "p1", "Statement": [{"Sid": "S1", "Effect": "Deny", "NotAction": ["s3:GetObject", "s3:ListBucket"], "NotResource": "arn:aws:s3:::b/*",
				"Condition": {"StringEquals": {"aws:SourceAccount": "123456789012", "aws:PrincipalTag/team": ["a", "b"]}}}]}`,
			want: &Policy{Version: "2008-10-17", ID: "p1", Statement: []Statement{{
				Sid: "S1", Effect: "Deny", NotAction: Strings{"s3:GetObject", "s3:ListBucket"}, NotResource: Strings{"arn:aws:s3:::b/*"},
				Condition: Conditions{"StringEquals": {"aws:SourceAccount": {"123456789012"}, "aws:PrincipalTag/team": {"a", "b"}}},
			}}},
		},
		{
			name: "principal kept as written",
			in:   `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}`,
			want: &Policy{Version: Version, Statement: []Statement{{
				Effect: "Allow", Principal: "*", Action: Strings{"execute-api:Invoke"}, Resource: Strings{"execute-api:/*"},
			}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStringsJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    Strings
		out     string // what it marshals back to
		wantErr bool
	}{
		{name: "one string", in: `"s3:GetObject"`, want: Strings{"s3:GetObject"}, out: `"s3:GetObject"`},
		{name: "one-element array marshals as a string", in: `["s3:GetObject"]`, want: Strings{"s3:GetObject"}, out: `"s3:GetObject"`},
		{name: "array", in: `["b", "a"]`, want: Strings{"b", "a"}, out: `["b","a"]`},
		{name: "empty array", in: `[]`, want: Strings{}, out: `[]`},
		{name: "white space", in: "  \"x\"\n", want: Strings{"x"}, out: `"x"`},
		{name: "encoding/json escapes <", in: `"a<b"`, want: Strings{"a<b"}, out: `"a\u003cb"`},
		{name: "number", in: `5`, wantErr: true},
		{name: "array of numbers", in: `[1, 2]`, wantErr: true},
		{name: "object", in: `{"a": "b"}`, wantErr: true},
		{name: "bad string", in: `"\x"`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var s Strings
			err := json.Unmarshal([]byte(tc.in), &s)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Unmarshal(%s): error %v, want error %v", tc.in, err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if diff := cmp.Diff(tc.want, s); diff != "" {
				t.Errorf("Unmarshal (-want +got):\n%s", diff)
			}
			out, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.out {
				t.Errorf("Marshal = %s, want %s", out, tc.out)
			}
			var back Strings
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(s, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

// permutations returns every ordering of s.
func permutations[T any](s []T) [][]T {
	if len(s) <= 1 {
		return [][]T{append([]T(nil), s...)}
	}
	var out [][]T
	for i := range s {
		rest := append(append([]T(nil), s[:i]...), s[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]T{s[i]}, p...))
		}
	}
	return out
}

func samplePolicy() *Policy {
	return &Policy{Version: Version, Statement: []Statement{
		{Effect: "Allow", Action: Strings{"dynamodb:Query", "dynamodb:GetItem", "dynamodb:GetItem"}, Resource: Strings{"arn:aws:dynamodb:us-east-1:123456789012:table/b", "arn:aws:dynamodb:us-east-1:123456789012:table/a"}},
		{Effect: "Allow", Action: Strings{"logs:PutLogEvents", "logs:CreateLogStream"}, Resource: Strings{"*"}},
		// Two statements that differ only in their condition.
		{Effect: "Allow", Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"},
			Condition: Conditions{"StringEquals": {"s3:ExistingObjectTag/team": {"b", "a"}}}},
		{Effect: "Allow", Action: Strings{"s3:GetObject"}, Resource: Strings{"arn:aws:s3:::b/*"},
			Condition: Conditions{"StringEquals": {"s3:ExistingObjectTag/team": {"c"}}}},
		{Sid: "DenyDelete", Effect: "Deny", Action: Strings{"s3:DeleteObject"}, Resource: Strings{"*"}},
	}}
}

// TestMarshalCanonicalDeterministic checks that every ordering of the
// statements, and of the values inside them, gives the same bytes, and
// that the canonical form matches testdata/canonical.golden.json.
func TestMarshalCanonicalDeterministic(t *testing.T) {
	t.Parallel()
	base := samplePolicy()
	want, err := base.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	for i, stmts := range permutations(base.Statement) {
		p := &Policy{Version: base.Version, Statement: stmts}
		// Reverse every list too.
		for j := range p.Statement {
			st := &p.Statement[j]
			st.Action = reversed(st.Action)
			st.Resource = reversed(st.Resource)
		}
		got, err := p.MarshalCanonical()
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Fatalf("permutation %d (-want +got):\n%s", i, diff)
		}
	}
	path := filepath.Join("testdata", "canonical.golden.json")
	if updating() {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	golden, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(golden), string(want)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
	// The canonical form parses back to a policy with the same canonical
	// form.
	back, err := Parse(want)
	if err != nil {
		t.Fatalf("Parse(canonical): %v", err)
	}
	again, err := back.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(again)); diff != "" {
		t.Errorf("canonical form is not a fixed point (-want +got):\n%s", diff)
	}
}

func reversed(s Strings) Strings {
	out := make(Strings, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func TestCanonicalLeavesInputAlone(t *testing.T) {
	t.Parallel()
	p := samplePolicy()
	before := samplePolicy()
	_ = p.Canonical()
	if diff := cmp.Diff(before, p); diff != "" {
		t.Errorf("Canonical changed its receiver (-before +after):\n%s", diff)
	}
}

func TestCanonicalDefaultsVersion(t *testing.T) {
	t.Parallel()
	p := &Policy{Statement: []Statement{{Effect: "Allow", Action: Strings{"s3:GetObject"}, Resource: Strings{"*"}}}}
	if got := p.Canonical().Version; got != Version {
		t.Errorf("Version = %q, want %q", got, Version)
	}
}

func TestCheckPolicyKinds(t *testing.T) {
	t.Parallel()
	withPrincipal := &Policy{Version: Version, Statement: []Statement{
		{Effect: "Allow", Principal: "*", Action: Strings{"execute-api:Invoke"}, Resource: Strings{"execute-api:/*"}},
		{Effect: "Deny", NotPrincipal: map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, Action: Strings{"execute-api:Invoke"}, Resource: Strings{"execute-api:/*"}},
	}}
	without := &Policy{Version: Version, Statement: []Statement{
		{Effect: "Allow", Action: Strings{"s3:GetObject"}, Resource: Strings{"*"}},
	}}
	tests := []struct {
		name  string
		check func(*Policy) []*ShapeError
		in    *Policy
		want  []*ShapeError
	}{
		{"identity policy without principal", CheckIdentityPolicy, without, nil},
		{"identity policy with principals", CheckIdentityPolicy, withPrincipal, []*ShapeError{
			{"Statement[0].Principal", "not allowed in a role's policy (the role is the principal): remove it"},
			{"Statement[1].NotPrincipal", "not allowed in a role's policy (the role is the principal): remove it"},
		}},
		{"resource policy with principals", CheckResourcePolicy, withPrincipal, nil},
		{"resource policy without principal", CheckResourcePolicy, without, []*ShapeError{
			{"Statement[0].Principal", `missing: a resource policy statement says who it applies to, e.g. "Principal": "*"`},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.check(tc.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestShapeErrorString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e    ShapeError
		want string
	}{
		{ShapeError{"Statement[0].Effect", "bad"}, "Statement[0].Effect: bad"},
		{ShapeError{"", "bad"}, "bad"},
	}
	for _, tc := range tests {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

package stages

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/gochalice/gochalice/internal/iam"
)

// checkStages resolves every function config.json configures in every
// stage (and the API handler), reporting what is wrong with the result,
// and reads the policy files the results name.
func (l *loader) checkStages(c *Config) {
	var fs []finding
	for _, stage := range c.Stages() {
		for _, fn := range c.Functions(stage) {
			_, f, refs := c.resolve(stage, fn)
			fs = append(fs, f...)
			for _, r := range refs {
				l.loadPolicy(r)
			}
		}
	}
	l.diags = append(l.diags, renderFindings(fs)...)
}

// loadPolicy reads and checks one policy file, once.
func (l *loader) loadPolicy(r policyRef) {
	if l.tried[r.path] {
		return
	}
	l.tried[r.path] = true
	configDiag := func(problem, fix string) {
		l.diags = append(l.diags, Diagnostic{File: ConfigFile, KeyPath: r.keyPath, off: r.off, Problem: problem, Fix: fix})
	}
	data, err := fs.ReadFile(l.fsys, r.path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && r.implied && r.override != "":
		configDiag(fmt.Sprintf("is not set, so with %s the policy is read from %s, which does not exist", r.override, r.path),
			fmt.Sprintf(`create that file, set "iam_policy_file" to the name of the policy file in .chalice/, or leave out %s`, r.override))
		return
	case errors.Is(err, fs.ErrNotExist) && r.implied:
		configDiag(fmt.Sprintf("is false and no iam_policy_file is set, so the policy is read from %s, which does not exist", r.path),
			`create that file, set "iam_policy_file" to the name of the policy file in .chalice/, or set "autogen_policy": true`)
		return
	case errors.Is(err, fs.ErrNotExist):
		configDiag(fmt.Sprintf("names %s, which does not exist", r.path), "create the file, or correct the name (it is relative to .chalice/)")
		return
	case err != nil:
		configDiag(fmt.Sprintf("names %s, which cannot be read: %v", r.path, unwrapPathError(err)), "make it a readable file")
		return
	}
	data = trimBOM(data)
	fileDiag := func(off int, keyPath, problem, fix string) {
		d := Diagnostic{File: r.path, KeyPath: keyPath, Problem: problem, Fix: fix, off: off}
		if off >= 0 {
			d.Line, d.Column = lineCol(data, off)
		}
		l.diags = append(l.diags, d)
	}
	root, err := parseTree(data)
	if err != nil {
		var se *syntaxError
		errors.As(err, &se)
		fileDiag(se.off, "", "malformed JSON: "+se.msg, "a policy file holds one JSON policy document (no comments or trailing commas)")
		return
	}
	if root.kind != kindObject {
		fileDiag(root.off, "", "not an IAM policy document: want a JSON object, got "+root.kind.String(),
			`write {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [...], "Resource": [...]}]}`)
		return
	}
	p, err := iam.Parse(data)
	var shape []*iam.ShapeError
	if err != nil {
		shape = shapeErrors(err)
		if len(shape) == 0 {
			fileDiag(-1, "", "not an IAM policy document: "+err.Error(), "")
			return
		}
	} else if r.resource {
		shape = iam.CheckResourcePolicy(p)
	} else {
		shape = iam.CheckIdentityPolicy(p)
	}
	for _, se := range shape {
		fileDiag(-1, se.Path, se.Problem, "")
	}
	if len(shape) == 0 {
		l.policies[r.path] = p
	}
}

// shapeErrors returns the *iam.ShapeError values inside err.
func shapeErrors(err error) []*iam.ShapeError {
	var out []*iam.ShapeError
	var walk func(error)
	walk = func(e error) {
		if se, ok := e.(*iam.ShapeError); ok {
			out = append(out, se)
			return
		}
		if u, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// clonePolicy copies a policy so that callers of Resolve cannot change the
// Config's copy.
func clonePolicy(p *iam.Policy) *iam.Policy {
	if p == nil {
		return nil
	}
	c := *p
	c.Statement = slices.Clone(p.Statement)
	for i, st := range c.Statement {
		st.Action = slices.Clone(st.Action)
		st.NotAction = slices.Clone(st.NotAction)
		st.Resource = slices.Clone(st.Resource)
		st.NotResource = slices.Clone(st.NotResource)
		if st.Condition != nil {
			cond := make(iam.Conditions, len(st.Condition))
			for op, kv := range st.Condition {
				cond[op] = make(map[string]iam.Strings, len(kv))
				for k, v := range kv {
					cond[op][k] = slices.Clone(v)
				}
			}
			st.Condition = cond
		}
		c.Statement[i] = st
	}
	return &c
}

package iam

import "fmt"

// CheckIdentityPolicy returns the problems that make p, a well-formed
// policy, unusable as an identity-based policy (one attached to a role,
// such as a Lambda function's execution role): IAM rejects a Principal or
// NotPrincipal there. It returns nil when there are none.
func CheckIdentityPolicy(p *Policy) []*ShapeError {
	var out []*ShapeError
	for i, st := range p.Statement {
		if st.Principal != nil {
			out = append(out, &ShapeError{
				Path:    fmt.Sprintf("Statement[%d].Principal", i),
				Problem: "not allowed in a role's policy (the role is the principal): remove it",
			})
		}
		if st.NotPrincipal != nil {
			out = append(out, &ShapeError{
				Path:    fmt.Sprintf("Statement[%d].NotPrincipal", i),
				Problem: "not allowed in a role's policy (the role is the principal): remove it",
			})
		}
	}
	return out
}

// CheckResourcePolicy returns the problems that make p, a well-formed
// policy, unusable as a resource-based policy (such as a REST API's
// resource policy): every statement needs a Principal or NotPrincipal. It
// returns nil when there are none.
func CheckResourcePolicy(p *Policy) []*ShapeError {
	var out []*ShapeError
	for i, st := range p.Statement {
		if st.Principal == nil && st.NotPrincipal == nil {
			out = append(out, &ShapeError{
				Path:    fmt.Sprintf("Statement[%d].Principal", i),
				Problem: `missing: a resource policy statement says who it applies to, e.g. "Principal": "*"`,
			})
		}
	}
	return out
}

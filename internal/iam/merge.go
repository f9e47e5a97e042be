package iam

import "encoding/json"

// Merge returns the union of the policies: every statement of each, with
// exact duplicates dropped and Allow statements that differ only in their
// actions (same Resource, no Sid, Principal, NotAction, NotResource or
// Condition) combined into one. The result is canonical (see Canonical).
func Merge(policies ...*Policy) *Policy {
	out := &Policy{Version: Version}
	merged := map[string]int{} // resource key -> index in out.Statement
	seen := map[string]bool{}
	for _, p := range policies {
		if p == nil {
			continue
		}
		for _, st := range p.Canonical().Statement {
			if mergeable(st) {
				rk, _ := json.Marshal(st.Resource)
				if i, ok := merged[string(rk)]; ok {
					out.Statement[i].Action = append(out.Statement[i].Action, st.Action...)
					continue
				}
				merged[string(rk)] = len(out.Statement)
				st.Action = append(Strings(nil), st.Action...)
				out.Statement = append(out.Statement, st)
				continue
			}
			k, _ := json.Marshal(st)
			if seen[string(k)] {
				continue
			}
			seen[string(k)] = true
			out.Statement = append(out.Statement, st)
		}
	}
	return out.Canonical()
}

func mergeable(st Statement) bool {
	return st.Effect == "Allow" && st.Sid == "" && st.Principal == nil && st.NotPrincipal == nil &&
		len(st.NotAction) == 0 && len(st.NotResource) == 0 && len(st.Condition) == 0 && len(st.Action) > 0
}

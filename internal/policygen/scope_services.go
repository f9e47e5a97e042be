package policygen

import "strings"

// hasField says whether the call's input type has a string field name.
func hasField(c *opCall, name string) bool {
	if c.input == nil {
		return false
	}
	st := inputStruct(c.pkg.TypesInfo.TypeOf(c.input))
	if st == nil {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if f := st.Field(i); f.Name() == name {
			return isStringish(f.Type())
		}
	}
	return false
}

// workGroups scopes an Athena call to its work group: an input that
// leaves WorkGroup unset runs in (or lists) the "primary" work group.
func (fb *fnBuilder) workGroups(c *opCall) ([]string, *scopeProblem) {
	names, state, prob := fb.fieldStrings(c, c.in(), "WorkGroup")
	if prob != nil {
		return nil, prob
	}
	if state != fieldSet {
		names = append(names, "primary")
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if !strings.HasPrefix(n, "arn:") {
			out[i] = regional("athena", "workgroup/"+n)
		}
	}
	return uniqueSorted(out), nil
}

// taskDefinitions scopes an ECS call to the task definitions it names:
// a family alone ("worker", RunTask's latest ACTIVE revision, or
// RegisterTaskDefinition's new one) stands for every revision,
// task-definition/worker:*; "worker:3" and an ARN for that revision.
func (fb *fnBuilder) taskDefinitions(c *opCall, action, field string) ([]string, *scopeProblem) {
	names, state, prob := fb.fieldStrings(c, c.in(), field)
	if prob != nil {
		return nil, prob
	}
	if state != fieldSet {
		return nil, fb.notScoped(c, action)
	}
	out := make([]string, len(names))
	for i, n := range names {
		a := n
		if !strings.HasPrefix(n, "arn:") {
			a = regional("ecs", "task-definition/"+n)
		}
		if _, rev, ok := strings.Cut(a, ":task-definition/"); ok && !strings.Contains(rev, ":") {
			a += ":*"
		}
		out[i] = a
	}
	return uniqueSorted(out), nil
}

package policygen

import (
	"fmt"
	"go/ast"
	"sort"
	"strings"

	"github.com/gochalice/gochalice/internal/iam"
)

// fnBuilder assembles the policy of one function.
type fnBuilder struct {
	p      *program
	r      *resolver
	name   string
	env    map[string]string
	grants map[grantKey]map[string]bool // action and condition -> resources
	reason map[string][]Reason
	diags  []Diagnostic
	result *FunctionResult
	// assumed are the calls made with an assumed role's credentials.
	assumed []string
}

func (p *program) function(name string, roots []root, skip map[ast.Node]bool, env map[string]string, source eventSource) *fnBuilder {
	r := newResolver(p, env)
	r.source = source
	fb := &fnBuilder{
		p: p, r: r, name: name, env: env,
		grants: map[grantKey]map[string]bool{}, reason: map[string][]Reason{},
		result: &FunctionResult{Name: name},
	}
	for _, c := range p.reach(roots, skip) {
		fb.call(&c)
	}
	return fb
}

// condition narrows a grant to requests whose condition key has a value
// (StringEquals kms:RequestAlias alias/app-data); the zero condition
// narrows nothing.
type condition struct{ op, key, value string }

// conditions returns c as a statement's Condition, nil for none.
func (c condition) conditions() iam.Conditions {
	if c == (condition{}) {
		return nil
	}
	return iam.Conditions{c.op: {c.key: {c.value}}}
}

// grantKey is what a statement is made of besides its resources: grants
// under different conditions never share a statement.
type grantKey struct {
	action string
	cond   condition
}

// target is a resource a call needs an action on, and the condition IAM
// checks it under.
type target struct {
	arn  string
	cond condition
}

// grant grants action on resources without a condition.
func (fb *fnBuilder) grant(action string, resources []string, r Reason) {
	fb.grantIf(action, condition{}, resources, r)
}

// grantIf grants action on resources under cond.
func (fb *fnBuilder) grantIf(action string, cond condition, resources []string, r Reason) {
	k := grantKey{action, cond}
	if fb.grants[k] == nil {
		fb.grants[k] = map[string]bool{}
	}
	for _, res := range resources {
		fb.grants[k][res] = true
	}
	r.Resources = append([]string(nil), resources...)
	r.Condition = cond.conditions()
	fb.reason[action] = append(fb.reason[action], r)
}

func (fb *fnBuilder) diag(sev Severity, code Code, pos Position, msg, fix string) {
	fb.diags = append(fb.diags, Diagnostic{Pos: pos, Severity: sev, Code: code, Function: fb.name, Message: msg, Fix: fix})
}

// call grants what one SDK call needs.
func (fb *fnBuilder) call(c *opCall) {
	pos := fb.p.position(c.pos)
	reason := Reason{Pos: pos, Operation: c.svc + "." + c.op}
	if !strings.HasSuffix(c.via, "."+c.op) {
		reason.Operation += " (through " + c.via + ")"
	}
	if fb.r.assumesRole(c) {
		// The assumed role's policy allows it (or not): nothing for
		// this role to grant.
		fb.assumed = append(fb.assumed, pos.String()+": "+c.svc+"."+c.op)
		return
	}
	actions, known := fb.p.table.Operation(c.svc, c.op)
	if !known {
		// A service newer than gochalice's data: most sign with their
		// package's name, which is then their IAM prefix.
		if a, ok := fb.p.table.Derive(c.svc, c.op); ok {
			actions = []string{a}
		}
	}
	if len(actions) == 0 {
		why := "has no IAM action in AWS's published action list that gochalice can match to it"
		if prefix, ok := fb.p.table.Service(c.svc); ok && prefix == "" {
			why = "belongs to a service that IAM does not authorise by action (it uses bearer tokens or has no IAM prefix)"
		} else if !ok {
			why = "belongs to a service gochalice's data does not know"
		}
		fb.diag(Error, CodeNoAction, pos, fmt.Sprintf("%s.%s %s; the policy does not allow it", c.svc, c.op, why),
			"find the action in the Service Authorization Reference (https://docs.aws.amazon.com/service-authorization/latest/reference/) and add it in a statement of iam_policy_file next to autogen_policy (gen-policy --main: add it to the printed policy); please report the missing mapping (internal/policygen/internal/awsdata/overrides.txt)")
		return
	}
	if c.svc == "dynamodb" {
		switch c.op {
		case "TransactWriteItems", "TransactGetItems":
			fb.transaction(c, reason)
			return
		case "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction":
			fb.partiQL(c, reason, actions)
			return
		}
	}
	for _, a := range actions {
		fb.scoped(c, a, reason)
	}
}

// scoped grants action for c on the resources the call names.
func (fb *fnBuilder) scoped(c *opCall, action string, reason Reason) {
	rts, _ := fb.p.table.ResourceTypes(action)
	if len(rts) == 0 {
		fb.grant(action, []string{"*"}, reason)
		return
	}
	targets, prob := fb.scopeTargets(c, action)
	if prob != nil {
		fb.diag(Warning, prob.code, prob.pos, prob.msg, prob.fix)
		targets = []target{{arn: "*"}}
	}
	regions := fb.r.clientRegions(c)
	byCond := map[condition][]string{}
	for _, t := range targets {
		if regions == nil {
			byCond[t.cond] = append(byCond[t.cond], t.arn)
			continue
		}
		// A client made for another region than the function's.
		for _, reg := range regions {
			if reg == "" {
				reg = Region
			}
			byCond[t.cond] = append(byCond[t.cond], strings.Replace(t.arn, ":"+Region+":", ":"+reg+":", 1))
		}
	}
	conds := make([]condition, 0, len(byCond))
	for cond := range byCond {
		conds = append(conds, cond)
	}
	sort.Slice(conds, func(i, j int) bool { return conds[i].less(conds[j]) })
	for _, cond := range conds {
		fb.grantIf(action, cond, uniqueSorted(byCond[cond]), reason)
	}
}

func (c condition) less(d condition) bool {
	if c.op != d.op {
		return c.op < d.op
	}
	if c.key != d.key {
		return c.key < d.key
	}
	return c.value < d.value
}

func transactKinds() []struct{ field, action string } {
	return []struct{ field, action string }{
		{"ConditionCheck", "dynamodb:ConditionCheckItem"},
		{"Delete", "dynamodb:DeleteItem"},
		{"Get", "dynamodb:GetItem"},
		{"Put", "dynamodb:PutItem"},
		{"Update", "dynamodb:UpdateItem"},
	}
}

// transaction grants the per-item actions of TransactWriteItems and
// TransactGetItems, narrowed to the item kinds the call's items use.
func (fb *fnBuilder) transaction(c *opCall, reason Reason) {
	all, _ := fb.p.table.Operation(c.svc, c.op)
	fallback := func(bad *unresolved) {
		prob := fb.unresolvedProblem(c, "TransactItems", bad)
		fb.diag(Warning, prob.code, prob.pos, prob.msg+" and every item action is granted", prob.fix)
		for _, a := range all {
			fb.grant(a, []string{"*"}, reason)
		}
	}
	lists, bad := fb.r.field(c.in(), "TransactItems")
	if bad != nil {
		fallback(bad)
		return
	}
	for _, l := range lists.vals {
		items, bad := fb.r.elements(l)
		if bad != nil {
			fallback(bad)
			return
		}
		for _, it := range items {
			for _, k := range transactKinds() {
				sub, bad := fb.r.field(it, k.field)
				if bad != nil {
					fallback(bad)
					return
				}
				for _, s := range sub.vals {
					item := *c
					item.pkg, item.input, item.bind = s.pkg, s.e, s.bind
					fb.scoped(&item, k.action, reason)
				}
			}
		}
	}
}

// partiQL grants the PartiQL action of each statement's verb on its table.
func (fb *fnBuilder) partiQL(c *opCall, reason Reason, all []string) {
	fallback := func(prob *scopeProblem) {
		fb.diag(Warning, prob.code, prob.pos, prob.msg+" and every PartiQL action is granted", prob.fix)
		for _, a := range all {
			fb.grant(a, []string{"*"}, reason)
		}
	}
	var stmts []located
	switch c.op {
	case "ExecuteStatement":
		stmts = []located{c.in()}
	default:
		field := "Statements"
		if c.op == "ExecuteTransaction" {
			field = "TransactStatements"
		}
		lists, bad := fb.r.field(c.in(), field)
		if bad != nil {
			fallback(fb.unresolvedProblem(c, field, bad))
			return
		}
		for _, l := range lists.vals {
			els, bad := fb.r.elements(l)
			if bad != nil {
				fallback(fb.unresolvedProblem(c, field, bad))
				return
			}
			stmts = append(stmts, els...)
		}
	}
	for _, st := range stmts {
		texts, set, prob := fb.fieldStrings(c, st, "Statement")
		if prob != nil {
			fallback(prob)
			return
		}
		if set == fieldUnset {
			continue
		}
		for _, text := range texts {
			action, table, ok := parsePartiQL(text)
			if !ok {
				fallback(&scopeProblem{code: CodeUnresolved, pos: fb.p.position(c.pos), msg: fmt.Sprintf("%s.%s: cannot read the PartiQL statement %q, so the statement's resource is \"*\"", c.svc, c.op, text), fix: "write the statement as SELECT/INSERT/UPDATE/DELETE on a quoted table name"})
				return
			}
			res := table
			if !strings.HasPrefix(res, "arn:") {
				res = regional("dynamodb", "table/"+table)
			}
			fb.grant(action, []string{res}, reason)
		}
	}
}

// parsePartiQL reads the verb and table of a PartiQL statement.
func parsePartiQL(s string) (action, table string, ok bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return "", "", false
	}
	var tableWord string
	switch strings.ToUpper(f[0]) {
	case "SELECT":
		action, tableWord = "dynamodb:PartiQLSelect", "FROM"
	case "INSERT":
		action, tableWord = "dynamodb:PartiQLInsert", "INTO"
	case "UPDATE":
		action, table = "dynamodb:PartiQLUpdate", f[1]
	case "DELETE":
		action, tableWord = "dynamodb:PartiQLDelete", "FROM"
	default:
		return "", "", false
	}
	if tableWord != "" {
		for i := 0; i+1 < len(f); i++ {
			if strings.EqualFold(f[i], tableWord) {
				table = f[i+1]
				break
			}
		}
	}
	table = strings.Trim(table, `"`)
	if table == "" {
		return "", "", false
	}
	// "Table"."Index" reads an index.
	if t, idx, found := strings.Cut(table, `"."`); found {
		return action, t + "/index/" + idx, action == "dynamodb:PartiQLSelect"
	}
	return action, table, true
}

// finish builds the policy: actions with the same resources and
// condition share a statement, actions that take only "*" get their own,
// and extra user statements are merged in.
func (fb *fnBuilder) finish(extra *iam.Policy) {
	pol := fb.policy()
	if extra != nil {
		pol = iam.Merge(pol, extra)
		for _, st := range extra.Statement {
			for _, a := range st.Action {
				fb.reason[a] = append(fb.reason[a], Reason{Operation: "iam_policy_file", Resources: st.Resource, Condition: st.Condition})
			}
		}
	}
	fb.result.Policy = pol.Canonical()
	for a, rs := range fb.reason {
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Pos.File != rs[j].Pos.File {
				return rs[i].Pos.File < rs[j].Pos.File
			}
			if rs[i].Pos.Line != rs[j].Pos.Line {
				return rs[i].Pos.Line < rs[j].Pos.Line
			}
			if rs[i].Operation != rs[j].Operation {
				return rs[i].Operation < rs[j].Operation
			}
			return conditionString(rs[i].Condition) < conditionString(rs[j].Condition)
		})
		fb.reason[a] = dedupeReasons(rs)
	}
	fb.result.Explain = fb.reason
	fb.result.Diagnostics = dedupeDiagnostics(fb.diags)
	if len(fb.assumed) > 0 {
		fb.result.Notes = append(fb.result.Notes, "made with the credentials of a role the code assumes (stscreds), so that role's policy must allow them, not this one: "+strings.Join(uniqueSorted(fb.assumed), ", "))
	}
}

// policy is the policy of the grants so far.
func (fb *fnBuilder) policy() *iam.Policy {
	type group struct {
		key       string
		onlyStar  bool
		resources []string
		actions   []string
		cond      condition
	}
	groups := map[string]*group{}
	for gk, set := range fb.grants {
		action := gk.action
		var res []string
		if set["*"] {
			res = []string{"*"}
		} else {
			for r := range set {
				res = append(res, r)
			}
			sort.Strings(res)
		}
		rts, _ := fb.p.table.ResourceTypes(action)
		onlyStar := len(rts) == 0
		key := fmt.Sprintf("%v %q %q", onlyStar, res, gk.cond)
		g := groups[key]
		if g == nil {
			g = &group{key: key, onlyStar: onlyStar, resources: res, cond: gk.cond}
			groups[key] = g
		}
		g.actions = append(g.actions, action)
	}
	pol := &iam.Policy{Version: iam.Version}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		g := groups[k]
		pol.Statement = append(pol.Statement, iam.Statement{Effect: "Allow", Action: g.actions, Resource: g.resources, Condition: g.cond.conditions()})
	}
	return pol.Canonical()
}

// noCalls is the note for code that reaches no AWS call: not wrong, but
// also what a missed analysis looks like, so the user hears it.
func noCalls(what string) Diagnostic {
	return Diagnostic{Severity: Info, Code: CodeNoCalls,
		Message: what + " reaches no AWS SDK call, so the policies hold only what every function needs (its log group, its event source)",
		Fix:     "if the code does call AWS, add the statements in iam_policy_file next to autogen_policy, and please report the code that gen-policy missed"}
}
func dedupeReasons(rs []Reason) []Reason {
	var out []Reason
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].Pos == r.Pos && out[n-1].Operation == r.Operation &&
			conditionString(out[n-1].Condition) == conditionString(r.Condition) {
			out[n-1].Resources = uniqueSorted(append(out[n-1].Resources, r.Resources...))
			continue
		}
		out = append(out, r)
	}
	return out
}

func dedupeDiagnostics(ds []Diagnostic) []Diagnostic {
	sortDiagnostics(ds)
	var out []Diagnostic
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}

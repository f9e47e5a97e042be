package deployer

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Action is what a plan does to one resource.
type Action int

// The actions of a plan.
const (
	NoOp Action = iota
	Create
	Update
	// Replace deletes the resource and creates it again, for a change AWS
	// cannot make in place (an event source mapping's source).
	Replace
	Delete
)

// String returns "no-op", "create", "update", "replace" or "delete".
func (a Action) String() string {
	switch a {
	case NoOp:
		return "no-op"
	case Create:
		return "create"
	case Update:
		return "update"
	case Replace:
		return "replace"
	case Delete:
		return "delete"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Symbol returns the action's one-glance mark: " ", "+", "~", "-/+", "-".
func (a Action) Symbol() string {
	return [...]string{" ", "+", "~", "-/+", "-"}[a]
}

// MarshalText writes the action as its String form.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// AttrDiff is one attribute that a change sets or changes.
type AttrDiff struct {
	Attribute string `json:"attribute"`
	// Before is "" for a create.
	Before string `json:"before"`
	// After is "" for a delete.
	After string `json:"after"`
}

// Change is what a plan does to one resource.
type Change struct {
	Address string       `json:"address"`
	Type    ResourceType `json:"type"`
	Name    string       `json:"name"`
	Action  Action       `json:"action"`
	// Note explains the change: where a role's policy comes from, or that
	// an existing resource is adopted.
	Note  string     `json:"note,omitempty"`
	Diffs []AttrDiff `json:"diffs,omitempty"`
	// Desired is the resource as it should be; nil for a delete.
	Desired *Resource `json:"-"`
	// Prior is the resource as it exists; nil for a create.
	Prior *ResourceState `json:"-"`
}

// Plan is the changes that make AWS match a desired state: a plain value,
// made without I/O.
type Plan struct {
	App    string `json:"app"`
	Stage  string `json:"stage"`
	Target Target `json:"target"`
	// Changes are in creation order (deletes run in reverse dependency
	// order whatever their place here), no-ops included.
	Changes  []Change `json:"changes"`
	Warnings []string `json:"warnings,omitempty"`
	// Prior is the state the plan was made against.
	Prior *State `json:"-"`
	// Desired is what the plan makes true; nil for a destroy.
	Desired *Desired `json:"-"`
	// APIStage is the REST API's stage.
	APIStage string `json:"api_stage,omitempty"`
}

// Counts returns how many changes of each action p has.
func (p *Plan) Counts() map[Action]int {
	out := map[Action]int{}
	for _, c := range p.Changes {
		out[c.Action]++
	}
	return out
}

// HasChanges reports whether applying p would change anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != NoOp {
			return true
		}
	}
	return false
}

// PlanChanges diffs a desired state against what exists (a refreshed
// state; nil when nothing exists).
func PlanChanges(d *Desired, actual *State) *Plan {
	if actual == nil {
		actual = NewState(d.App, d.Stage, d.Target)
	}
	p := &Plan{App: d.App, Stage: d.Stage, Target: d.Target, Warnings: slices.Clone(d.Warnings), Prior: actual, Desired: d, APIStage: d.APIStage}
	seen := map[string]bool{}
	for i := range d.Resources {
		r := &d.Resources[i]
		seen[r.Address] = true
		want := r.Attributes(actual)
		c := Change{Address: r.Address, Type: r.Type, Name: r.Name, Desired: r, Note: r.Note}
		prior, ok := actual.Resources[r.Address]
		if !ok {
			c.Action = Create
			for _, k := range slices.Sorted(maps.Keys(want)) {
				c.Diffs = append(c.Diffs, AttrDiff{Attribute: k, After: want[k]})
			}
			p.Changes = append(p.Changes, c)
			continue
		}
		c.Prior = &prior
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if have := prior.Attributes[k]; have != want[k] || want[k] == KnownAfterApply {
				c.Diffs = append(c.Diffs, AttrDiff{Attribute: k, Before: have, After: want[k]})
			}
		}
		k, _ := kindOf(r.Type)
		switch {
		case len(c.Diffs) == 0:
			c.Action = NoOp
		case slices.ContainsFunc(c.Diffs, func(d AttrDiff) bool { return slices.Contains(k.replace, d.Attribute) }):
			c.Action = Replace
		default:
			c.Action = Update
		}
		if prior.Unrecorded {
			c.Note = strings.TrimPrefix(c.Note+"; ", "; ") + "exists in AWS under this app's name but was not recorded: adopted"
		}
		p.Changes = append(p.Changes, c)
	}
	for _, addr := range actual.Addresses() {
		if seen[addr] {
			continue
		}
		prior := actual.Resources[addr]
		p.Changes = append(p.Changes, deleteChange(addr, prior))
	}
	sortChanges(p.Changes)
	return p
}

// PlanDestroy plans the deletion of everything in actual.
func PlanDestroy(actual *State) *Plan {
	p := &Plan{App: actual.App, Stage: actual.Stage, Target: actual.Target, Prior: actual}
	for _, addr := range actual.Addresses() {
		p.Changes = append(p.Changes, deleteChange(addr, actual.Resources[addr]))
	}
	sortChanges(p.Changes)
	return p
}

func deleteChange(addr string, prior ResourceState) Change {
	c := Change{Address: addr, Type: prior.Type, Name: prior.Name, Action: Delete, Prior: &prior}
	if prior.Unrecorded {
		c.Note = "not recorded (left by an interrupted deploy): found in AWS by this app stage's name and tags"
	}
	for _, k := range slices.Sorted(maps.Keys(prior.Attributes)) {
		c.Diffs = append(c.Diffs, AttrDiff{Attribute: k, Before: prior.Attributes[k]})
	}
	return c
}

func sortChanges(cs []Change) {
	slices.SortStableFunc(cs, func(a, b Change) int {
		if ra, rb := rank(a.Type), rank(b.Type); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Address, b.Address)
	})
}

// Attributes returns the values of r that plans compare (its kind's).
// Values that depend on other resources are read from actual; those not
// known yet are KnownAfterApply.
func (r *Resource) Attributes(actual *State) map[string]string {
	k, ok := kindOf(r.Type)
	if !ok {
		return nil
	}
	return k.attributes(r, actual)
}

// itoaOr formats *n, or returns def for nil.
func itoaOr(n *int, def string) string {
	if n == nil {
		return def
	}
	return itoa(*n)
}

func responseTypes(report bool) string {
	if report {
		return "ReportBatchItemFailures"
	}
	return ""
}

func jsonString(v map[string]string) string {
	if len(v) == 0 {
		return "{}"
	}
	data, _ := json.Marshal(v) // map keys are sorted
	return string(data)
}

func jsonList(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	data, _ := json.Marshal(v)
	return string(data)
}

func sortedCopy(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

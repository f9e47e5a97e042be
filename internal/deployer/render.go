package deployer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WritePlan writes p for people: one block per change with its action
// mark, address, physical name, note and attribute diffs, then a summary.
// Unchanged resources are listed on one line each.
func WritePlan(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan for app %s, stage %s, in %s (account %s):\n", p.App, p.Stage, p.Target.Region, p.Target.Account)
	for _, c := range p.Changes {
		if c.Action == NoOp {
			fmt.Fprintf(&b, "\n    %s (%s %s): unchanged\n", c.Address, c.Type, c.Name)
			continue
		}
		fmt.Fprintf(&b, "\n%3s %s (%s %s): %s\n", c.Action.Symbol(), c.Address, c.Type, c.Name, c.Action)
		if c.Note != "" {
			fmt.Fprintf(&b, "      # %s\n", c.Note)
		}
		for _, d := range c.Diffs {
			switch c.Action {
			case Create:
				fmt.Fprintf(&b, "      %s = %s\n", d.Attribute, display(d.After, 8))
			case Delete:
				fmt.Fprintf(&b, "      %s = %s\n", d.Attribute, display(d.Before, 8))
			default:
				fmt.Fprintf(&b, "      %s: %s -> %s\n", d.Attribute, display(d.Before, 8), display(d.After, 8))
			}
		}
	}
	n := p.Counts()
	fmt.Fprintf(&b, "\nPlan: %d to create, %d to update, %d to replace, %d to delete, %d unchanged.\n",
		n[Create], n[Update], n[Replace], n[Delete], n[NoOp])
	for _, wmsg := range p.Warnings {
		fmt.Fprintf(&b, "\nWARNING: %s\n", wmsg)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// display formats an attribute value: "" as (none), a JSON object or
// array longer than a line indented on lines of its own.
func display(v string, indent int) string {
	if v == "" {
		return "(none)"
	}
	if len(v) > 60 && (v[0] == '{' || v[0] == '[') {
		var buf bytes.Buffer
		if err := json.Indent(&buf, []byte(v), strings.Repeat(" ", indent-2), "  "); err == nil {
			return buf.String()
		}
	}
	return v
}

// MarshalPlan returns p as indented JSON with a trailing newline.
func MarshalPlan(p *Plan) ([]byte, error) {
	type summary struct {
		Create  int `json:"create"`
		Update  int `json:"update"`
		Replace int `json:"replace"`
		Delete  int `json:"delete"`
		NoOp    int `json:"no_op"`
	}
	n := p.Counts()
	out := struct {
		*Plan
		Summary summary `json:"summary"`
	}{p, summary{n[Create], n[Update], n[Replace], n[Delete], n[NoOp]}}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

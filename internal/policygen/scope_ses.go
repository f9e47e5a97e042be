package policygen

import (
	"net/mail"
	"strings"
)

// SES's sending operations name their sending identity in these fields:
// an identity ARN (sending authorisation), or the address it sends from.
var (
	sesIdentityARNFields = []string{"SourceArn", "FromArn", "FromEmailAddressIdentityArn", "BounceSenderArn"}
	sesAddressFields     = []string{"Source", "FromEmailAddress", "BounceSender"}
)

// sesSend scopes an SES (v1 or v2) sending operation. SES authorises it on
// the identity it sends as, which is the From address when that address
// is verified and its domain when only the domain is: both identity ARNs.
// A configuration set and a template the call names are resources of the
// action too.
func (fb *fnBuilder) sesSend(c *opCall, action string) ([]string, *scopeProblem) {
	t := fb.p.table
	in := c.in()
	identities, prob := fb.sesIdentities(c)
	if prob != nil {
		return nil, prob
	}
	if len(identities) == 0 {
		// SendRawEmail without Source: the From header of the message.
		return nil, fb.notScoped(c, action)
	}
	out := identities
	if t.Accepts(action, "configuration-set") {
		names, state, prob := fb.fieldStrings(c, in, "ConfigurationSetName")
		if prob != nil {
			return nil, prob
		}
		if state != fieldUnset {
			for _, n := range names {
				out = append(out, regional("ses", "configuration-set/"+n))
			}
		}
	}
	if t.Accepts(action, "template") {
		tmpls, found, prob := fb.sesTemplates(c)
		if prob != nil {
			return nil, prob
		}
		if !found && fb.requires(action, "template") {
			return nil, fb.notScoped(c, action)
		}
		out = append(out, tmpls...)
	}
	return uniqueSorted(out), nil
}

// sesIdentities returns the identity ARNs a sending call may send as.
func (fb *fnBuilder) sesIdentities(c *opCall) ([]string, *scopeProblem) {
	in := c.in()
	for _, f := range sesIdentityARNFields {
		if !hasField(c, f) {
			continue
		}
		arns, state, prob := fb.fieldStrings(c, in, f)
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			return arns, nil
		}
		// Some paths send as the address: add it below.
		for _, g := range sesAddressFields {
			if !hasField(c, g) {
				continue
			}
			more, prob := fb.sesAddressIdentities(c, g)
			if prob != nil {
				return nil, prob
			}
			return append(arns, more...), nil
		}
		return nil, nil
	}
	for _, f := range sesAddressFields {
		if hasField(c, f) {
			return fb.sesAddressIdentities(c, f)
		}
	}
	return nil, nil
}

// sesAddressIdentities returns the identities of the From addresses in
// field: each address and its domain.
func (fb *fnBuilder) sesAddressIdentities(c *opCall, field string) ([]string, *scopeProblem) {
	addrs, state, prob := fb.fieldStrings(c, c.in(), field)
	if prob != nil {
		return nil, prob
	}
	if state != fieldSet {
		return nil, nil
	}
	var out []string
	for _, a := range addrs {
		if parsed, err := mail.ParseAddress(a); err == nil {
			a = parsed.Address // "Reports <noreply@example.com>"
		}
		a = strings.TrimSpace(a)
		out = append(out, regional("ses", "identity/"+a))
		if _, domain, ok := strings.Cut(a, "@"); ok && domain != "" {
			out = append(out, regional("ses", "identity/"+domain))
		}
	}
	return out, nil
}

// sesTemplates returns the template ARNs a call names: v1's TemplateArn
// or Template, v2's Content.Template or DefaultContent.Template
// (TemplateArn or TemplateName); found says whether it names one.
func (fb *fnBuilder) sesTemplates(c *opCall) (arns []string, found bool, prob *scopeProblem) {
	in := c.in()
	type holder struct {
		at     located
		fields []string
	}
	var holders []holder
	if hasField(c, "Template") {
		holders = append(holders, holder{in, []string{"TemplateArn", "Template"}})
	}
	for _, content := range []string{"Content", "DefaultContent"} {
		if !hasStructField(c, content) {
			continue
		}
		cv, bad := fb.r.field(in, content)
		if bad != nil {
			return nil, false, fb.unresolvedProblem(c, content, bad)
		}
		for _, v := range cv.vals {
			tv, bad := fb.r.field(v, "Template")
			if bad != nil {
				return nil, false, fb.unresolvedProblem(c, content+".Template", bad)
			}
			for _, t := range tv.vals {
				holders = append(holders, holder{t, []string{"TemplateArn", "TemplateName"}})
			}
		}
	}
	for _, h := range holders {
		for _, f := range h.fields {
			vals, state, prob := fb.fieldStrings(c, h.at, f)
			if prob != nil {
				return nil, false, prob
			}
			if state == fieldUnset {
				continue
			}
			found = true
			for _, v := range vals {
				if !strings.HasPrefix(v, "arn:") {
					v = regional("ses", "template/"+v)
				}
				arns = append(arns, v)
			}
			break
		}
	}
	return arns, found, nil
}

// requires says whether action needs a resource of type rt.
func (fb *fnBuilder) requires(action, rt string) bool {
	rts, _ := fb.p.table.ResourceTypes(action)
	for _, r := range rts {
		if r == rt+"!" {
			return true
		}
	}
	return false
}

// hasStructField says whether the call's input type has a field name (of
// any type).
func hasStructField(c *opCall, name string) bool {
	if c.input == nil {
		return false
	}
	st := inputStruct(c.pkg.TypesInfo.TypeOf(c.input))
	if st == nil {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if st.Field(i).Name() == name {
			return true
		}
	}
	return false
}

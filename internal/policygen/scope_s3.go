package policygen

import (
	"go/ast"
	"go/token"
	"go/types"
	"net/url"
	"strings"

	"golang.org/x/tools/go/packages"
)

// pattern is a string the analysis knows exactly, or only the beginning
// of (open: any text may follow).
type pattern struct {
	s    string
	open bool
}

// arn returns the pattern as an IAM resource: an open one ends in "*".
func (p pattern) arn() string {
	if p.open {
		return p.s + "*"
	}
	return p.s
}

const maxPatterns = 16

// patterns resolves a string expression to what the analysis knows of
// it: its values, or, where part of it is not known, the constant text
// before that part ("daily/" + name is "daily/" and then anything). A
// value with no known beginning is unresolved.
func (fb *fnBuilder) patterns(c *opCall, l located, field string) ([]pattern, *scopeProblem) {
	var bad *unresolved
	var pats []pattern
	fb.r.under(l.bind, func() { pats, bad = fb.patterns1(l.pkg, l.e, 0) })
	if bad != nil {
		return nil, fb.unresolvedProblem(c, field, bad)
	}
	for _, p := range pats {
		if p.s == "" && p.open {
			if _, bad := fb.r.strAt(l); bad != nil {
				return nil, fb.unresolvedProblem(c, field, bad)
			}
			return nil, fb.unresolvedProblem(c, field, &unresolved{pos: l.e.Pos(), why: describe(l.e) + ", which has no constant beginning"})
		}
	}
	return pats, nil
}

func (fb *fnBuilder) patterns1(pkg *packages.Package, e ast.Expr, depth int) ([]pattern, *unresolved) {
	if e == nil || pkg == nil || depth > 8 {
		return []pattern{{open: true}}, nil
	}
	syms, bad := fb.r.str(pkg, e)
	if bad == nil {
		out := make([]pattern, 0, len(syms))
		for _, s := range syms {
			v, missing := s.eval(fb.env)
			if len(missing) > 0 {
				// The known beginning of a value with an unset variable.
				var pre strings.Builder
				for _, p := range s {
					if p.env != "" {
						break
					}
					pre.WriteString(p.lit)
				}
				out = append(out, pattern{s: pre.String(), open: true})
				continue
			}
			out = append(out, pattern{s: v})
		}
		return out, nil
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return fb.patterns1(pkg, x.X, depth+1)
	case *ast.StarExpr:
		return fb.patterns1(pkg, x.X, depth+1)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return fb.patterns1(pkg, x.X, depth+1)
		}
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			break
		}
		left, bad := fb.patterns1(pkg, x.X, depth+1)
		if bad != nil {
			return nil, bad
		}
		right, bad := fb.patterns1(pkg, x.Y, depth+1)
		if bad != nil {
			right = []pattern{{open: true}}
		}
		var out []pattern
		for _, a := range left {
			if a.open {
				out = append(out, a)
				continue
			}
			for _, b := range right {
				out = append(out, pattern{s: a.s + b.s, open: b.open})
			}
		}
		return limitPatterns(out), nil
	case *ast.CallExpr:
		fn := calleeFunc(pkg.TypesInfo, x)
		if fn == nil || fn.Pkg() == nil || len(x.Args) == 0 {
			break
		}
		switch fn.Pkg().Path() + "." + fn.Name() {
		case "github.com/aws/aws-sdk-go-v2/aws.String", "github.com/aws/aws-sdk-go-v2/aws.ToString",
			"github.com/aws/smithy-go/ptr.String", "github.com/aws/smithy-go/ptr.ToString":
			return fb.patterns1(pkg, x.Args[0], depth+1)
		case "fmt.Sprintf":
			return fb.sprintfPatterns(pkg, x, depth)
		}
	case *ast.Ident:
		v, ok := pkg.TypesInfo.Uses[x].(*types.Var)
		if !ok {
			break
		}
		if _, isParam := fb.p.paramOf[v]; isParam {
			break
		}
		vals := fb.p.assigns[v]
		if len(vals) == 0 {
			break
		}
		var out []pattern
		for _, val := range vals {
			if val == nil {
				return []pattern{{open: true}}, nil
			}
			pats, bad := fb.patterns1(fb.r.pkgOf(val, pkg), val, depth+1)
			if bad != nil {
				return nil, bad
			}
			out = append(out, pats...)
		}
		return limitPatterns(out), nil
	}
	return []pattern{{open: true}}, nil
}

// sprintfPatterns resolves fmt.Sprintf with a constant format up to its
// first argument the analysis does not know.
func (fb *fnBuilder) sprintfPatterns(pkg *packages.Package, call *ast.CallExpr, depth int) ([]pattern, *unresolved) {
	formats, bad := fb.r.str(pkg, call.Args[0])
	if bad != nil || len(formats) != 1 || len(formats[0]) != 1 || formats[0][0].env != "" {
		return []pattern{{open: true}}, nil
	}
	format, args := formats[0][0].lit, call.Args[1:]
	out := []pattern{{}}
	for format != "" {
		i := strings.IndexByte(format, '%')
		if i < 0 || i+1 >= len(format) {
			return appendPatterns(out, []pattern{{s: format, open: i >= 0}}), nil
		}
		out = appendPatterns(out, []pattern{{s: format[:i]}})
		verb := format[i+1]
		format = format[i+2:]
		if verb == '%' {
			out = appendPatterns(out, []pattern{{s: "%"}})
			continue
		}
		if verb != 's' && verb != 'v' || len(args) == 0 {
			return appendPatterns(out, []pattern{{open: true}}), nil
		}
		arg, err := fb.patterns1(pkg, args[0], depth+1)
		if err != nil {
			arg = []pattern{{open: true}}
		}
		args = args[1:]
		out = appendPatterns(out, arg)
	}
	return limitPatterns(out), nil
}

// appendPatterns appends each of b to each of a.
func appendPatterns(a, b []pattern) []pattern {
	var out []pattern
	for _, x := range a {
		if x.open {
			out = append(out, x)
			continue
		}
		for _, y := range b {
			out = append(out, pattern{s: x.s + y.s, open: y.open})
		}
	}
	return limitPatterns(out)
}

// limitPatterns keeps a pattern list small: past maxPatterns, their common
// beginning.
func limitPatterns(ps []pattern) []pattern {
	if len(ps) <= maxPatterns {
		return ps
	}
	prefix := ps[0].s
	for _, p := range ps[1:] {
		for !strings.HasPrefix(p.s, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	return []pattern{{s: prefix, open: true}}
}

// objectKeys returns the key patterns of an S3 call's Key: "*" when the
// key is unset on some path or has no known beginning.
func (fb *fnBuilder) objectKeys(c *opCall) []string {
	kv, bad := fb.r.field(c.in(), "Key")
	if bad != nil || len(kv.vals) == 0 || kv.unset {
		return []string{"*"}
	}
	var out []string
	for _, l := range kv.vals {
		if l.pkg == nil {
			return []string{"*"}
		}
		pats, prob := fb.patterns(c, l, "Key")
		if prob != nil {
			return []string{"*"}
		}
		for _, p := range pats {
			out = append(out, p.arn())
		}
	}
	return uniqueSorted(out)
}

// copySources scopes the read of a CopyObject or UploadPartCopy: the
// object CopySource names ("bucket/key", URL-encoded, perhaps
// "?versionId=..."; or an access point's object ARN).
func (fb *fnBuilder) copySources(c *opCall, action string) ([]string, *scopeProblem) {
	sv, bad := fb.r.field(c.in(), "CopySource")
	if bad != nil {
		return nil, fb.unresolvedProblem(c, "CopySource", bad)
	}
	if len(sv.vals) == 0 {
		return nil, fb.notScoped(c, action)
	}
	var out []string
	for _, l := range sv.vals {
		if l.pkg == nil {
			return nil, fb.unresolvedProblem(c, "CopySource", &unresolved{why: "a value the analysis cannot follow"})
		}
		pats, prob := fb.patterns(c, l, "CopySource")
		if prob != nil {
			return nil, prob
		}
		for _, p := range pats {
			res, ok := copySourceARN(p)
			if !ok {
				return nil, fb.unresolvedProblem(c, "CopySource", &unresolved{pos: l.e.Pos(), why: describe(l.e) + ", whose bucket is not known"})
			}
			out = append(out, res)
		}
	}
	return uniqueSorted(out), nil
}

// copySourceARN returns the object ARN of a CopySource pattern.
func copySourceARN(p pattern) (string, bool) {
	s := strings.TrimPrefix(p.s, "/")
	if !p.open {
		s, _, _ = strings.Cut(s, "?versionId=")
	}
	if strings.HasPrefix(s, "arn:") {
		return pattern{s: s, open: p.open}.arn(), strings.Contains(s, "/object/") || !p.open
	}
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	} else if i := strings.LastIndexByte(s, '%'); p.open && i >= 0 {
		// An escape cut off by the unknown part.
		if d, err := url.PathUnescape(s[:i]); err == nil {
			s = d
		}
	}
	bucket, key, ok := strings.Cut(s, "/")
	if !ok || bucket == "" {
		return "", false
	}
	return pattern{s: "arn:" + Partition + ":s3:::" + bucket + "/" + key, open: p.open}.arn(), true
}

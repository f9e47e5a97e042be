package policygen

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"
)

// part is a piece of a string the analysis knows symbolically: a literal,
// or the value of an environment variable.
type part struct {
	lit string
	env string // non-empty: os.Getenv(env)
}

// sym is a string made of parts.
type sym []part

// eval returns the string s is under env, or the variables env lacks.
func (s sym) eval(env map[string]string) (string, []string) {
	var b strings.Builder
	var missing []string
	for _, p := range s {
		if p.env == "" {
			b.WriteString(p.lit)
			continue
		}
		v, ok := env[p.env]
		if !ok || v == "" {
			missing = append(missing, p.env)
			continue
		}
		b.WriteString(v)
	}
	return b.String(), missing
}

// unresolved says why a value is not known.
type unresolved struct {
	pos token.Pos
	why string
}

// located is an expression with the package whose type information
// describes it.
type located struct {
	pkg *packages.Package
	e   ast.Expr
}

const maxSyms = 16

// resolver follows string values through constants, os.Getenv,
// variables, struct fields, function parameters and results, string
// concatenation and fmt.Sprintf, flow-insensitively over the analysed code.
type resolver struct {
	p    *program
	memo map[ast.Expr]resolved
	busy map[ast.Expr]bool
}

type resolved struct {
	syms []sym
	bad  *unresolved
}

func newResolver(p *program) *resolver {
	return &resolver{p: p, memo: map[ast.Expr]resolved{}, busy: map[ast.Expr]bool{}}
}

func (r *resolver) pkgOf(e ast.Expr, fallback *packages.Package) *packages.Package {
	if pkg := r.p.pkgAt(e.Pos()); pkg != nil {
		return pkg
	}
	return fallback
}

// str resolves a string (or *string) expression.
func (r *resolver) str(pkg *packages.Package, e ast.Expr) ([]sym, *unresolved) {
	if e == nil {
		return nil, &unresolved{why: "a value the analysis cannot follow"}
	}
	if res, ok := r.memo[e]; ok {
		return res.syms, res.bad
	}
	if r.busy[e] {
		return nil, &unresolved{pos: e.Pos(), why: "a value that depends on itself"}
	}
	r.busy[e] = true
	syms, bad := r.str1(pkg, e)
	delete(r.busy, e)
	if len(syms) > maxSyms {
		syms, bad = nil, &unresolved{pos: e.Pos(), why: "too many possible values"}
	}
	r.memo[e] = resolved{syms, bad}
	return syms, bad
}

func (r *resolver) str1(pkg *packages.Package, e ast.Expr) ([]sym, *unresolved) {
	info := pkg.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil && tv.Value.Kind() == constant.String {
		return []sym{{{lit: constant.StringVal(tv.Value)}}}, nil
	}
	switch x := e.(type) {
	case *ast.ParenExpr:
		return r.str(pkg, x.X)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return r.str(pkg, x.X)
		}
	case *ast.StarExpr:
		return r.str(pkg, x.X)
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			a, bad := r.str(pkg, x.X)
			if bad != nil {
				return nil, bad
			}
			b, bad := r.str(pkg, x.Y)
			if bad != nil {
				return nil, bad
			}
			var out []sym
			for _, s := range a {
				for _, t := range b {
					out = append(out, concat(s, t))
				}
			}
			return out, nil
		}
	case *ast.CallExpr:
		return r.call(pkg, x)
	case *ast.Ident:
		return r.object(pkg, x, info.Uses[x])
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[x]; ok {
			if sel.Kind() == types.FieldVal {
				return r.exprs(r.p.fields[sel.Obj().(*types.Var)], x, "field "+sel.Obj().Name())
			}
			break
		}
		return r.object(pkg, x, info.Uses[x.Sel])
	}
	return nil, &unresolved{pos: e.Pos(), why: fmt.Sprintf("%s, which is not a constant or an environment variable", describe(e))}
}

func (r *resolver) exprs(es []ast.Expr, at ast.Expr, what string) ([]sym, *unresolved) {
	if len(es) == 0 {
		return nil, &unresolved{pos: at.Pos(), why: what + ", which is never set in the analysed code"}
	}
	var out []sym
	for _, v := range es {
		if v == nil {
			return nil, &unresolved{pos: at.Pos(), why: what + ", which is set from a value the analysis cannot follow"}
		}
		syms, bad := r.str(r.pkgOf(v, nil), v)
		if bad != nil {
			return nil, bad
		}
		out = appendSyms(out, syms)
	}
	return out, nil
}

func (r *resolver) object(pkg *packages.Package, at ast.Expr, obj types.Object) ([]sym, *unresolved) {
	v, ok := obj.(*types.Var)
	if !ok {
		return nil, &unresolved{pos: at.Pos(), why: describe(at) + ", which is not a constant or an environment variable"}
	}
	if ref, isParam := r.p.paramOf[v]; isParam {
		return r.param(at, v, ref)
	}
	return r.exprs(r.p.assigns[v], at, "variable "+v.Name())
}

// param resolves a parameter from the arguments of every static call of
// its function. Methods and functions used as values may be called from
// places the index does not see, so their parameters are not followed.
func (r *resolver) param(at ast.Expr, v *types.Var, ref paramRef) ([]sym, *unresolved) {
	sig := ref.fn.Type().(*types.Signature)
	if sig.Recv() != nil || r.p.escapes[ref.fn] {
		return nil, &unresolved{pos: at.Pos(), why: fmt.Sprintf("parameter %s of %s, which may be called from code the analysis does not follow", v.Name(), ref.fn.Name())}
	}
	var args []ast.Expr
	for _, cs := range r.p.callers[ref.fn] {
		if ref.idx < len(cs.call.Args) {
			args = append(args, cs.call.Args[ref.idx])
		}
	}
	if len(args) == 0 {
		return nil, &unresolved{pos: at.Pos(), why: fmt.Sprintf("parameter %s of %s, which no analysed code calls (a handler's input is not known before run time)", v.Name(), ref.fn.Name())}
	}
	return r.exprs(args, at, fmt.Sprintf("parameter %s of %s", v.Name(), ref.fn.Name()))
}

func (r *resolver) call(pkg *packages.Package, call *ast.CallExpr) ([]sym, *unresolved) {
	info := pkg.TypesInfo
	if tv, ok := info.Types[call.Fun]; ok && tv.IsType() && len(call.Args) == 1 {
		return r.str(pkg, call.Args[0]) // string(x)
	}
	fn := calleeFunc(info, call)
	if fn == nil || fn.Pkg() == nil {
		return nil, &unresolved{pos: call.Pos(), why: describe(call) + ", which is not a constant or an environment variable"}
	}
	switch fn.Pkg().Path() + "." + fn.Name() {
	case "os.Getenv", "os.LookupEnv":
		names, bad := r.str(pkg, call.Args[0])
		if bad != nil || len(names) != 1 || len(names[0]) != 1 || names[0][0].env != "" {
			return nil, &unresolved{pos: call.Pos(), why: "os.Getenv of a name that is not a constant"}
		}
		return []sym{{{env: names[0][0].lit}}}, nil
	case "github.com/aws/aws-sdk-go-v2/aws.String", "github.com/aws/aws-sdk-go-v2/aws.ToString",
		"github.com/aws/smithy-go/ptr.String", "github.com/aws/smithy-go/ptr.ToString",
		"strings.TrimSpace":
		return r.str(pkg, call.Args[0])
	case "fmt.Sprintf":
		return r.sprintf(pkg, call)
	}
	// A function of the analysed code: its results.
	if d := r.p.decls[fn]; d != nil && d.Body != nil {
		var results []ast.Expr
		ast.Inspect(d.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				if len(n.Results) > 0 {
					// A nil result (an error path) names no resource.
					if tv, ok := r.p.declPkg[fn].TypesInfo.Types[n.Results[0]]; ok && tv.IsNil() {
						return true
					}
					results = append(results, n.Results[0])
				} else {
					results = append(results, nil)
				}
			}
			return true
		})
		return r.exprs(results, call, "the result of "+fn.Name())
	}
	return nil, &unresolved{pos: call.Pos(), why: "the result of " + shortFuncName(fn) + ", which is not a constant or an environment variable"}
}

func (r *resolver) sprintf(pkg *packages.Package, call *ast.CallExpr) ([]sym, *unresolved) {
	formats, bad := r.str(pkg, call.Args[0])
	if bad != nil || len(formats) != 1 || len(formats[0]) != 1 || formats[0][0].env != "" {
		return nil, &unresolved{pos: call.Pos(), why: "fmt.Sprintf with a format that is not a constant"}
	}
	format := formats[0][0].lit
	args := call.Args[1:]
	out := []sym{{}}
	for format != "" {
		i := strings.IndexByte(format, '%')
		if i < 0 {
			out = concatAll(out, sym{{lit: format}})
			break
		}
		out = concatAll(out, sym{{lit: format[:i]}})
		if i+1 >= len(format) {
			return nil, &unresolved{pos: call.Pos(), why: "a fmt.Sprintf format the analysis does not read"}
		}
		verb := format[i+1]
		format = format[i+2:]
		switch verb {
		case '%':
			out = concatAll(out, sym{{lit: "%"}})
		case 's', 'v', 'd':
			if len(args) == 0 {
				return nil, &unresolved{pos: call.Pos(), why: "fmt.Sprintf with too few arguments"}
			}
			a := args[0]
			args = args[1:]
			if tv, ok := pkg.TypesInfo.Types[a]; ok && tv.Value != nil && tv.Value.Kind() == constant.Int {
				out = concatAll(out, sym{{lit: tv.Value.ExactString()}})
				continue
			}
			syms, bad := r.str(pkg, a)
			if bad != nil {
				return nil, bad
			}
			var next []sym
			for _, s := range out {
				for _, t := range syms {
					next = append(next, concat(s, t))
				}
			}
			out = next
		default:
			return nil, &unresolved{pos: call.Pos(), why: "a fmt.Sprintf verb %" + string(verb) + " the analysis does not read"}
		}
	}
	return out, nil
}

func concat(a, b sym) sym {
	out := append(sym(nil), a...)
	for _, p := range b {
		if p.env == "" && len(out) > 0 && out[len(out)-1].env == "" {
			out[len(out)-1].lit += p.lit
			continue
		}
		out = append(out, p)
	}
	return out
}

func concatAll(a []sym, b sym) []sym {
	out := make([]sym, len(a))
	for i, s := range a {
		out[i] = concat(s, b)
	}
	return out
}

func appendSyms(out, add []sym) []sym {
	for _, s := range add {
		dup := false
		for _, o := range out {
			if symEqual(o, s) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}

func symEqual(a, b sym) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// field returns the expressions stored in the named field of a struct (or
// pointer to struct) value: the key of a composite literal, assignments
// to v.Field of a variable v, and so on through variables, parameters and
// results. set is false when the value is known and lacks the field.
func (r *resolver) field(pkg *packages.Package, e ast.Expr, name string, depth int) (vals []located, bad *unresolved) {
	if e == nil {
		return nil, &unresolved{why: "the input is not passed at the call"}
	}
	if depth > 6 {
		return nil, &unresolved{pos: e.Pos(), why: "the input is built too far from the call"}
	}
	info := pkg.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return r.field(pkg, x.X, name, depth+1)
		}
	case *ast.StarExpr:
		return r.field(pkg, x.X, name, depth+1)
	case *ast.CompositeLit:
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
					return []located{{pkg, kv.Value}}, nil
				}
			}
		}
		return nil, nil
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			break
		}
		var srcs []ast.Expr
		if ref, isParam := r.p.paramOf[v]; isParam {
			if ref.fn.Type().(*types.Signature).Recv() != nil || r.p.escapes[ref.fn] {
				return nil, &unresolved{pos: e.Pos(), why: fmt.Sprintf("the input comes from parameter %s of %s, which may be called from code the analysis does not follow", v.Name(), ref.fn.Name())}
			}
			for _, cs := range r.p.callers[ref.fn] {
				if ref.idx < len(cs.call.Args) {
					srcs = append(srcs, cs.call.Args[ref.idx])
				}
			}
		} else {
			srcs = r.p.assigns[v]
		}
		for _, s := range srcs {
			if s == nil {
				return nil, &unresolved{pos: e.Pos(), why: "the input " + v.Name() + " is set from a value the analysis cannot follow"}
			}
			got, bad := r.field(r.pkgOf(s, pkg), s, name, depth+1)
			if bad != nil {
				return nil, bad
			}
			vals = append(vals, got...)
		}
		for _, s := range r.p.varField[varField{v, name}] {
			if s == nil {
				return nil, &unresolved{pos: e.Pos(), why: "the field " + name + " is set from a value the analysis cannot follow"}
			}
			vals = append(vals, located{r.pkgOf(s, pkg), s})
		}
		return vals, nil
	case *ast.CallExpr:
		if fn := calleeFunc(info, x); fn != nil {
			if d := r.p.decls[fn]; d != nil && d.Body != nil {
				dpkg := r.p.declPkg[fn]
				var bad *unresolved
				ast.Inspect(d.Body, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.FuncLit:
						return false
					case *ast.ReturnStmt:
						if len(n.Results) > 0 && bad == nil {
							got, b := r.field(dpkg, n.Results[0], name, depth+1)
							vals, bad = append(vals, got...), b
						}
					}
					return true
				})
				return vals, bad
			}
		}
	}
	return nil, &unresolved{pos: e.Pos(), why: "the input is " + describe(e) + ", which the analysis does not follow"}
}

// elements returns the elements of a slice value.
func (r *resolver) elements(pkg *packages.Package, e ast.Expr, depth int) ([]located, *unresolved) {
	if depth > 6 {
		return nil, &unresolved{pos: e.Pos(), why: "a list built too far from the call"}
	}
	info := pkg.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		var out []located
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				el = kv.Value
			}
			out = append(out, located{pkg, el})
		}
		return out, nil
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok || r.p.paramOf[v].fn != nil {
			break
		}
		var out []located
		for _, s := range r.p.assigns[v] {
			if s == nil {
				return nil, &unresolved{pos: e.Pos(), why: "the list " + v.Name() + " is set from a value the analysis cannot follow"}
			}
			got, bad := r.elements(r.pkgOf(s, pkg), s, depth+1)
			if bad != nil {
				return nil, bad
			}
			out = append(out, got...)
		}
		return out, nil
	case *ast.CallExpr:
		if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && id.Name == "append" {
			if _, isBuiltin := info.Uses[id].(*types.Builtin); isBuiltin && len(x.Args) > 0 {
				out, bad := r.elements(pkg, x.Args[0], depth+1)
				if bad != nil {
					return nil, bad
				}
				if x.Ellipsis.IsValid() {
					return nil, &unresolved{pos: e.Pos(), why: "a list appended with ..."}
				}
				for _, a := range x.Args[1:] {
					out = append(out, located{pkg, a})
				}
				return out, nil
			}
		}
	}
	return nil, &unresolved{pos: e.Pos(), why: "a list (" + describe(e) + ") the analysis does not follow"}
}

// keys returns the keys of a map value.
func (r *resolver) keys(pkg *packages.Package, e ast.Expr, depth int) ([]located, *unresolved) {
	if depth > 6 {
		return nil, &unresolved{pos: e.Pos(), why: "a map built too far from the call"}
	}
	info := pkg.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		var out []located
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				out = append(out, located{pkg, kv.Key})
			}
		}
		return out, nil
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok || r.p.paramOf[v].fn != nil {
			break
		}
		var out []located
		for _, s := range r.p.assigns[v] {
			if s == nil {
				return nil, &unresolved{pos: e.Pos(), why: "the map " + v.Name() + " is set from a value the analysis cannot follow"}
			}
			if call, ok := ast.Unparen(s).(*ast.CallExpr); ok {
				if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok && id.Name == "make" {
					continue
				}
			}
			// Retrying a batch's unprocessed part names the same tables.
			if sel, ok := ast.Unparen(s).(*ast.SelectorExpr); ok && (sel.Sel.Name == "UnprocessedKeys" || sel.Sel.Name == "UnprocessedItems") {
				continue
			}
			got, bad := r.keys(r.pkgOf(s, pkg), s, depth+1)
			if bad != nil {
				return nil, bad
			}
			out = append(out, got...)
		}
		for _, k := range r.p.mapKeys[v] {
			out = append(out, located{r.pkgOf(k, pkg), k})
		}
		return out, nil
	}
	return nil, &unresolved{pos: e.Pos(), why: "a map (" + describe(e) + ") the analysis does not follow"}
}

// describe renders a short form of an expression for messages.
func describe(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return describe(x.X) + "." + x.Sel.Name
	case *ast.CallExpr:
		return describe(x.Fun) + "(...)"
	case *ast.StarExpr:
		return "*" + describe(x.X)
	case *ast.UnaryExpr:
		return x.Op.String() + describe(x.X)
	case *ast.ParenExpr:
		return describe(x.X)
	case *ast.IndexExpr:
		return describe(x.X) + "[...]"
	case *ast.BasicLit:
		return x.Value
	case *ast.CompositeLit:
		return "a composite literal"
	}
	return strconv.Quote(fmt.Sprintf("%T", e))
}

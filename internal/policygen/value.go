package policygen

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/gochalice/gochalice/manifest"
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
		if r, reserved := lambdaReserved[p.env]; reserved {
			// Lambda sets these itself and refuses them in a function's
			// configuration.
			v, ok = r, true
		}
		if !ok || v == "" {
			missing = append(missing, p.env)
			continue
		}
		b.WriteString(v)
	}
	return b.String(), missing
}

// lambdaReserved are the environment variables Lambda sets in every
// function that name a resource's place: its region.
var lambdaReserved = map[string]string{"AWS_REGION": Region, "AWS_DEFAULT_REGION": Region}

// unresolved says why a value is not known.
type unresolved struct {
	pos token.Pos
	why string
}

// located is an expression with the package whose type information
// describes it, and the calls it is evaluated under (see binding).
type located struct {
	pkg  *packages.Package
	e    ast.Expr
	bind []binding
}

// binding is a call being evaluated: while the resolver follows the
// results of a call of fn, fn's parameters are that call's arguments, so
// mustEnv("TABLE") and mustEnv("QUEUE_URL") resolve to one variable each.
type binding struct {
	fn   *types.Func
	pkg  *packages.Package // the caller's
	args []ast.Expr
	bind []binding // the caller's own bindings
}

const (
	maxSyms     = 16
	maxBindings = 8
)

// under evaluates f with the resolver's bindings set to bind.
func (r *resolver) under(bind []binding, f func()) {
	saved := r.bind
	r.bind = bind
	defer func() { r.bind = saved }()
	f()
}

// at returns e located in pkg under the current bindings.
func (r *resolver) at(pkg *packages.Package, e ast.Expr) located {
	return located{pkg: pkg, e: e, bind: r.bind}
}

// strAt resolves a located string expression.
func (r *resolver) strAt(l located) (syms []sym, bad *unresolved) {
	r.under(l.bind, func() { syms, bad = r.str(l.pkg, l.e) })
	return syms, bad
}

// resolver follows string values through constants, os.Getenv,
// variables, struct fields, function parameters and results, string
// concatenation and fmt.Sprintf, flow-insensitively over the analysed code.
type resolver struct {
	p      *program
	env    map[string]string     // the function's environment
	source eventSource           // what the manifest says of the function's events
	memo   map[ast.Expr]resolved // values found with no binding
	busy   map[ast.Expr]bool
	bind   []binding // innermost last
	// callers caches, per concrete method, the call sites of the
	// interface methods it implements.
	callers map[*types.Func]methodCallers
}

type methodCallers struct {
	sites []callSite
	open  bool // it implements an interface of code the analysis does not read
}

type resolved struct {
	syms []sym
	bad  *unresolved
}

func newResolver(p *program, env map[string]string) *resolver {
	return &resolver{p: p, env: env, memo: map[ast.Expr]resolved{}, busy: map[ast.Expr]bool{}, callers: map[*types.Func]methodCallers{}}
}

// returnsWhenSet recognises "if v != "" { ...; return ... }" (also
// `"" != v`, `len(v) > 0`, and `if v, ok := os.LookupEnv(k); ok`) and
// returns v: the statements after it run only when v is empty.
func returnsWhenSet(st ast.Stmt) ast.Expr {
	is, ok := st.(*ast.IfStmt)
	if !ok || is.Else != nil || len(is.Body.List) == 0 {
		return nil
	}
	if _, ok := is.Body.List[len(is.Body.List)-1].(*ast.ReturnStmt); !ok {
		return nil
	}
	isEmpty := func(e ast.Expr) bool {
		lit, ok := ast.Unparen(e).(*ast.BasicLit)
		return ok && lit.Kind == token.STRING && (lit.Value == `""` || lit.Value == "``")
	}
	switch c := ast.Unparen(is.Cond).(type) {
	case *ast.BinaryExpr:
		switch {
		case c.Op == token.NEQ && isEmpty(c.Y):
			return c.X
		case c.Op == token.NEQ && isEmpty(c.X):
			return c.Y
		case c.Op == token.GTR:
			if call, ok := ast.Unparen(c.X).(*ast.CallExpr); ok && len(call.Args) == 1 {
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "len" {
					if lit, ok := ast.Unparen(c.Y).(*ast.BasicLit); ok && lit.Value == "0" {
						return call.Args[0]
					}
				}
			}
		}
	case *ast.Ident:
		// if v, ok := os.LookupEnv(k); ok
		if as, ok := is.Init.(*ast.AssignStmt); ok && len(as.Lhs) == 2 {
			if id, ok := as.Lhs[1].(*ast.Ident); ok && id.Name == c.Name {
				return as.Lhs[0]
			}
		}
	}
	return nil
}

// setInEnv reports whether e is a string the function's environment sets
// to a non-empty value on every path.
func (r *resolver) setInEnv(pkg *packages.Package, e ast.Expr) bool {
	syms, bad := r.str(pkg, e)
	if bad != nil || len(syms) == 0 {
		return false
	}
	for _, s := range syms {
		v, missing := s.eval(r.env)
		if len(missing) > 0 || v == "" {
			return false
		}
	}
	return true
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
	if res, ok := r.memo[e]; ok && len(r.bind) == 0 {
		return res.syms, res.bad
	}
	if r.busy[e] || len(r.bind) > maxBindings {
		return nil, &unresolved{pos: e.Pos(), why: "a value that depends on itself"}
	}
	r.busy[e] = true
	syms, bad := r.str1(pkg, e)
	delete(r.busy, e)
	if len(syms) > maxSyms {
		syms, bad = nil, &unresolved{pos: e.Pos(), why: "too many possible values"}
	}
	if len(r.bind) == 0 {
		r.memo[e] = resolved{syms, bad}
	}
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
				if r.source.bucket != "" && isEventField(sel, "S3Bucket", "Name") {
					// Lambda gives the function events of the one bucket
					// it is subscribed to.
					return []sym{{{lit: r.source.bucket}}}, nil
				}
				if syms, ok := r.queueURLOutput(pkg, x, sel); ok {
					return syms, nil
				}
				if syms, ok := r.receiverField(pkg, x); ok {
					return syms, nil
				}
				return r.exprs(r.p.fields[sel.Obj().(*types.Var)], x, "field "+sel.Obj().Name())
			}
			break
		}
		return r.object(pkg, x, info.Uses[x.Sel])
	}
	return nil, &unresolved{pos: e.Pos(), why: fmt.Sprintf("%s, which is not a constant or an environment variable", describe(e))}
}

func (r *resolver) exprs(es []ast.Expr, at ast.Expr, what string) ([]sym, *unresolved) {
	ls := make([]located, len(es))
	for i, v := range es {
		if v != nil {
			ls[i] = r.at(r.pkgOf(v, nil), v)
		}
	}
	return r.locatedStrs(ls, at, what)
}

func (r *resolver) locatedStrs(ls []located, at ast.Expr, what string) ([]sym, *unresolved) {
	if len(ls) == 0 {
		return nil, &unresolved{pos: at.Pos(), why: what + ", which is never set in the analysed code"}
	}
	var out []sym
	for _, l := range ls {
		if l.e == nil || l.pkg == nil {
			return nil, &unresolved{pos: at.Pos(), why: what + ", which is set from a value the analysis cannot follow"}
		}
		syms, bad := r.strAt(l)
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

// queueURLOutput resolves out.QueueUrl where out is the result of
// sqs GetQueueUrl: the queue is the one the call names (QueueName), which
// the SQS statements take as a name.
func (r *resolver) queueURLOutput(pkg *packages.Package, x *ast.SelectorExpr, sel *types.Selection) ([]sym, bool) {
	if sel.Obj().Name() != "QueueUrl" {
		return nil, false
	}
	t := sel.Recv()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path()+"."+n.Obj().Name() != servicePrefix+"sqs.GetQueueUrlOutput" {
		return nil, false
	}
	id, ok := ast.Unparen(x.X).(*ast.Ident)
	if !ok {
		return nil, false
	}
	v, ok := pkg.TypesInfo.Uses[id].(*types.Var)
	if !ok || len(r.p.assigns[v]) == 0 {
		return nil, false
	}
	var out []sym
	for _, a := range r.p.assigns[v] {
		call, ok := ast.Unparen(a).(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return nil, false
		}
		apkg := r.pkgOf(call, pkg)
		if fn := calleeFunc(apkg.TypesInfo, call); fn == nil || fn.Name() != "GetQueueUrl" || !isSDK(pkgPath(fn)) {
			return nil, false
		}
		if owner, bad := r.field(r.at(apkg, call.Args[1]), "QueueOwnerAWSAccountId"); bad != nil || len(owner.vals) > 0 {
			return nil, false // another account's queue: not ours to name
		}
		fv, bad := r.field(r.at(apkg, call.Args[1]), "QueueName")
		if bad != nil || fv.unset || len(fv.vals) == 0 {
			return nil, false
		}
		for _, l := range fv.vals {
			syms, bad := r.strAt(l)
			if bad != nil {
				return nil, false
			}
			out = appendSyms(out, syms)
		}
	}
	return out, true
}

// clientRegions returns the regions the client of call c can be made
// for, when the code sets them as constants (config.WithRegion given to
// LoadDefaultConfig, through <svc>.NewFromConfig): "" stands for the
// function's own region. nil when only its own, or not known.
func (r *resolver) clientRegions(c *opCall) []string {
	if c.recv == nil {
		return nil
	}
	regions := map[string]bool{}
	if !r.regionOf(c.pkg, c.recv, 0, regions) || len(regions) == 0 || len(regions) == 1 && regions[""] {
		return nil
	}
	out := make([]string, 0, len(regions))
	for reg := range regions {
		out = append(out, reg)
	}
	sort.Strings(out)
	return out
}

// regionOf adds to regions the region every value e (a client or an
// aws.Config) can hold is made for; "" for the function's own. It is
// false when a value cannot be followed.
func (r *resolver) regionOf(pkg *packages.Package, e ast.Expr, depth int, regions map[string]bool) bool {
	if depth > 6 || pkg == nil || e == nil {
		return false
	}
	e = ast.Unparen(e)
	var vals []ast.Expr
	var set []ast.Expr // Region fields assigned on the value
	switch x := e.(type) {
	case *ast.UnaryExpr:
		return x.Op == token.AND && r.regionOf(pkg, x.X, depth+1, regions)
	case *ast.StarExpr:
		return r.regionOf(pkg, x.X, depth+1, regions)
	case *ast.Ident, *ast.SelectorExpr:
		if id, isIdent := x.(*ast.Ident); isIdent {
			if v, ok := pkg.TypesInfo.Uses[id].(*types.Var); ok {
				set = r.p.varField[varField{v, "Region"}]
			}
		}
		var ok bool
		if vals, ok = r.p.stored(pkg, x); !ok {
			return false
		}
	case *ast.CallExpr:
		fn := calleeFunc(pkg.TypesInfo, x)
		if fn == nil {
			return false
		}
		switch {
		case fn.FullName() == "github.com/aws/aws-sdk-go-v2/config.LoadDefaultConfig":
			region := ""
			for _, opt := range x.Args[1:] {
				oc, ok := ast.Unparen(opt).(*ast.CallExpr)
				if !ok {
					return false
				}
				ofn := calleeFunc(pkg.TypesInfo, oc)
				if ofn == nil {
					return false
				}
				if ofn.FullName() == "github.com/aws/aws-sdk-go-v2/config.WithRegion" && len(oc.Args) == 1 {
					got, ok := r.constantString(pkg, oc.Args[0])
					if !ok {
						return false
					}
					region = got
				}
			}
			regions[region] = true
			return true
		case fn.Name() == "NewFromConfig" && strings.HasPrefix(pkgPath(fn), servicePrefix) && len(x.Args) >= 1:
			if len(x.Args) > 1 {
				return false // options may set the region: not followed
			}
			return r.regionOf(pkg, x.Args[0], depth+1, regions)
		case r.p.decls[fn] != nil && r.p.decls[fn].Body != nil:
			dpkg := r.p.declPkg[fn]
			okAll := true
			found := false
			ast.Inspect(r.p.decls[fn].Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.FuncLit:
					return false
				case *ast.ReturnStmt:
					if len(n.Results) > 0 {
						if tv, ok := dpkg.TypesInfo.Types[n.Results[0]]; ok && tv.IsNil() {
							return true
						}
						found = true
						okAll = okAll && r.regionOf(dpkg, n.Results[0], depth+1, regions)
					}
				}
				return true
			})
			return found && okAll
		}
		return false
	case *ast.CompositeLit:
		// aws.Config{Region: ...} or a struct holding a client.
		return false
	default:
		return false
	}
	if len(vals) == 0 || len(set) > 0 {
		// cfg.Region = ... : not followed (order matters).
		return false
	}
	for _, v := range vals {
		if v == nil || !r.regionOf(r.pkgOf(v, pkg), v, depth+1, regions) {
			return false
		}
	}
	return true
}

// assumesRole reports whether every client call c can be made on signs
// with credentials of a role the code assumes (stscreds: cfg.Credentials
// set to an assume-role provider, or config.WithCredentialsProvider of
// one given to LoadDefaultConfig): that role authorises the call, not the
// function's.
func (r *resolver) assumesRole(c *opCall) bool {
	return c.recv != nil && r.assumed(c.pkg, c.recv, 0)
}

func (r *resolver) assumed(pkg *packages.Package, e ast.Expr, depth int) bool {
	if depth > 6 || pkg == nil || e == nil {
		return false
	}
	e = ast.Unparen(e)
	var vals []ast.Expr
	switch x := e.(type) {
	case *ast.UnaryExpr:
		return x.Op == token.AND && r.assumed(pkg, x.X, depth+1)
	case *ast.Ident, *ast.SelectorExpr:
		if id, isIdent := x.(*ast.Ident); isIdent {
			if v, ok := pkg.TypesInfo.Uses[id].(*types.Var); ok {
				if sets := r.p.varField[varField{v, "Credentials"}]; len(sets) > 0 {
					for _, s := range sets {
						if s == nil || !callsAssumeRole(r.pkgOf(s, pkg), s) {
							return false
						}
					}
					return true
				}
			}
		}
		var ok bool
		if vals, ok = r.p.stored(pkg, x); !ok {
			return false
		}
	case *ast.CallExpr:
		fn := calleeFunc(pkg.TypesInfo, x)
		if fn == nil {
			return false
		}
		switch {
		case fn.FullName() == "github.com/aws/aws-sdk-go-v2/config.LoadDefaultConfig":
			for _, opt := range x.Args[1:] {
				if oc, ok := ast.Unparen(opt).(*ast.CallExpr); ok {
					if ofn := calleeFunc(pkg.TypesInfo, oc); ofn != nil && ofn.FullName() == "github.com/aws/aws-sdk-go-v2/config.WithCredentialsProvider" && callsAssumeRole(pkg, oc) {
						return true
					}
				}
			}
			return false
		case fn.Name() == "NewFromConfig" && strings.HasPrefix(pkgPath(fn), servicePrefix) && len(x.Args) >= 1:
			return r.assumed(pkg, x.Args[0], depth+1)
		}
		return false
	}
	if len(vals) == 0 {
		return false
	}
	for _, v := range vals {
		if v == nil || !r.assumed(r.pkgOf(v, pkg), v, depth+1) {
			return false
		}
	}
	return true
}

// callsAssumeRole reports whether e calls one of stscreds' assume-role
// credential providers.
func callsAssumeRole(pkg *packages.Package, e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok && pkg != nil {
			if fn := calleeFunc(pkg.TypesInfo, call); fn != nil && pkgPath(fn) == "github.com/aws/aws-sdk-go-v2/credentials/stscreds" &&
				(fn.Name() == "NewAssumeRoleProvider" || fn.Name() == "NewWebIdentityRoleProvider") {
				found = true
			}
		}
		return !found
	})
	return found
}

// constantString resolves e to one string without environment variables.
func (r *resolver) constantString(pkg *packages.Package, e ast.Expr) (string, bool) {
	syms, bad := r.str(pkg, e)
	if bad != nil || len(syms) != 1 {
		return "", false
	}
	v, missing := syms[0].eval(r.env)
	return v, len(missing) == 0 && v != ""
}

// eventSource is what the manifest says of the events a function gets.
type eventSource struct {
	bucket string // an S3 event function's bucket (a name)
}

func sourceOf(f manifest.Function) eventSource {
	var s eventSource
	if f.Kind == manifest.KindS3 && f.S3 != nil && !strings.HasPrefix(f.S3.Bucket, "arn:") {
		s.bucket = f.S3.Bucket
	}
	return s
}

// isEventField reports whether sel selects field of aws-lambda-go's
// events.<typ>.
func isEventField(sel *types.Selection, typ, field string) bool {
	if sel.Obj().Name() != field {
		return false
	}
	t := sel.Recv()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "github.com/aws/aws-lambda-go/events" && n.Obj().Name() == typ
}

// receiverField resolves recv.f, a field of a method's receiver, from the
// receivers of the method's calls: repo.Get on a repo made with table
// "users" reads "users", even where another value of the same type holds
// another table. ok is false (the caller then takes every value the field
// is ever set to) when any call's receiver cannot be followed, or the
// method is also called through an interface or used as a value.
func (r *resolver) receiverField(pkg *packages.Package, x *ast.SelectorExpr) ([]sym, bool) {
	id, ok := ast.Unparen(x.X).(*ast.Ident)
	if !ok {
		return nil, false
	}
	v, ok := pkg.TypesInfo.Uses[id].(*types.Var)
	if !ok {
		return nil, false
	}
	m := r.p.recvOf[v]
	if m == nil || r.p.escapes[m] || len(r.methodCallers(m).sites) > 0 {
		return nil, false
	}
	if f, ok := pkg.TypesInfo.Selections[x].Obj().(*types.Var); !ok || r.p.fieldAssigned[f.Origin()] || r.p.addrTaken[f] || r.p.addrTaken[f.Origin()] {
		// Set after construction (a setter, x.f = v): the receivers'
		// construction does not tell.
		return nil, false
	}
	sites := r.p.callers[m]
	if len(sites) == 0 {
		return nil, false
	}
	var out []sym
	for _, site := range sites {
		sel, ok := ast.Unparen(site.call.Fun).(*ast.SelectorExpr)
		if !ok {
			return nil, false
		}
		if ix, ok := ast.Unparen(sel.X).(*ast.Ident); ok && site.pkg.TypesInfo.Uses[ix] == types.Object(v) {
			return nil, false // the method calls itself on its receiver
		}
		fv, bad := r.field1(site.pkg, sel.X, x.Sel.Name, 0)
		if bad != nil || fv.unset || len(fv.vals) == 0 {
			return nil, false
		}
		for _, l := range fv.vals {
			syms, bad := r.strAt(l)
			if bad != nil {
				return nil, false
			}
			out = appendSyms(out, syms)
		}
	}
	return out, true
}

// param resolves a parameter: under a binding of its function, from that
// call's argument; otherwise from the arguments of every call of its
// function the analysed code makes (for a method, calls through the
// interfaces it implements too). A function used as a value, or a method
// of an interface of code the analysis does not read, may be called from
// places the index does not see, so its parameters are not followed.
func (r *resolver) param(at ast.Expr, v *types.Var, ref paramRef) ([]sym, *unresolved) {
	args, bad := r.paramArgs(at, v, ref)
	if bad != nil {
		return nil, bad
	}
	return r.locatedStrs(args, at, fmt.Sprintf("parameter %s of %s", v.Name(), ref.fn.Name()))
}

// paramArgs returns the values a parameter may hold.
func (r *resolver) paramArgs(at ast.Expr, v *types.Var, ref paramRef) ([]located, *unresolved) {
	for i := len(r.bind) - 1; i >= 0; i-- {
		b := r.bind[i]
		if b.fn != ref.fn {
			continue
		}
		if ref.idx >= len(b.args) {
			break
		}
		return []located{{pkg: b.pkg, e: b.args[ref.idx], bind: b.bind}}, nil
	}
	sites := r.p.callers[ref.fn]
	if r.p.escapes[ref.fn] {
		return nil, &unresolved{pos: at.Pos(), why: fmt.Sprintf("parameter %s of %s, which is used as a value and may be called from code the analysis does not follow", v.Name(), ref.fn.Name())}
	}
	if ref.fn.Type().(*types.Signature).Recv() != nil {
		mc := r.methodCallers(ref.fn)
		if mc.open {
			return nil, &unresolved{pos: at.Pos(), why: fmt.Sprintf("parameter %s of %s, a method that code the analysis does not read may call", v.Name(), ref.fn.Name())}
		}
		sites = append(append([]callSite(nil), sites...), mc.sites...)
	}
	var args []located
	for _, cs := range sites {
		if ref.idx < len(cs.call.Args) {
			args = append(args, located{pkg: cs.pkg, e: cs.call.Args[ref.idx]})
		}
	}
	if len(args) == 0 {
		return nil, &unresolved{pos: at.Pos(), why: fmt.Sprintf("parameter %s of %s, which no analysed code calls (a handler's input is not known before run time)", v.Name(), ref.fn.Name())}
	}
	return args, nil
}

// methodCallers returns the calls, through interfaces, that may reach the
// concrete method m.
func (r *resolver) methodCallers(m *types.Func) methodCallers {
	if mc, ok := r.callers[m]; ok {
		return mc
	}
	var mc methodCallers
	recv := m.Type().(*types.Signature).Recv().Type()
	if _, isPtr := recv.(*types.Pointer); !isPtr {
		recv = types.NewPointer(recv)
	}
	for fn, sites := range r.p.callers {
		sig := fn.Type().(*types.Signature)
		if fn.Name() != m.Name() || sig.Recv() == nil {
			continue
		}
		it, ok := sig.Recv().Type().Underlying().(*types.Interface)
		if !ok || !types.Implements(recv, it) {
			continue
		}
		if fn.Pkg() != nil && r.p.byTypes[fn.Pkg()] == nil {
			mc.open = true
		}
		mc.sites = append(mc.sites, sites...)
	}
	sort.Slice(mc.sites, func(i, j int) bool { return mc.sites[i].call.Pos() < mc.sites[j].call.Pos() })
	r.callers[m] = mc
	return mc
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
		var syms []sym
		var bad *unresolved
		b := binding{fn: fn, pkg: pkg, args: call.Args, bind: r.bind}
		r.under(append(r.bind[:len(r.bind):len(r.bind)], b), func() {
			// Results past "if v != "" { return v }" are defaults, used
			// only when v is empty: none when the environment sets it.
			var guard ast.Expr
			for _, st := range d.Body.List {
				if guard != nil && r.setInEnv(r.p.declPkg[fn], guard) {
					break
				}
				ast.Inspect(st, func(n ast.Node) bool {
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
				if g := returnsWhenSet(st); g != nil {
					guard = g
				}
			}
			syms, bad = r.exprs(results, call, "the result of "+fn.Name())
		})
		return syms, bad
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

// fieldVals is what a struct field may hold at a call: the expressions
// stored in it, and whether some path leaves it unset.
type fieldVals struct {
	vals  []located
	unset bool
}

func (f *fieldVals) add(g fieldVals) {
	f.vals = append(f.vals, g.vals...)
	f.unset = f.unset || g.unset
}

// field returns what the named field of a struct (or pointer to struct)
// value may hold: the key of a composite literal, assignments to v.Field
// of a variable v, and so on through variables, parameters and results.
// The field is unset on some path when a literal lacks it and no
// assignment in the block that declares the variable sets it.
func (r *resolver) field(l located, name string) (fieldVals, *unresolved) {
	var out fieldVals
	var bad *unresolved
	r.under(l.bind, func() { out, bad = r.field1(l.pkg, l.e, name, 0) })
	return out, bad
}

func (r *resolver) field1(pkg *packages.Package, e ast.Expr, name string, depth int) (out fieldVals, bad *unresolved) {
	if e == nil || pkg == nil {
		return out, &unresolved{why: "the input is not passed at the call"}
	}
	if depth > 8 {
		return out, &unresolved{pos: e.Pos(), why: "the input is built too far from the call"}
	}
	info := pkg.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return r.field1(pkg, x.X, name, depth+1)
		}
	case *ast.StarExpr:
		return r.field1(pkg, x.X, name, depth+1)
	case *ast.CompositeLit:
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				if id, ok := kv.Key.(*ast.Ident); ok && id.Name == name {
					return fieldVals{vals: []located{r.at(pkg, kv.Value)}}, nil
				}
			}
		}
		return fieldVals{unset: true}, nil
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			break
		}
		var srcs []located
		if ref, isParam := r.p.paramOf[v]; isParam {
			args, bad := r.paramArgs(x, v, ref)
			if bad != nil {
				bad.why = "the input comes from " + bad.why
				return out, bad
			}
			srcs = args
		} else {
			for _, s := range r.p.assigns[v] {
				if s == nil {
					return out, &unresolved{pos: e.Pos(), why: "the input " + v.Name() + " is set from a value the analysis cannot follow"}
				}
				srcs = append(srcs, r.at(r.pkgOf(s, pkg), s))
			}
			if len(srcs) == 0 && r.p.declBlock[v] != nil {
				out.unset = true // var v T: the zero value
			}
		}
		for _, s := range srcs {
			var got fieldVals
			var bad *unresolved
			r.under(s.bind, func() { got, bad = r.field1(s.pkg, s.e, name, depth+1) })
			if bad != nil {
				return out, bad
			}
			out.add(got)
		}
		definite := false
		for _, s := range r.p.varField[varField{v, name}] {
			if s == nil {
				return out, &unresolved{pos: e.Pos(), why: "the field " + name + " is set from a value the analysis cannot follow"}
			}
			out.vals = append(out.vals, r.at(r.pkgOf(s, pkg), s))
			if b := r.p.stmtBlock[s]; b != nil && b == r.p.declBlock[v] && len(r.p.assigns[v]) <= 1 {
				definite = true
			}
		}
		if definite {
			out.unset = false
		}
		return out, nil
	case *ast.CallExpr:
		if fn := calleeFunc(info, x); fn != nil {
			if d := r.p.decls[fn]; d != nil && d.Body != nil {
				dpkg := r.p.declPkg[fn]
				b := binding{fn: fn, pkg: pkg, args: x.Args, bind: r.bind}
				r.under(append(r.bind[:len(r.bind):len(r.bind)], b), func() {
					ast.Inspect(d.Body, func(n ast.Node) bool {
						switch n := n.(type) {
						case *ast.FuncLit:
							return false
						case *ast.ReturnStmt:
							if len(n.Results) > 0 && bad == nil {
								if tv, ok := dpkg.TypesInfo.Types[n.Results[0]]; ok && tv.IsNil() {
									return true // an error path
								}
								var got fieldVals
								got, bad = r.field1(dpkg, n.Results[0], name, depth+1)
								out.add(got)
							}
						}
						return true
					})
				})
				return out, bad
			}
		}
	}
	return out, &unresolved{pos: e.Pos(), why: "the input is " + describe(e) + ", which the analysis does not follow"}
}

// elements returns the elements a slice value may hold: those of
// composite literals, append calls and assignments by index; make gives
// none.
func (r *resolver) elements(l located) (out []located, bad *unresolved) {
	r.under(l.bind, func() { out, bad = r.elements1(l.pkg, l.e, 0, map[types.Object]bool{}) })
	return out, bad
}

func (r *resolver) elements1(pkg *packages.Package, e ast.Expr, depth int, visiting map[types.Object]bool) ([]located, *unresolved) {
	if depth > 8 {
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
			out = append(out, r.at(pkg, el))
		}
		return out, nil
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return r.elements1(pkg, x.X, depth+1, visiting)
		}
	case *ast.SliceExpr:
		return r.elements1(pkg, x.X, depth+1, visiting)
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok {
			break
		}
		if visiting[v] {
			return nil, nil // the other assignments say what it holds
		}
		visiting[v] = true
		defer delete(visiting, v)
		var srcs []located
		if ref, isParam := r.p.paramOf[v]; isParam {
			args, bad := r.paramArgs(x, v, ref)
			if bad != nil {
				bad.why = "a list from " + bad.why
				return nil, bad
			}
			srcs = args
		} else {
			for _, s := range r.p.assigns[v] {
				if s == nil {
					return nil, &unresolved{pos: e.Pos(), why: "the list " + v.Name() + " is set from a value the analysis cannot follow"}
				}
				srcs = append(srcs, r.at(r.pkgOf(s, pkg), s))
			}
		}
		var out []located
		for _, s := range srcs {
			var got []located
			var bad *unresolved
			r.under(s.bind, func() { got, bad = r.elements1(s.pkg, s.e, depth+1, visiting) })
			if bad != nil {
				return nil, bad
			}
			out = append(out, got...)
		}
		for _, el := range r.p.elems[v] {
			if el == nil {
				return nil, &unresolved{pos: e.Pos(), why: "an element of " + v.Name() + " is set from a value the analysis cannot follow"}
			}
			out = append(out, r.at(r.pkgOf(el, pkg), el))
		}
		return out, nil
	case *ast.CallExpr:
		if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok {
			if _, isBuiltin := info.Uses[id].(*types.Builtin); isBuiltin {
				switch id.Name {
				case "make":
					return nil, nil
				case "append":
					if len(x.Args) == 0 {
						return nil, nil
					}
					out, bad := r.elements1(pkg, x.Args[0], depth+1, visiting)
					if bad != nil {
						return nil, bad
					}
					if x.Ellipsis.IsValid() {
						more, bad := r.elements1(pkg, x.Args[len(x.Args)-1], depth+1, visiting)
						if bad != nil {
							return nil, bad
						}
						return append(out, more...), nil
					}
					for _, a := range x.Args[1:] {
						out = append(out, r.at(pkg, a))
					}
					return out, nil
				}
			}
		}
		if fn := calleeFunc(info, x); fn != nil {
			if d := r.p.decls[fn]; d != nil && d.Body != nil {
				dpkg := r.p.declPkg[fn]
				var out []located
				var bad *unresolved
				b := binding{fn: fn, pkg: pkg, args: x.Args, bind: r.bind}
				r.under(append(r.bind[:len(r.bind):len(r.bind)], b), func() {
					ast.Inspect(d.Body, func(n ast.Node) bool {
						switch n := n.(type) {
						case *ast.FuncLit:
							return false
						case *ast.ReturnStmt:
							if len(n.Results) > 0 && bad == nil {
								if tv, ok := dpkg.TypesInfo.Types[n.Results[0]]; ok && tv.IsNil() {
									return true
								}
								var got []located
								got, bad = r.elements1(dpkg, n.Results[0], depth+1, visiting)
								out = append(out, got...)
							}
						}
						return true
					})
				})
				return out, bad
			}
		}
	}
	return nil, &unresolved{pos: e.Pos(), why: "a list (" + describe(e) + ") the analysis does not follow"}
}

// keys returns the keys of a map value.
func (r *resolver) keys(l located) (out []located, bad *unresolved) {
	r.under(l.bind, func() { out, bad = r.keys1(l.pkg, l.e, 0, map[types.Object]bool{}) })
	return out, bad
}

func (r *resolver) keys1(pkg *packages.Package, e ast.Expr, depth int, visiting map[types.Object]bool) ([]located, *unresolved) {
	if depth > 8 {
		return nil, &unresolved{pos: e.Pos(), why: "a map built too far from the call"}
	}
	info := pkg.TypesInfo
	switch x := ast.Unparen(e).(type) {
	case *ast.CompositeLit:
		var out []located
		for _, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				out = append(out, r.at(pkg, kv.Key))
			}
		}
		return out, nil
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok || r.p.paramOf[v].fn != nil {
			break
		}
		if visiting[v] {
			return nil, nil
		}
		visiting[v] = true
		defer delete(visiting, v)
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
			got, bad := r.keys1(r.pkgOf(s, pkg), s, depth+1, visiting)
			if bad != nil {
				return nil, bad
			}
			out = append(out, got...)
		}
		for _, k := range r.p.mapKeys[v] {
			out = append(out, r.at(r.pkgOf(k, pkg), k))
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

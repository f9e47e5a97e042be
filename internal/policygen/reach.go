package policygen

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"
)

// opCall is one SDK operation the code can send.
type opCall struct {
	svc, op string // service package name and operation: "dynamodb", "GetItem"
	pos     token.Pos
	pkg     *packages.Package // where the call is written
	input   ast.Expr          // the *<Op>Input argument, nil when unknown
	args    []ast.Expr        // all arguments of the call
	via     string            // the SDK function called, for explanations
	fn      *types.Func       // the SDK function called
	bind    []binding         // for an item of a call's input: how it was found
	recv    ast.Expr          // the client a method is called on, when known
}

// in is the call's input, located.
func (c *opCall) in() located { return located{pkg: c.pkg, e: c.input, bind: c.bind} }

// walker finds the SDK operations reachable from a set of roots. Reachable
// is: the roots' bodies, with every function literal inside them; every
// function they call or use as a value; for a call through an interface,
// the methods of every type of the analysed code that implements it (and
// the SDK client's operation when the client implements it); for a call
// of a function-typed variable or field, every function stored in it; and,
// for a value handed to code the analysis does not read (the standard
// library, a router, the Lambda runtime), the methods that code may call
// through the interface it takes the value as.
//
// The handlers of the app's other functions are the exception: the code
// that registers them only names them, so a use of one as a value does not
// make it reachable (a call of one does).
type walker struct {
	p      *program
	skip   map[ast.Node]bool // other functions' handlers
	seen   map[ast.Node]bool
	queue  []root
	calls  []opCall
	called map[string]bool
	impls  map[*types.Func][]*types.Func
}

func (p *program) reach(roots []root, skip map[ast.Node]bool) []opCall {
	w := &walker{p: p, skip: map[ast.Node]bool{}, seen: map[ast.Node]bool{}, called: map[string]bool{}, impls: map[*types.Func][]*types.Func{}}
	for n := range skip {
		w.skip[n] = true
	}
	for _, r := range roots {
		delete(w.skip, r.node()) // a function's own handlers are its roots
	}
	for _, r := range roots {
		w.enqueue(r)
	}
	for len(w.queue) > 0 {
		r := w.queue[0]
		w.queue = w.queue[1:]
		w.walk(r.pkg, r.body())
	}
	sort.SliceStable(w.calls, func(i, j int) bool { return w.calls[i].pos < w.calls[j].pos })
	return w.calls
}

func (w *walker) enqueue(r root) {
	n := r.node()
	if r.pkg == nil || n == nil || r.body() == nil || w.seen[n] {
		return
	}
	w.seen[n] = true
	w.queue = append(w.queue, r)
}

// enqueueFunc makes fn reachable; asValue says fn is only named (used as a
// value), not called.
func (w *walker) enqueueFunc(fn *types.Func, asValue bool) {
	d := w.p.decls[fn]
	if d == nil || (asValue && w.skip[d]) {
		return
	}
	w.enqueue(root{pkg: w.p.declPkg[fn], decl: d})
}

func (w *walker) walk(pkg *packages.Package, body ast.Node) {
	if body == nil {
		return
	}
	info := pkg.TypesInfo
	callee := map[ast.Node]bool{}   // names that are called, not used as values
	skip := map[ast.Node]bool{}     // subtrees not walked
	escaping := map[ast.Node]bool{} // arguments of code the analysis does not read
	ast.Inspect(body, func(n ast.Node) bool {
		if skip[n] {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			if w.skip[n] {
				return false
			}
		case *ast.CallExpr:
			fun := ast.Unparen(n.Fun)
			if fn := calleeFunc(info, n); fn != nil {
				if isAppLibrary(pkgPath(fn)) && (fn.Name() == "Use" || fn.Name() == "WithMiddleware") {
					// Middleware: roots of the API handler only.
					for _, a := range n.Args {
						skip[a] = true
					}
					return true
				}
				markCallee(fun, callee)
				w.function(pkg, fn, n, n.Pos())
				if w.external(fn) {
					w.escapeArgs(pkg, fn.Type().(*types.Signature), n)
					for _, a := range n.Args {
						escaping[ast.Unparen(a)] = true
					}
				}
			} else if tv, ok := info.Types[fun]; ok && !tv.IsType() && !tv.IsBuiltin() {
				w.dynamicCall(pkg, fun, n, 0)
			} else if ok && tv.IsType() && len(n.Args) == 1 {
				// An explicit conversion to an interface hands the value
				// to whoever holds the interface.
				w.escape(pkg, n.Args[0], tv.Type)
			}
		case *ast.CompositeLit:
			w.escapeFields(pkg, n)
		case *ast.AssignStmt:
			blankRefs(n.Lhs, n.Rhs, skip)
		case *ast.ValueSpec:
			lhs := make([]ast.Expr, len(n.Names))
			for i, id := range n.Names {
				lhs[i] = id
			}
			blankRefs(lhs, n.Values, skip)
		case *ast.SelectorExpr:
			if fn := funcOf(info, n); fn != nil {
				callee[n.Sel] = true // the name is handled here
				if !callee[n] {
					w.value(pkg, fn, n, escaping[n])
				}
			}
		case *ast.Ident:
			if !callee[n] {
				if fn := funcOf(info, n); fn != nil {
					w.value(pkg, fn, n, escaping[n])
				}
			}
		}
		return true
	})
}

// blankRefs skips the names assigned to the blank identifier ("var _ =
// f" keeps f linked, it does not call it).
func blankRefs(lhs, rhs []ast.Expr, skip map[ast.Node]bool) {
	if len(lhs) != len(rhs) {
		return
	}
	for i, l := range lhs {
		if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
			switch r := ast.Unparen(rhs[i]).(type) {
			case *ast.Ident, *ast.SelectorExpr:
				skip[r] = true
			}
		}
	}
}

// value handles a use of fn as a value. An SDK operation used as a value
// (a client method stored in a field, say) is recorded where the code
// calls it, with that call's input; only when it is handed to code the
// analysis does not read is it recorded here, with no input.
func (w *walker) value(pkg *packages.Package, fn *types.Func, e ast.Expr, escapes bool) {
	if fn.Pkg() != nil && isSDK(fn.Pkg().Path()) && !escapes {
		return
	}
	w.function(pkg, fn, nil, e.Pos())
}

// markCallee records that fun (and the name it ends in) is called, not
// used as a value.
func markCallee(fun ast.Expr, callee map[ast.Node]bool) {
	switch f := fun.(type) {
	case *ast.IndexExpr:
		markCallee(ast.Unparen(f.X), callee)
	case *ast.IndexListExpr:
		markCallee(ast.Unparen(f.X), callee)
	case *ast.SelectorExpr:
		callee[f] = true
		callee[f.Sel] = true
	case *ast.Ident:
		callee[f] = true
	}
}

func pkgPath(fn *types.Func) string {
	if fn.Pkg() == nil {
		return ""
	}
	return fn.Pkg().Path()
}

// function handles a call of fn (call non-nil) or a use of fn as a value.
func (w *walker) function(pkg *packages.Package, fn *types.Func, call *ast.CallExpr, pos token.Pos) {
	if fn.Pkg() == nil {
		return
	}
	if isSDK(fn.Pkg().Path()) {
		w.sdkCall(pkg, fn, call, pos)
		return
	}
	if op, ok := wsapiOperations[fn.FullName()]; ok {
		// gochalice's own Management API client signs its requests
		// itself: each method is one operation of the SDK's service.
		var args []ast.Expr
		if call != nil {
			args = call.Args
		}
		w.add(opCall{svc: "apigatewaymanagementapi", op: op, pos: pos, pkg: pkg, args: args, via: shortFuncName(fn), fn: fn})
		return
	}
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil {
		if _, ok := sig.Recv().Type().Underlying().(*types.Interface); ok {
			w.invoke(pkg, fn, call, pos)
			return
		}
	}
	w.enqueueFunc(fn, call == nil)
}

// external reports whether fn's body is not read: code of the standard
// library or of a package the analysis takes from export data.
func (w *walker) external(fn *types.Func) bool {
	if fn.Pkg() == nil || isSDK(fn.Pkg().Path()) || w.p.decls[fn] != nil {
		return false
	}
	if sig := fn.Type().(*types.Signature); sig.Recv() != nil {
		if _, ok := sig.Recv().Type().Underlying().(*types.Interface); ok {
			return false
		}
	}
	return true
}

// escapeArgs handles the arguments of a call of code the analysis does
// not read.
func (w *walker) escapeArgs(pkg *packages.Package, sig *types.Signature, call *ast.CallExpr) {
	params := sig.Params()
	for i, a := range call.Args {
		var pt types.Type
		switch {
		case sig.Variadic() && i >= params.Len()-1:
			pt = params.At(params.Len() - 1).Type()
			if !call.Ellipsis.IsValid() {
				if s, ok := pt.(*types.Slice); ok {
					pt = s.Elem()
				}
			}
		case i < params.Len():
			pt = params.At(i).Type()
		default:
			continue
		}
		w.escape(pkg, a, pt)
	}
}

// escapeFields handles the fields of a composite literal of a struct type
// the analysis does not read (an http.Server's Handler, say).
func (w *walker) escapeFields(pkg *packages.Package, lit *ast.CompositeLit) {
	t := pkg.TypesInfo.TypeOf(lit)
	if t == nil {
		return
	}
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.Obj().Pkg() == nil || w.p.byTypes[named.Obj().Pkg()] != nil || isSDK(named.Obj().Pkg().Path()) {
		return
	}
	st, ok := named.Underlying().(*types.Struct)
	if !ok {
		return
	}
	for i, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				if fv, ok := pkg.TypesInfo.Uses[id].(*types.Var); ok {
					w.escape(pkg, kv.Value, fv.Type())
				}
			}
			continue
		}
		if i < st.NumFields() {
			w.escape(pkg, e, st.Field(i).Type())
		}
	}
}

// escape handles a value handed over as type to: when to is an interface,
// the code holding it may call that interface's methods, so those methods
// of the value's type (or, for a value that is itself an interface, of
// every type of the analysed code that implements it) are reachable.
func (w *walker) escape(pkg *packages.Package, e ast.Expr, to types.Type) {
	iface, ok := to.Underlying().(*types.Interface)
	if !ok || iface.NumMethods() == 0 {
		return
	}
	t := pkg.TypesInfo.TypeOf(e)
	if t == nil {
		return
	}
	if it, isIface := t.Underlying().(*types.Interface); isIface {
		for i := 0; i < iface.NumMethods(); i++ {
			m := iface.Method(i)
			if obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name()); obj != nil {
				if fn, ok := obj.(*types.Func); ok {
					for _, impl := range w.implementations(fn, it) {
						w.enqueueFunc(impl, true)
					}
				}
			}
		}
		return
	}
	for i := 0; i < iface.NumMethods(); i++ {
		m := iface.Method(i)
		obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
		if obj == nil {
			if _, isPtr := t.(*types.Pointer); !isPtr {
				obj, _, _ = types.LookupFieldOrMethod(types.NewPointer(t), true, m.Pkg(), m.Name())
			}
		}
		if fn, ok := obj.(*types.Func); ok {
			w.enqueueFunc(fn.Origin(), true)
		}
	}
}

// wsapiOperations maps the methods of app/wsapi's Client to the API
// Gateway Management API operations they send.
var wsapiOperations = map[string]string{
	"(*" + wsapiPath + ".Client).Send":  "PostToConnection",
	"(*" + wsapiPath + ".Client).Close": "DeleteConnection",
	"(*" + wsapiPath + ".Client).Info":  "GetConnection",
}

const wsapiPath = "github.com/gochalice/gochalice/app/wsapi"

func isSDK(path string) bool { return strings.HasPrefix(path, sdkPrefix) }

// sdkCall records the operations a call of an SDK function sends: client
// methods, presigners, paginator constructors and waiters' Wait (all take
// the operation's *<Op>Input), and the feature helpers of the data table.
func (w *walker) sdkCall(pkg *packages.Package, fn *types.Func, call *ast.CallExpr, pos token.Pos) {
	var args []ast.Expr
	var recv ast.Expr
	if call != nil {
		args = call.Args
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn.Type().(*types.Signature).Recv() != nil {
			recv = sel.X
		}
	}
	sig := fn.Type().(*types.Signature)
	via := shortFuncName(fn)
	if h, ok := w.p.table.Helper(fn.FullName()); ok {
		input := inputArg(sig, args, h.Service)
		for _, op := range h.Operations {
			w.add(opCall{svc: h.Service, op: op, pos: pos, pkg: pkg, input: input, args: args, via: via, fn: fn})
		}
		return
	}
	for i := 0; i < sig.Params().Len(); i++ {
		svc, op, ok := w.p.operationOf(sig.Params().At(i).Type())
		if !ok {
			continue
		}
		var input ast.Expr
		if i < len(args) && !(sig.Variadic() && i == sig.Params().Len()-1) {
			input = args[i]
		}
		w.add(opCall{svc: svc, op: op, pos: pos, pkg: pkg, input: input, args: args, via: via, fn: fn, recv: recv})
		return
	}
}

func (w *walker) add(c opCall) {
	key := c.svc + "." + c.op + "@" + w.p.fset.Position(c.pos).String()
	if w.called[key] {
		return
	}
	w.called[key] = true
	w.calls = append(w.calls, c)
}

// operationOf reports whether t is *<svc>.<Op>Input of an aws-sdk-go-v2
// service package whose client has the method Op.
func (p *program) operationOf(t types.Type) (svc, op string, ok bool) {
	ptr, isPtr := t.(*types.Pointer)
	if !isPtr {
		return "", "", false
	}
	named, isNamed := types.Unalias(ptr.Elem()).(*types.Named)
	if !isNamed || named.Obj().Pkg() == nil {
		return "", "", false
	}
	path := named.Obj().Pkg().Path()
	if !strings.HasPrefix(path, servicePrefix) || strings.Contains(path[len(servicePrefix):], "/") {
		return "", "", false
	}
	op, found := strings.CutSuffix(named.Obj().Name(), "Input")
	if !found {
		return "", "", false
	}
	svc = path[len(servicePrefix):]
	if _, known := p.table.Operation(svc, op); known {
		return svc, op, true
	}
	// An operation the table does not cover: an operation still, when the
	// client has the method; its mapping is derived or reported.
	if client, isType := named.Obj().Pkg().Scope().Lookup("Client").(*types.TypeName); isType {
		if m, _, _ := types.LookupFieldOrMethod(types.NewPointer(client.Type()), true, client.Pkg(), op); m != nil {
			return svc, op, true
		}
	}
	return "", "", false
}

func inputArg(sig *types.Signature, args []ast.Expr, svc string) ast.Expr {
	for i := 0; i < sig.Params().Len() && i < len(args); i++ {
		if ptr, ok := sig.Params().At(i).Type().(*types.Pointer); ok {
			if named, ok := types.Unalias(ptr.Elem()).(*types.Named); ok && named.Obj().Pkg() != nil &&
				named.Obj().Pkg().Path() == servicePrefix+svc && strings.HasSuffix(named.Obj().Name(), "Input") {
				return args[i]
			}
		}
	}
	return nil
}

// invoke handles a call through an interface method.
func (w *walker) invoke(pkg *packages.Package, m *types.Func, call *ast.CallExpr, pos token.Pos) {
	iface := m.Type().(*types.Signature).Recv().Type()
	it, _ := iface.Underlying().(*types.Interface)
	if it == nil {
		return
	}
	// When every value the receiver can hold is known, only their methods.
	if call != nil {
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok {
			if ts, ok := w.p.dynamicTypes(pkg, sel.X, 0); ok {
				for _, t := range ts {
					obj, _, _ := types.LookupFieldOrMethod(t, true, m.Pkg(), m.Name())
					fn, ok := obj.(*types.Func)
					if !ok || fn.Pkg() == nil {
						continue
					}
					w.implementation(pkg, fn, call, pos)
				}
				return
			}
		}
	}
	// gochalice's WebSocket client, when it implements the interface (a
	// Sender the app's handlers post through).
	if wc := w.p.wsapiClient(); wc != nil && types.Implements(wc, it) {
		if obj, _, _ := types.LookupFieldOrMethod(wc, true, m.Pkg(), m.Name()); obj != nil {
			w.function(pkg, obj.(*types.Func), call, pos)
		}
	}
	// The SDK client, when it implements the interface (a user interface
	// that mirrors some client methods, or the SDK's <Op>APIClient).
	sig := m.Type().(*types.Signature)
	for i := 0; i < sig.Params().Len(); i++ {
		if _, _, ok := w.p.operationOf(sig.Params().At(i).Type()); !ok {
			continue
		}
		spkg := types.Unalias(sig.Params().At(i).Type().(*types.Pointer).Elem()).(*types.Named).Obj().Pkg()
		if client, ok := spkg.Scope().Lookup("Client").(*types.TypeName); ok {
			cp := types.NewPointer(client.Type())
			if types.Implements(cp, it) {
				if obj, _, _ := types.LookupFieldOrMethod(cp, true, m.Pkg(), m.Name()); obj != nil {
					w.sdkCall(pkg, obj.(*types.Func), call, pos)
				}
			}
		}
		break
	}
	for _, fn := range w.implementations(m, it) {
		if _, ok := wsapiOperations[fn.FullName()]; ok {
			continue // done above
		}
		if isSDK(fn.Pkg().Path()) {
			w.sdkCall(pkg, fn, call, pos)
		} else {
			w.enqueueFunc(fn, call == nil)
		}
	}
}

// implementation handles a call through an interface that reaches the
// concrete method fn.
func (w *walker) implementation(pkg *packages.Package, fn *types.Func, call *ast.CallExpr, pos token.Pos) {
	switch _, ws := wsapiOperations[fn.FullName()]; {
	case isSDK(fn.Pkg().Path()):
		w.sdkCall(pkg, fn, call, pos)
	case ws:
		w.function(pkg, fn, call, pos)
	default:
		w.enqueueFunc(fn.Origin(), false)
	}
}

// wsapiClient returns *wsapi.Client when the program links app/wsapi.
func (p *program) wsapiClient() types.Type {
	if p.wsClientDone {
		return p.wsClient
	}
	p.wsClientDone = true
	seen := map[*types.Package]bool{}
	var find func(tp *types.Package) *types.Package
	find = func(tp *types.Package) *types.Package {
		if seen[tp] {
			return nil
		}
		seen[tp] = true
		if tp.Path() == wsapiPath {
			return tp
		}
		for _, imp := range tp.Imports() {
			if found := find(imp); found != nil {
				return found
			}
		}
		return nil
	}
	for _, pkg := range p.pkgs {
		if tp := find(pkg.Types); tp != nil {
			if tn, ok := tp.Scope().Lookup("Client").(*types.TypeName); ok {
				p.wsClient = types.NewPointer(tn.Type())
			}
			break
		}
	}
	return p.wsClient
}

// dynamicTypes returns the concrete types the interface-typed expression
// e (of pkg) can hold, when the analysis sees every value stored in it: a
// variable or a struct field whose every assignment, in the code the
// analysis reads, is a value of a concrete type (or, in turn, such a
// variable, field or the result of such a function). ok is false when any
// value cannot be followed (a parameter, a result of code the analysis
// does not read, an assignment through a pointer), and then every
// implementation is possible.
func (p *program) dynamicTypes(pkg *packages.Package, e ast.Expr, depth int) (ts []types.Type, ok bool) {
	if depth > 4 || pkg == nil {
		return nil, false
	}
	e = ast.Unparen(e)
	t := pkg.TypesInfo.TypeOf(e)
	if t == nil {
		return nil, false
	}
	if _, isIface := t.Underlying().(*types.Interface); !isIface {
		if tv, ok := pkg.TypesInfo.Types[e]; ok && tv.IsNil() {
			return nil, true // nil holds no method
		}
		return []types.Type{t}, true
	}
	var vals []ast.Expr
	switch x := e.(type) {
	case *ast.Ident, *ast.SelectorExpr:
		var ok bool
		if vals, ok = p.stored(pkg, x); !ok {
			return nil, false
		}
	case *ast.CallExpr:
		fn := calleeFunc(pkg.TypesInfo, x)
		if fn == nil || p.decls[fn.Origin()] == nil || p.decls[fn.Origin()].Body == nil {
			return nil, false
		}
		ast.Inspect(p.decls[fn.Origin()].Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ReturnStmt:
				if len(n.Results) == 0 {
					vals = append(vals, nil)
				} else {
					vals = append(vals, n.Results[0])
				}
			}
			return true
		})
		pkg = p.declPkg[fn.Origin()]
	default:
		return nil, false
	}
	if len(vals) == 0 {
		return nil, false
	}
	seen := map[string]bool{}
	for _, v := range vals {
		if v == nil {
			return nil, false
		}
		vt, ok := p.dynamicTypes(p.pkgOfExpr(v, pkg), v, depth+1)
		if !ok {
			return nil, false
		}
		for _, t := range vt {
			if k := types.TypeString(t, nil); !seen[k] {
				seen[k] = true
				ts = append(ts, t)
			}
		}
	}
	return ts, true
}

// stored returns every value the code the analysis reads stores in the
// variable, package variable or struct field e names. ok is false when e
// names none, or when it may also be set where the index does not look:
// a parameter (set by its callers) or a variable or field whose address
// is taken (set through a pointer).
func (p *program) stored(pkg *packages.Package, e ast.Expr) (vals []ast.Expr, ok bool) {
	switch x := e.(type) {
	case *ast.Ident:
		v, isVar := pkg.TypesInfo.Uses[x].(*types.Var)
		if _, isParam := p.paramOf[v]; !isVar || v.IsField() || isParam || p.addrTaken[v] {
			return nil, false
		}
		return p.assigns[v], true
	case *ast.SelectorExpr:
		sel, isSel := pkg.TypesInfo.Selections[x]
		if !isSel { // pkg.Var
			v, isVar := pkg.TypesInfo.Uses[x.Sel].(*types.Var)
			if !isVar || p.addrTaken[v] {
				return nil, false
			}
			return p.assigns[v], true
		}
		f, isVar := sel.Obj().(*types.Var)
		if sel.Kind() != types.FieldVal || !isVar || p.addrTaken[f] {
			return nil, false
		}
		return p.fields[f], true
	}
	return nil, false
}

// pkgOfExpr returns the package whose syntax holds e, else fallback.
func (p *program) pkgOfExpr(e ast.Expr, fallback *packages.Package) *packages.Package {
	if pkg := p.pkgAt(e.Pos()); pkg != nil {
		return pkg
	}
	return fallback
}

// implementations returns the methods named like m of the analysed code's
// types that implement the interface.
func (w *walker) implementations(m *types.Func, it *types.Interface) []*types.Func {
	if fns, ok := w.impls[m]; ok {
		return fns
	}
	var fns []*types.Func
	for _, tn := range w.p.named {
		if named, ok := tn.Type().(*types.Named); ok && named.TypeParams().Len() > 0 {
			continue
		}
		pt := types.NewPointer(tn.Type())
		if !types.Implements(pt, it) {
			continue
		}
		if obj, _, _ := types.LookupFieldOrMethod(pt, true, m.Pkg(), m.Name()); obj != nil {
			if fn, ok := obj.(*types.Func); ok && fn.Pkg() != nil {
				fns = append(fns, fn.Origin())
			}
		}
	}
	w.impls[m] = fns
	return fns
}

// dynamicCall handles a call of a function value: every function stored
// in the variable or field (as far as the indexes know) is called.
func (w *walker) dynamicCall(pkg *packages.Package, fun ast.Expr, call *ast.CallExpr, depth int) {
	if depth > 4 {
		return
	}
	var stored []ast.Expr
	info := pkg.TypesInfo
	switch f := ast.Unparen(fun).(type) {
	case *ast.Ident:
		if v, ok := info.Uses[f].(*types.Var); ok {
			stored = w.p.assigns[v]
			if ref, isParam := w.p.paramOf[v]; isParam {
				for _, cs := range w.p.callers[ref.fn] {
					if ref.idx < len(cs.call.Args) {
						stored = append(stored, cs.call.Args[ref.idx])
					}
				}
			}
		}
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[f]; ok && sel.Kind() == types.FieldVal {
			stored = w.p.fields[sel.Obj().(*types.Var)]
		} else if v, ok := info.Uses[f.Sel].(*types.Var); ok {
			stored = w.p.assigns[v]
		}
	}
	for _, e := range stored {
		if e == nil {
			continue
		}
		epkg := w.p.pkgAt(e.Pos())
		if epkg == nil {
			continue
		}
		switch x := ast.Unparen(e).(type) {
		case *ast.FuncLit:
			w.enqueue(root{pkg: epkg, lit: x})
		default:
			if fn := funcOf(epkg.TypesInfo, x); fn != nil {
				w.function(pkg, fn, call, call.Pos())
			} else {
				w.dynamicCall(epkg, x, call, depth+1)
			}
		}
	}
}

// shortFuncName is fn's name with the package's last element:
// "dynamodb.(*Client).GetItem".
func shortFuncName(fn *types.Func) string {
	full := fn.FullName()
	if fn.Pkg() == nil {
		return full
	}
	return strings.Replace(full, fn.Pkg().Path(), fn.Pkg().Name(), 1)
}

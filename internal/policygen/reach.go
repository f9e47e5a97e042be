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
}

// walker finds the SDK operations reachable from a set of roots. Reachable
// is: the roots' bodies, with every function literal inside them; every
// function they call or use as a value; for a call through an interface,
// the methods of every type of the analysed code that implements it (and
// the SDK client's operation when the client implements it); for a call
// of a function-typed variable or field, every function stored in it.
type walker struct {
	p      *program
	seen   map[ast.Node]bool
	queue  []root
	calls  []opCall
	called map[string]bool
	impls  map[*types.Func][]*types.Func
}

func (p *program) reach(roots []root) []opCall {
	w := &walker{p: p, seen: map[ast.Node]bool{}, called: map[string]bool{}, impls: map[*types.Func][]*types.Func{}}
	for _, r := range roots {
		w.enqueue(r)
	}
	for len(w.queue) > 0 {
		r := w.queue[0]
		w.queue = w.queue[1:]
		if r.decl != nil {
			w.walk(r.pkg, r.decl.Body)
		} else {
			w.walk(r.pkg, r.lit.Body)
		}
	}
	sort.SliceStable(w.calls, func(i, j int) bool { return w.calls[i].pos < w.calls[j].pos })
	return w.calls
}

func (w *walker) enqueue(r root) {
	var n ast.Node = r.lit
	if r.decl != nil {
		n = r.decl
		if r.decl.Body == nil {
			return
		}
	}
	if r.pkg == nil || w.seen[n] {
		return
	}
	w.seen[n] = true
	w.queue = append(w.queue, r)
}

func (w *walker) enqueueFunc(fn *types.Func) {
	if d := w.p.decls[fn]; d != nil {
		w.enqueue(root{pkg: w.p.declPkg[fn], decl: d})
	}
}

func (w *walker) walk(pkg *packages.Package, body *ast.BlockStmt) {
	if body == nil {
		return
	}
	info := pkg.TypesInfo
	handled := map[ast.Node]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			fun := ast.Unparen(n.Fun)
			handled[fun] = true
			if fn := calleeFunc(info, n); fn != nil {
				w.function(pkg, fn, n, n.Pos())
			} else if tv, ok := info.Types[fun]; ok && !tv.IsType() && !tv.IsBuiltin() {
				w.dynamicCall(pkg, fun, n, 0)
			}
		case *ast.SelectorExpr:
			handled[n.Sel] = true
			if !handled[n] {
				if fn := funcOf(info, n); fn != nil {
					w.function(pkg, fn, nil, n.Pos())
				}
			}
		case *ast.Ident:
			if !handled[n] {
				if fn := funcOf(info, n); fn != nil {
					w.function(pkg, fn, nil, n.Pos())
				}
			}
		}
		return true
	})
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
	sig := fn.Type().(*types.Signature)
	if sig.Recv() != nil {
		if _, ok := sig.Recv().Type().Underlying().(*types.Interface); ok {
			w.invoke(pkg, fn, call, pos)
			return
		}
	}
	w.enqueueFunc(fn)
}

func isSDK(path string) bool { return strings.HasPrefix(path, sdkPrefix) }

// sdkCall records the operations a call of an SDK function sends: client
// methods, presigners, paginator constructors and waiters' Wait (all take
// the operation's *<Op>Input), and the feature helpers of the data table.
func (w *walker) sdkCall(pkg *packages.Package, fn *types.Func, call *ast.CallExpr, pos token.Pos) {
	var args []ast.Expr
	if call != nil {
		args = call.Args
	}
	sig := fn.Type().(*types.Signature)
	via := shortFuncName(fn)
	if h, ok := w.p.table.Helper(fn.FullName()); ok {
		input := inputArg(sig, args, h.Service)
		for _, op := range h.Operations {
			w.add(opCall{svc: h.Service, op: op, pos: pos, pkg: pkg, input: input, args: args, via: via})
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
		w.add(opCall{svc: svc, op: op, pos: pos, pkg: pkg, input: input, args: args, via: via})
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
	// A service the table does not cover: an operation still, when the
	// client has the method; its missing mapping is reported.
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
	// The SDK client, when it implements the interface (a user interface
	// that mirrors some client methods, or the SDK's <Op>APIClient).
	sig := m.Type().(*types.Signature)
	for i := 0; i < sig.Params().Len(); i++ {
		svc, _, ok := w.p.operationOf(sig.Params().At(i).Type())
		if !ok {
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
		_ = svc
		break
	}
	for _, fn := range w.implementations(m, it) {
		if isSDK(fn.Pkg().Path()) {
			w.sdkCall(pkg, fn, call, pos)
		} else {
			w.enqueueFunc(fn)
		}
	}
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

package policygen

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/gochalice/gochalice/internal/policygen/internal/awsdata"
	"github.com/gochalice/gochalice/manifest"
)

const (
	sdkPrefix     = "github.com/aws/aws-sdk-go-v2/"
	sdkModule     = "github.com/aws/aws-sdk-go-v2"
	servicePrefix = sdkPrefix + "service/"
	lambdaPkg     = "github.com/aws/aws-lambda-go/lambda"
)

type loadConfig struct {
	dir        string
	goEnv      []string
	buildFlags []string
	handlers   []manifest.Handler
	mainOnly   bool
}

// program is the user's code that can reach the SDK, with the indexes the
// analysis needs. It is built once per Generate call and read-only after.
type program struct {
	fset    *token.FileSet
	table   *awsdata.Table
	main    *packages.Package
	pkgs    []*packages.Package // analysed, sorted by path
	byPath  map[string]*packages.Package
	byTypes map[*types.Package]*packages.Package
	modDir  string
	modPath string

	decls    map[*types.Func]*ast.FuncDecl
	declPkg  map[*types.Func]*packages.Package
	assigns  map[types.Object][]ast.Expr // nil element: a value the analysis cannot follow
	fields   map[*types.Var][]ast.Expr
	varField map[varField][]ast.Expr
	mapKeys  map[types.Object][]ast.Expr
	elems    map[types.Object][]ast.Expr // slice elements set by index; nil: a value the analysis cannot follow
	// declBlock is the block that declares a local variable; stmtBlock
	// the block of the statement that assigns a field of a variable
	// (keyed by the assigned value). A field assigned in the block that
	// declares the variable is set on every path past that statement.
	declBlock map[types.Object]*ast.BlockStmt
	stmtBlock map[ast.Expr]*ast.BlockStmt
	formats   map[string]*regexp.Regexp // compiled ARN formats
	callers   map[*types.Func][]callSite
	escapes   map[*types.Func]bool
	paramOf   map[*types.Var]paramRef
	recvOf    map[*types.Var]*types.Func // a method's receiver
	addrTaken map[types.Object]bool      // variables and fields whose address is taken
	// fieldAssigned are the fields an assignment statement writes (x.f = v),
	// not only composite literals.
	fieldAssigned map[*types.Var]bool
	named         []*types.TypeName
	filePkg       map[*token.File]*packages.Package
	// webSocketAPI: the app has a WebSocket API, whose connections its
	// Management API calls reach.
	webSocketAPI bool
	// wsClient is *wsapi.Client when the program links app/wsapi.
	wsClient     types.Type
	wsClientDone bool
}

type varField struct {
	v     types.Object
	field string
}

type callSite struct {
	pkg  *packages.Package
	call *ast.CallExpr
}

type paramRef struct {
	fn  *types.Func
	idx int
}

// root is where the analysis of a function starts: a declared function, a
// function literal, or the initializer of a package-level variable.
type root struct {
	pkg  *packages.Package
	decl *ast.FuncDecl
	lit  *ast.FuncLit
	spec *ast.ValueSpec
}

// node identifies the root.
func (r root) node() ast.Node {
	switch {
	case r.decl != nil:
		return r.decl
	case r.lit != nil:
		return r.lit
	case r.spec != nil:
		return r.spec
	}
	return nil
}

// body is the code the root runs.
func (r root) body() ast.Node {
	switch {
	case r.decl != nil:
		if r.decl.Body == nil {
			return nil
		}
		return r.decl.Body
	case r.lit != nil:
		return r.lit.Body
	case r.spec != nil && len(r.spec.Values) > 0:
		return r.spec
	}
	return nil
}

func load(ctx context.Context, cfg loadConfig, table *awsdata.Table) (*program, error) {
	env := append(os.Environ(), cfg.goEnv...)
	dir, err := filepath.Abs(cfg.dir)
	if err != nil {
		return nil, err
	}
	// Pass 1: the import graph only, to choose the packages to read from
	// source: the user's packages (and helper modules) that can reach the
	// SDK, and the packages holding the handlers. Everything else (the SDK,
	// the standard library) is read from export data in pass 2.
	graph, err := packages.Load(&packages.Config{
		Context:    ctx,
		Dir:        dir,
		Env:        env,
		BuildFlags: cfg.buildFlags,
		Mode:       packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedModule,
	}, ".")
	if err != nil {
		return nil, fmt.Errorf("policygen: load %s: %w", cfg.dir, err)
	}
	if len(graph) != 1 {
		return nil, fmt.Errorf("policygen: %s: want one package, got %d", cfg.dir, len(graph))
	}
	if err := loadErrors(graph); err != nil {
		return nil, err
	}
	mainPkg := graph[0]
	if mainPkg.Name != "main" {
		return nil, fmt.Errorf("policygen: %s is package %s, not a main package", cfg.dir, mainPkg.Name)
	}
	// The packages read from source: the user's own (the main module, and
	// modules replaced by a local directory or part of the workspace), the
	// packages holding the handlers, and any other package outside the
	// SDK, the standard library and the Lambda runtime whose imports reach
	// an SDK service (helper libraries). Code that reaches AWS through an
	// interface or a function value may live in a package that does not
	// import the SDK at all, so the user's packages are all read.
	reaches := map[*packages.Package]bool{}
	var visit func(p *packages.Package) bool
	visiting := map[*packages.Package]bool{}
	visit = func(p *packages.Package) bool {
		if r, ok := reaches[p]; ok {
			return r
		}
		if visiting[p] {
			return false
		}
		visiting[p] = true
		r := strings.HasPrefix(p.PkgPath, servicePrefix) || strings.HasPrefix(p.PkgPath, sdkPrefix+"feature/")
		for _, imp := range sortedImports(p) {
			if visit(imp) {
				r = true
			}
		}
		reaches[p] = r
		return r
	}
	visit(mainPkg)
	handlerPkgs := map[string]bool{}
	for _, h := range cfg.handlers {
		if path, _, ok := splitFuncName(h.Name); ok {
			handlerPkgs[path] = true
		}
	}
	var patterns []string
	packages.Visit(graph, nil, func(p *packages.Package) {
		if p == mainPkg {
			patterns = append(patterns, p.PkgPath)
			return
		}
		if !isUserCode(p) {
			return
		}
		if isOwnCode(p) || reaches[p] || handlerPkgs[p.PkgPath] {
			patterns = append(patterns, p.PkgPath)
		}
	})
	sort.Strings(patterns)

	// Pass 2: syntax and types of the chosen packages only.
	fset := token.NewFileSet()
	pkgs, err := packages.Load(&packages.Config{
		Context:    ctx,
		Dir:        dir,
		Env:        env,
		BuildFlags: cfg.buildFlags,
		Fset:       fset,
		Mode: packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes |
			packages.NeedTypesInfo | packages.NeedImports | packages.NeedModule,
	}, patterns...)
	if err != nil {
		return nil, fmt.Errorf("policygen: load %s: %w", cfg.dir, err)
	}
	if err := loadErrors(pkgs); err != nil {
		return nil, err
	}
	p := &program{
		fset:          fset,
		table:         table,
		byPath:        map[string]*packages.Package{},
		byTypes:       map[*types.Package]*packages.Package{},
		decls:         map[*types.Func]*ast.FuncDecl{},
		declPkg:       map[*types.Func]*packages.Package{},
		assigns:       map[types.Object][]ast.Expr{},
		fields:        map[*types.Var][]ast.Expr{},
		varField:      map[varField][]ast.Expr{},
		mapKeys:       map[types.Object][]ast.Expr{},
		elems:         map[types.Object][]ast.Expr{},
		declBlock:     map[types.Object]*ast.BlockStmt{},
		stmtBlock:     map[ast.Expr]*ast.BlockStmt{},
		formats:       map[string]*regexp.Regexp{},
		callers:       map[*types.Func][]callSite{},
		escapes:       map[*types.Func]bool{},
		paramOf:       map[*types.Var]paramRef{},
		recvOf:        map[*types.Var]*types.Func{},
		addrTaken:     map[types.Object]bool{},
		fieldAssigned: map[*types.Var]bool{},
		filePkg:       map[*token.File]*packages.Package{},
	}
	for _, pkg := range pkgs {
		if pkg.PkgPath == mainPkg.PkgPath {
			p.main = pkg
		}
		p.pkgs = append(p.pkgs, pkg)
	}
	if p.main == nil {
		return nil, fmt.Errorf("policygen: %s: main package not loaded", cfg.dir)
	}
	sort.Slice(p.pkgs, func(i, j int) bool { return p.pkgs[i].PkgPath < p.pkgs[j].PkgPath })
	if p.main.Module != nil {
		p.modDir, p.modPath = p.main.Module.Dir, p.main.Module.Path
	}
	for _, pkg := range p.pkgs {
		p.byPath[pkg.PkgPath] = pkg
		p.byTypes[pkg.Types] = pkg
		p.index(pkg)
	}
	return p, nil
}

func sortedImports(p *packages.Package) []*packages.Package {
	keys := make([]string, 0, len(p.Imports))
	for k := range p.Imports {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]*packages.Package, len(keys))
	for i, k := range keys {
		out[i] = p.Imports[k]
	}
	return out
}

// isUserCode reports whether p may be read from source: anything but the
// standard library, the SDK, the Lambda runtime and gochalice's app
// library.
func isUserCode(p *packages.Package) bool {
	if p.Module == nil {
		return false // standard library
	}
	switch path := p.Module.Path; {
	case path == sdkModule, strings.HasPrefix(path, sdkModule+"/"),
		path == "github.com/aws/smithy-go", path == "github.com/aws/aws-lambda-go":
		return false
	}
	return !isAppLibrary(p.PkgPath)
}

// isOwnCode reports whether p belongs to the user's own code: the main
// module (or a workspace module), or a module replaced by a local
// directory.
func isOwnCode(p *packages.Package) bool {
	m := p.Module
	if m == nil {
		return false
	}
	if m.Main {
		return true
	}
	return m.Replace != nil && m.Replace.Version == ""
}

// appLibrary is gochalice's app package: its registration calls name
// handlers, they do not call them.
const appLibrary = "github.com/gochalice/gochalice/app"

func isAppLibrary(path string) bool {
	return path == appLibrary || strings.HasPrefix(path, appLibrary+"/")
}

func loadErrors(pkgs []*packages.Package) error {
	var errs []error
	seen := map[string]bool{}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		for _, e := range p.Errors {
			if !seen[e.Error()] {
				seen[e.Error()] = true
				errs = append(errs, e)
			}
		}
	})
	if len(errs) == 0 {
		return nil
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return fmt.Errorf("policygen: the code does not load: %w", errors.Join(errs...))
}

// position converts pos to a Position relative to the module root.
func (p *program) position(pos token.Pos) Position {
	pp := p.fset.Position(pos)
	file := pp.Filename
	if p.modDir != "" {
		if rel, err := filepath.Rel(p.modDir, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = filepath.ToSlash(rel)
			return Position{File: file, Line: pp.Line, Column: pp.Column}
		}
	}
	if pkg := p.pkgAt(pos); pkg != nil && pkg.Module != nil && pkg.Module.Dir != "" {
		if rel, err := filepath.Rel(pkg.Module.Dir, file); err == nil && !strings.HasPrefix(rel, "..") {
			mv := pkg.Module.Path
			if pkg.Module.Version != "" {
				mv += "@" + pkg.Module.Version
			}
			file = mv + "/" + filepath.ToSlash(rel)
		}
	}
	return Position{File: file, Line: pp.Line, Column: pp.Column}
}

func (p *program) pkgAt(pos token.Pos) *packages.Package {
	return p.filePkg[p.fset.File(pos)]
}

// index records, for the whole analysed code, what the analysis needs to
// follow values and calls: declarations, assignments, struct field
// values, static call sites and functions used as values.
func (p *program) index(pkg *packages.Package) {
	info := pkg.TypesInfo
	for _, f := range pkg.Syntax {
		p.filePkg[p.fset.File(f.Pos())] = pkg
		callFuns := map[ast.Expr]bool{}
		ast.PreorderStack(f, nil, func(n ast.Node, stack []ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if fn, ok := info.Defs[n.Name].(*types.Func); ok {
					p.decls[fn] = n
					p.declPkg[fn] = pkg
					sig := fn.Type().(*types.Signature)
					if sig.Recv() != nil {
						p.recvOf[sig.Recv()] = fn
					}
					for i := 0; i < sig.Params().Len(); i++ {
						if sig.Variadic() && i == sig.Params().Len()-1 {
							break
						}
						p.paramOf[sig.Params().At(i)] = paramRef{fn: fn, idx: i}
					}
				}
			case *ast.TypeSpec:
				if tn, ok := info.Defs[n.Name].(*types.TypeName); ok && !tn.IsAlias() {
					if _, isIface := tn.Type().Underlying().(*types.Interface); !isIface {
						p.named = append(p.named, tn)
					}
				}
			case *ast.AssignStmt:
				block := enclosingBlock(stack)
				p.indexAssign(info, n.Lhs, n.Rhs, n.Tok, block)
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(n.Names))
				for i, id := range n.Names {
					lhs[i] = id
				}
				block := enclosingBlock(stack)
				if block != nil {
					for _, id := range n.Names {
						if obj := lhsObject(info, id); obj != nil {
							p.declBlock[obj] = block
						}
					}
				}
				if len(n.Values) > 0 {
					p.indexAssign(info, lhs, n.Values, token.DEFINE, block)
				}
			case *ast.RangeStmt:
				for _, e := range []ast.Expr{n.Key, n.Value} {
					if obj := lhsObject(info, e); obj != nil {
						p.assigns[obj] = append(p.assigns[obj], nil)
					}
				}
			case *ast.CompositeLit:
				p.indexCompositeLit(info, n)
			case *ast.UnaryExpr:
				// &v, &x.f: written through a pointer the index does not
				// follow.
				if n.Op == token.AND {
					switch x := ast.Unparen(n.X).(type) {
					case *ast.Ident:
						if obj := lhsObject(info, x); obj != nil {
							p.addrTaken[obj] = true
						}
					case *ast.SelectorExpr:
						if sel, ok := info.Selections[x]; ok && sel.Kind() == types.FieldVal {
							p.addrTaken[sel.Obj().(*types.Var).Origin()] = true
						} else if obj, ok := info.Uses[x.Sel].(*types.Var); ok {
							p.addrTaken[obj] = true
						}
					}
				}
			case *ast.CallExpr:
				f := ast.Unparen(n.Fun)
				switch x := f.(type) { // an instantiation: F[T](...)
				case *ast.IndexExpr:
					f = ast.Unparen(x.X)
				case *ast.IndexListExpr:
					f = ast.Unparen(x.X)
				}
				callFuns[f] = true
				if fn := calleeFunc(info, n); fn != nil {
					p.callers[fn] = append(p.callers[fn], callSite{pkg: pkg, call: n})
				}
			case *ast.Ident:
				if fn, ok := info.Uses[n].(*types.Func); ok && !callFuns[n] {
					p.escapes[fn.Origin()] = true
				}
			case *ast.SelectorExpr:
				if callFuns[n] {
					callFuns[n.Sel] = true
				}
			}
			return true
		})
	}
}

func lhsObject(info *types.Info, e ast.Expr) types.Object {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	obj := info.Defs[id]
	if obj == nil {
		obj = info.Uses[id]
	}
	if v, ok := obj.(*types.Var); ok {
		return v
	}
	return nil
}

// enclosingBlock returns the innermost block of a statement's stack, or nil
// at package level.
func enclosingBlock(stack []ast.Node) *ast.BlockStmt {
	for i := len(stack) - 1; i >= 0; i-- {
		switch n := stack[i].(type) {
		case *ast.BlockStmt:
			return n
		case *ast.FuncLit, *ast.FuncDecl:
			return nil
		}
	}
	return nil
}

func (p *program) indexAssign(info *types.Info, lhs, rhs []ast.Expr, tok token.Token, block *ast.BlockStmt) {
	for i, l := range lhs {
		var r ast.Expr
		switch {
		case len(lhs) == len(rhs) && (tok == token.ASSIGN || tok == token.DEFINE):
			r = rhs[i]
		case len(rhs) == 1 && i == 0 && tok != token.ADD_ASSIGN:
			// v, ok := os.LookupEnv("X") and similar: only the first
			// result of a call the resolver knows is followed.
			r = rhs[0]
		}
		l = ast.Unparen(l)
		switch l := l.(type) {
		case *ast.Ident:
			if obj := lhsObject(info, l); obj != nil {
				if tok == token.ADD_ASSIGN && len(lhs) == 1 {
					r = &ast.BinaryExpr{X: l, Op: token.ADD, Y: rhs[0], OpPos: l.Pos()}
				}
				p.assigns[obj] = append(p.assigns[obj], r)
				if tok == token.DEFINE && block != nil && info.Defs[l] != nil {
					p.declBlock[obj] = block
				}
			}
		case *ast.SelectorExpr:
			if sel, ok := info.Selections[l]; ok && sel.Kind() == types.FieldVal {
				if fv, ok := sel.Obj().(*types.Var); ok {
					p.fields[fv] = append(p.fields[fv], r)
					p.fieldAssigned[fv.Origin()] = true
				}
				if obj := lhsObject(info, l.X); obj != nil {
					k := varField{obj, l.Sel.Name}
					p.varField[k] = append(p.varField[k], r)
					if r != nil && block != nil {
						p.stmtBlock[r] = block
					}
				}
			} else if obj, ok := info.Uses[l.Sel].(*types.Var); ok {
				p.assigns[obj] = append(p.assigns[obj], r) // pkg.Var = ...
			}
		case *ast.IndexExpr:
			if obj := lhsObject(info, l.X); obj != nil {
				switch obj.Type().Underlying().(type) {
				case *types.Map:
					p.mapKeys[obj] = append(p.mapKeys[obj], l.Index)
				default: // a slice or array element
					p.elems[obj] = append(p.elems[obj], r)
				}
			}
		case *ast.StarExpr:
			if obj := lhsObject(info, l.X); obj != nil {
				p.assigns[obj] = append(p.assigns[obj], nil)
			}
		}
	}
}

func (p *program) indexCompositeLit(info *types.Info, lit *ast.CompositeLit) {
	t := info.TypeOf(lit)
	if t == nil {
		return
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return
	}
	for i, e := range lit.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			if id, ok := kv.Key.(*ast.Ident); ok {
				if fv, ok := info.Uses[id].(*types.Var); ok {
					p.fields[fv] = append(p.fields[fv], kv.Value)
				}
			}
			continue
		}
		if i < st.NumFields() {
			p.fields[st.Field(i)] = append(p.fields[st.Field(i)], e)
		}
	}
}

// calleeFunc returns the function or method a call statically names
// (interface methods included), or nil.
func calleeFunc(info *types.Info, call *ast.CallExpr) *types.Func {
	return funcOf(info, call.Fun)
}

func funcOf(info *types.Info, e ast.Expr) *types.Func {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	var obj types.Object
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		obj = info.Uses[x]
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[x]; ok {
			obj = sel.Obj()
		} else {
			obj = info.Uses[x.Sel]
		}
	}
	if fn, ok := obj.(*types.Func); ok {
		return fn.Origin()
	}
	return nil
}

// splitFuncName splits a Go runtime function name into its package path
// and the rest: "example.com/m/api.(*Server).Get-fm" gives
// "example.com/m/api" and "(*Server).Get-fm".
func splitFuncName(name string) (pkgPath, rest string, ok bool) {
	slash := strings.LastIndex(name, "/")
	dot := strings.Index(name[slash+1:], ".")
	if dot < 0 {
		return "", "", false
	}
	return name[:slash+1+dot], name[slash+1+dot+1:], true
}

// findHandler finds the code of a manifest handler.
func (p *program) findHandler(h manifest.Handler) ([]root, error) {
	pkgPath, rest, ok := splitFuncName(h.Name)
	if !ok {
		return nil, fmt.Errorf("handler %q: not a Go function name", h.Name)
	}
	pkg := p.byPath[pkgPath]
	if pkgPath == "main" {
		pkg = p.main
	}
	rest = strings.TrimSuffix(rest, "-fm")
	if pkg == nil {
		// "*api.Server.ServeHTTP": reflect's type string (package name,
		// not path) of an http.Handler value.
		if r, ok := p.findTypeMethod(h.Name); ok {
			return []root{r}, nil
		}
		return nil, fmt.Errorf("handler %s: package %s is not part of the analysed code", h.Name, pkgPath)
	}
	// Closures: locate by file and line when the manifest has them.
	parts := strings.Split(rest, ".")
	var closure []string
	for i, s := range parts {
		if strings.HasPrefix(s, "func") && i > 0 {
			closure = parts[i:]
			parts = parts[:i]
			break
		}
	}
	if len(closure) > 0 && h.Line > 0 {
		if lit := p.findLitAt(pkg, h.File, h.Line); lit != nil {
			return []root{{pkg: pkg, lit: lit}}, nil
		}
	}
	decl := p.findDecl(pkg, parts)
	if decl == nil {
		return nil, fmt.Errorf("handler %s: no function %s in package %s (is the manifest from this source?)", h.Name, strings.Join(parts, "."), pkg.PkgPath)
	}
	if len(closure) == 0 {
		return []root{{pkg: pkg, decl: decl}}, nil
	}
	// Number closures as the compiler does: funcN is the Nth function
	// literal directly inside, in source order; a further ".M" the Mth
	// inside that.
	var node ast.Node = decl.Body
	var lit *ast.FuncLit
	for i, c := range closure {
		n := 0
		if i == 0 {
			if _, err := fmt.Sscanf(c, "func%d", &n); err != nil {
				return nil, fmt.Errorf("handler %s: cannot read closure %q", h.Name, c)
			}
		} else if _, err := fmt.Sscanf(c, "%d", &n); err != nil {
			return nil, fmt.Errorf("handler %s: cannot read closure %q", h.Name, c)
		}
		lits := directLits(node)
		if n < 1 || n > len(lits) {
			return nil, fmt.Errorf("handler %s: closure %s not found", h.Name, c)
		}
		lit = lits[n-1]
		node = lit.Body
	}
	return []root{{pkg: pkg, lit: lit}}, nil
}

func directLits(n ast.Node) []*ast.FuncLit {
	var out []*ast.FuncLit
	ast.Inspect(n, func(x ast.Node) bool {
		if lit, ok := x.(*ast.FuncLit); ok {
			out = append(out, lit)
			return false
		}
		return true
	})
	return out
}

func (p *program) findLitAt(pkg *packages.Package, file string, line int) *ast.FuncLit {
	var found *ast.FuncLit
	for _, f := range pkg.Syntax {
		name := p.fset.File(f.Pos()).Name()
		if !sameFile(name, file, p.modDir, p.modPath) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if found != nil {
				return false
			}
			if lit, ok := n.(*ast.FuncLit); ok && p.fset.Position(lit.Pos()).Line == line {
				found = lit
				return false
			}
			return true
		})
	}
	return found
}

// sameFile reports whether the absolute path abs is the manifest's file,
// which is absolute or, with -trimpath, "<module path>/<relative path>".
func sameFile(abs, file, modDir, modPath string) bool {
	if file == "" || abs == file {
		return abs == file && file != ""
	}
	if modDir != "" && modPath != "" {
		if rel, err := filepath.Rel(modDir, abs); err == nil && modPath+"/"+filepath.ToSlash(rel) == file {
			return true
		}
	}
	return strings.HasSuffix(filepath.ToSlash(abs), "/"+file)
}

func (p *program) findDecl(pkg *packages.Package, parts []string) *ast.FuncDecl {
	var recv, name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		recv, name = strings.Trim(parts[0], "()*"), parts[1]
	default:
		return nil
	}
	if i := strings.Index(name, "["); i >= 0 {
		name = name[:i] // generic instantiation "F[...]"
	}
	if i := strings.Index(recv, "["); i >= 0 {
		recv = recv[:i]
	}
	scope := pkg.Types.Scope()
	var fn *types.Func
	if recv == "" {
		fn, _ = scope.Lookup(name).(*types.Func)
	} else if tn, ok := scope.Lookup(recv).(*types.TypeName); ok {
		obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(tn.Type()), true, pkg.Types, name)
		fn, _ = obj.(*types.Func)
	}
	if fn == nil {
		return nil
	}
	return p.decls[fn.Origin()]
}

// findTypeMethod finds "*pkgname.Type.Method" (reflect's spelling).
func (p *program) findTypeMethod(name string) (root, bool) {
	s := strings.TrimPrefix(name, "*")
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return root{}, false
	}
	for _, pkg := range p.pkgs {
		if pkg.Name != parts[0] {
			continue
		}
		if d := p.findDecl(pkg, parts[1:]); d != nil {
			return root{pkg: pkg, decl: d}, true
		}
	}
	return root{}, false
}

// startupRoots returns the code that runs in every function of the binary
// before any handler: main, and every init function and package-level
// variable initializer of the analysed packages.
func (p *program) startupRoots() []root {
	var roots []root
	for _, pkg := range p.pkgs {
		for _, f := range pkg.Syntax {
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv != nil || d.Body == nil {
						continue
					}
					if d.Name.Name == "init" || (pkg == p.main && d.Name.Name == "main") {
						roots = append(roots, root{pkg: pkg, decl: d})
					}
				case *ast.GenDecl:
					if d.Tok != token.VAR {
						continue
					}
					for _, spec := range d.Specs {
						if vs, ok := spec.(*ast.ValueSpec); ok && len(vs.Values) > 0 {
							roots = append(roots, root{pkg: pkg, spec: vs})
						}
					}
				}
			}
		}
	}
	return roots
}

// middlewareRoots returns the functions passed to the app library's Use
// and WithMiddleware: they wrap every route, so they are roots of the API
// handler.
func (p *program) middlewareRoots() []root {
	var roots []root
	for _, pkg := range p.pkgs {
		for _, f := range pkg.Syntax {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				fn := calleeFunc(pkg.TypesInfo, call)
				if fn == nil || !isAppLibrary(pkgPath(fn)) || (fn.Name() != "Use" && fn.Name() != "WithMiddleware") {
					return true
				}
				for _, a := range call.Args {
					roots = append(roots, p.rootsIn(pkg, a)...)
				}
				return true
			})
		}
	}
	return roots
}

// callsLambdaStart reports whether the main package calls lambda.Start or
// one of its variants.
func (p *program) callsLambdaStart() bool {
	found := false
	for _, f := range p.main.Syntax {
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if fn := calleeFunc(p.main.TypesInfo, call); fn != nil && pkgPath(fn) == lambdaPkg && strings.HasPrefix(fn.Name(), "Start") {
					found = true
				}
			}
			return !found
		})
	}
	return found
}

// rootsIn returns the functions an expression names or writes, and, for a
// value of a type with methods (an http.Handler), those methods.
func (p *program) rootsIn(pkg *packages.Package, e ast.Expr) []root {
	var roots []root
	info := pkg.TypesInfo
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			roots = append(roots, root{pkg: pkg, lit: n})
			return false
		case *ast.Ident, *ast.SelectorExpr:
			if fn := funcOf(info, n.(ast.Expr)); fn != nil {
				if d := p.decls[fn]; d != nil {
					roots = append(roots, root{pkg: p.declPkg[fn], decl: d})
				}
			}
		}
		return true
	})
	if len(roots) == 0 {
		if t := info.TypeOf(e); t != nil {
			ms := types.NewMethodSet(t)
			for i := 0; i < ms.Len(); i++ {
				if fn, ok := ms.At(i).Obj().(*types.Func); ok && p.decls[fn.Origin()] != nil {
					roots = append(roots, root{pkg: p.declPkg[fn.Origin()], decl: p.decls[fn.Origin()]})
				}
			}
		}
	}
	return roots
}

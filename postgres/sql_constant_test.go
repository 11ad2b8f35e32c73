package postgres_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSQLIsConstant reads the store's source and fails on any query whose
// text is not built from constants alone: a string literal, a const, a
// variable only ever given such text, their concatenation, or a function
// of this package called with such text (prefixed). Values reach
// PostgreSQL only as parameters ($1, $2, ...), so nothing a mother or a
// midwife wrote can change what a statement does. fmt.Sprintf, a
// strings.Builder or a function's parameter as SQL are refused.
func TestSQLIsConstant(t *testing.T) {
	t.Parallel()
	found, problems := checkSQLConstant(t, ".")
	for _, p := range problems {
		t.Error(p)
	}
	// The check must see the store's queries, or it proves nothing.
	if found < 50 {
		t.Errorf("only %d queries found in postgres/*.go; the check no longer sees the store's calls", found)
	}
}

// TestSQLCheckCatchesBuiltQueries: the check fails on the ways a query can
// be built from data.
func TestSQLCheckCatchesBuiltQueries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package bad

import (
	"context"
	"fmt"
	"strings"
)

type db interface {
	Exec(ctx context.Context, sql string, args ...any) (any, error)
	QueryRow(ctx context.Context, sql string, args ...any) any
	Query(ctx context.Context, sql string, args ...any) (any, error)
}

type batch struct{}

func (batch) Queue(sql string, args ...any) {}

const good = "SELECT 1"

func columns(table string) string { return table + ".id" }

func bad(ctx context.Context, d db, name string, b batch) {
	d.Exec(ctx, fmt.Sprintf("DELETE FROM t WHERE name = '%s'", name)) // bad 1
	d.QueryRow(ctx, "SELECT * FROM t WHERE name = '"+name+"'")         // bad 2
	q := good
	q += " WHERE name = '" + name + "'"
	d.Query(ctx, q) // bad 3
	var sb strings.Builder
	sb.WriteString(good)
	d.Exec(ctx, sb.String()) // bad 4
	b.Queue(name)            // bad 5
	d.Query(ctx, columns(name)) // bad 6

	d.Exec(ctx, good, name)
	d.Exec(ctx, "SELECT "+columns("t")+" FROM t WHERE name = $1", name)
	r := ` + "`SELECT 2`" + `
	d.QueryRow(ctx, r)
	b.Queue(good+" -- fine", name)
}
`
	if err := writeFile(filepath.Join(dir, "bad.go"), src); err != nil {
		t.Fatal(err)
	}
	found, problems := checkSQLConstant(t, dir)
	if found != 10 {
		t.Errorf("found %d queries, want 10", found)
	}
	for i := 1; i <= 6; i++ {
		want := "bad.go:" + lineOf(src, "// bad "+string(rune('0'+i)))
		if !hasPrefixIn(problems, want) {
			t.Errorf("query %q not refused; problems: %q", want, problems)
		}
	}
	if len(problems) != 6 {
		t.Errorf("%d problems, want 6: %q", len(problems), problems)
	}
}

// sqlMethods are the pgx calls that take SQL, and which argument it is.
var sqlMethods = map[string]int{"Exec": 1, "Query": 1, "QueryRow": 1, "Queue": 0, "Prepare": 2}

// checkSQLConstant parses the non-test Go files of dir and returns how many
// SQL calls it found and one line for each whose SQL is not constant.
func checkSQLConstant(t *testing.T, dir string) (found int, problems []string) {
	t.Helper()
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	c := &sqlChecker{consts: map[string]bool{}, funcs: map[string]bool{}, globals: map[string][]ast.Expr{}}
	for _, f := range files {
		c.collect(f)
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				i, ok := sqlMethods[sel.Sel.Name]
				if !ok || len(call.Args) <= i {
					return true
				}
				found++
				if !c.constant(call.Args[i], fn.Body, 0) {
					pos := fset.Position(call.Args[i].Pos())
					problems = append(problems, filepath.Base(pos.Filename)+":"+strconv.Itoa(pos.Line)+": SQL built from something not constant; pass values as $n parameters")
				}
				return true
			})
		}
	}
	return found, problems
}

type sqlChecker struct {
	consts  map[string]bool       // package-level constants
	funcs   map[string]bool       // package-level functions
	globals map[string][]ast.Expr // package-level variables and their values
}

func (c *sqlChecker) collect(f *ast.File) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				c.funcs[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				vs, ok := spec.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, name := range vs.Names {
					switch {
					case d.Tok == token.CONST:
						c.consts[name.Name] = true
					case i < len(vs.Values):
						c.globals[name.Name] = append(c.globals[name.Name], vs.Values[i])
					default:
						c.globals[name.Name] = append(c.globals[name.Name], nil)
					}
				}
			}
		}
	}
}

// constant reports whether e is text built from constants only. body is
// the function it is in, searched for what is assigned to its variables.
func (c *sqlChecker) constant(e ast.Expr, body *ast.BlockStmt, depth int) bool {
	if depth > 20 {
		return false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.STRING
	case *ast.ParenExpr:
		return c.constant(e.X, body, depth+1)
	case *ast.BinaryExpr:
		return e.Op == token.ADD && c.constant(e.X, body, depth+1) && c.constant(e.Y, body, depth+1)
	case *ast.CallExpr:
		// A function of this package given constants (prefixed("b", cols)).
		fn, ok := e.Fun.(*ast.Ident)
		if !ok || !c.funcs[fn.Name] {
			return false
		}
		for _, a := range e.Args {
			if !c.constant(a, body, depth+1) {
				return false
			}
		}
		return true
	case *ast.Ident:
		if e.Obj != nil && e.Obj.Kind == ast.Con {
			return true
		}
		if e.Obj != nil && e.Obj.Kind == ast.Var && within(e.Obj, body) {
			values, ok := assignedIn(body, e.Obj)
			if !ok || len(values) == 0 {
				return false // a parameter, or assigned in a way not followed
			}
			for _, v := range values {
				if v == nil || !c.constant(v, body, depth+1) {
					return false
				}
			}
			return true
		}
		global := e.Obj == nil || (e.Obj.Kind == ast.Var && isPackageLevel(e.Obj))
		if global && c.consts[e.Name] {
			return true
		}
		if values, ok := c.globals[e.Name]; ok && global {
			for _, v := range values {
				if v == nil || !c.constant(v, body, depth+1) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// assignedIn returns every value given to the local variable obj in body;
// false when it is given one in a way not followed (+=, a multi-value
// call, a range) or is not declared in body (a parameter).
func assignedIn(body *ast.BlockStmt, obj *ast.Object) ([]ast.Expr, bool) {
	var values []ast.Expr
	declared, ok := false, true
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				id, isIdent := lhs.(*ast.Ident)
				if !isIdent || id.Obj != obj {
					continue
				}
				if n.Tok == token.DEFINE {
					declared = true
				}
				if (n.Tok != token.ASSIGN && n.Tok != token.DEFINE) || len(n.Rhs) != len(n.Lhs) {
					ok = false
					continue
				}
				values = append(values, n.Rhs[i])
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if name.Obj != obj {
					continue
				}
				declared = true
				if i < len(n.Values) {
					values = append(values, n.Values[i])
				} else {
					values = append(values, &ast.BasicLit{Kind: token.STRING, Value: `""`})
				}
			}
		case *ast.RangeStmt:
			for _, x := range []ast.Expr{n.Key, n.Value} {
				if id, isIdent := x.(*ast.Ident); isIdent && id.Obj == obj {
					ok = false
				}
			}
		}
		return true
	})
	return values, ok && declared
}

// within reports whether obj is declared inside body.
func within(obj *ast.Object, body *ast.BlockStmt) bool {
	n, ok := obj.Decl.(ast.Node)
	return ok && n.Pos() >= body.Pos() && n.End() <= body.End()
}

// isPackageLevel reports whether a variable is declared by a var spec at
// the top of a file (a parameter is declared by a field).
func isPackageLevel(obj *ast.Object) bool {
	_, ok := obj.Decl.(*ast.ValueSpec)
	return ok
}

func writeFile(path, text string) error { return os.WriteFile(path, []byte(text), 0o644) }

// lineOf is the number of the line of text holding marker, as text.
func lineOf(text, marker string) string {
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, marker) {
			return strconv.Itoa(i + 1)
		}
	}
	return "?"
}

func hasPrefixIn(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix+":") {
			return true
		}
	}
	return false
}

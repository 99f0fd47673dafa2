// Package scaffold writes the files of a new task: `sandbox new-task NAME`.
//
// A task NAME becomes the package tasks/PKG (PKG is NAME without its
// hyphens) holding a robot model file PKG.json, the task PKG.go and its
// conformance test PKG_test.go, and one blank import in tasks/all/all.go,
// the list of task packages that both binaries link. The task is a
// two-link arm pushing a puck on a table: it builds, passes the
// conformance suite and runs under every controller as written, and is
// meant to be changed into the user's own.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var templates embed.FS

// Module is the module path the scaffold writes into.
const Module = "sandbox"

// AllFile is the list of task packages, relative to the module root.
const AllFile = "tasks/all/all.go"

// UsageError is a NAME that cannot be used, or a directory that is not
// the module: a mistake in the command line.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &UsageError{fmt.Sprintf(format, a...)} }

// Names are what a task NAME turns into.
type Names struct {
	ID      string // the task id: "two-link-pusher"
	Package string // its package: "twolinkpusher"
	Type    string // its task type: "TwoLinkPusher"
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// clashes are package names that would shadow or confuse what the
// generated files import or the Go tool means.
var clashes = []string{"all", "assert", "embed", "fmt", "main", "math", "rand", "require", "sync", "testing"}

// NamesOf checks name's form and returns what it turns into.
func NamesOf(name string) (Names, error) {
	if len(name) > 40 || !nameRE.MatchString(name) {
		return Names{}, usagef("task name %q: want lower-case letters and digits, words joined by \"-\", starting with a letter, at most 40 characters (e.g. pusher, two-link-pusher)", name)
	}
	n := Names{ID: name, Package: strings.ReplaceAll(name, "-", "")}
	for _, w := range strings.Split(name, "-") {
		n.Type += strings.ToUpper(w[:1]) + w[1:]
	}
	if token.IsKeyword(n.Package) || slices.Contains(clashes, n.Package) {
		return Names{}, usagef("task name %q: package name %q clashes with Go or with what the task imports: pick another", name, n.Package)
	}
	return n, nil
}

// Root returns the root of the sandbox module at or above dir.
func Root(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
			if modulePath(b) != Module {
				return "", usagef("%s is module %q, not %q: run new-task inside the sandbox's source tree", filepath.Join(d, "go.mod"), modulePath(b), Module)
			}
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", usagef("no go.mod above %s: run new-task inside the sandbox's source tree", dir)
		}
	}
}

func modulePath(gomod []byte) string {
	for _, l := range strings.Split(string(gomod), "\n") {
		if p, ok := strings.CutPrefix(strings.TrimSpace(l), "module "); ok {
			return strings.Trim(strings.TrimSpace(p), `"`)
		}
	}
	return ""
}

// New writes the task NAME into the module at root and registers it in
// tasks/all/all.go. known lists the task ids already registered. It
// returns the files written and changed, relative to root. It never
// overwrites a file; on an error it leaves the tree as it was.
func New(root, name string, known []string) ([]string, error) {
	n, err := NamesOf(name)
	if err != nil {
		return nil, err
	}
	if slices.Contains(known, n.ID) {
		return nil, usagef("task name %q: a task with that id is already registered", n.ID)
	}
	if p, err := packageNamed(root, n.Package); err != nil {
		return nil, err
	} else if p != "" {
		return nil, usagef("task name %q: package name %q is taken by %s/%s: pick another", n.ID, n.Package, Module, p)
	}
	dir := filepath.Join("tasks", n.Package)
	if _, err := os.Lstat(filepath.Join(root, dir)); err == nil {
		return nil, usagef("task name %q: %s already exists, and new-task never overwrites files", n.ID, dir)
	}
	allPath := filepath.Join(root, AllFile)
	all, err := os.ReadFile(allPath)
	if err != nil {
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	newAll, err := addImport(all, Module+"/tasks/"+n.Package)
	var ue *UsageError
	if errors.As(err, &ue) {
		return nil, usagef("task name %q: %v", n.ID, err)
	} else if err != nil {
		return nil, fmt.Errorf("scaffold: %s: %w", AllFile, err)
	}
	files, err := Render(n)
	if err != nil {
		return nil, err
	}

	if err := os.Mkdir(filepath.Join(root, dir), 0o777); err != nil {
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, f.Name)
		if err := writeNew(filepath.Join(root, p), f.Data); err != nil {
			os.RemoveAll(filepath.Join(root, dir))
			return nil, fmt.Errorf("scaffold: %w", err)
		}
		written = append(written, p)
	}
	tmp := allPath + ".new-task"
	if err := writeNew(tmp, newAll); err != nil {
		os.RemoveAll(filepath.Join(root, dir))
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	if err := os.Rename(tmp, allPath); err != nil {
		os.Remove(tmp)
		os.RemoveAll(filepath.Join(root, dir))
		return nil, fmt.Errorf("scaffold: %w", err)
	}
	return append(written, AllFile), nil
}

// File is a generated file.
type File struct {
	Name string // in the task's directory
	Data []byte
}

// Render returns the task's files: the model, the task and its test.
func Render(n Names) ([]File, error) {
	var out []File
	for _, f := range []struct{ tmpl, name string }{
		{"model.json.tmpl", n.Package + ".json"},
		{"task.go.tmpl", n.Package + ".go"},
		{"task_test.go.tmpl", n.Package + "_test.go"},
	} {
		t, err := template.ParseFS(templates, "templates/"+f.tmpl)
		if err != nil {
			return nil, fmt.Errorf("scaffold: %w", err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, n); err != nil {
			return nil, fmt.Errorf("scaffold: %s: %w", f.tmpl, err)
		}
		data := b.Bytes()
		if strings.HasSuffix(f.name, ".go") {
			if data, err = format.Source(data); err != nil {
				return nil, fmt.Errorf("scaffold: %s: %w", f.tmpl, err)
			}
		}
		out = append(out, File{Name: f.name, Data: data})
	}
	return out, nil
}

// packageNamed returns the directory, relative to root, of a package of
// the module whose name is pkg, or "".
func packageNamed(root, pkg string) (string, error) {
	found := ""
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Name() != pkg {
			return nil
		}
		if gos, _ := filepath.Glob(filepath.Join(p, "*.go")); len(gos) > 0 {
			found, _ = filepath.Rel(root, p)
			found = filepath.ToSlash(found)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("scaffold: %w", err)
	}
	return found, nil
}

// addImport returns src, a Go file, with a blank import of path added to
// its import block.
func addImport(src []byte, path string) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "all.go", src, parser.ImportsOnly|parser.ParseComments)
	if err != nil {
		return nil, err
	}
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == path {
			return nil, usagef("%s already imports %s", AllFile, path)
		}
	}
	line := fmt.Sprintf("_ %q\n", path)
	at := -1
	switch {
	case len(f.Imports) == 0:
		at = fset.Position(f.Name.End()).Offset
		line = "\n\nimport " + line
	default:
		// The last import declaration: before its ")" if it has one, else
		// after it as a declaration of its own.
		last := f.Imports[len(f.Imports)-1]
		for _, d := range f.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT && gd.Pos() <= last.Pos() && last.End() <= gd.End() {
				if gd.Rparen.IsValid() {
					at = fset.Position(gd.Rparen).Offset
				} else {
					at = fset.Position(gd.End()).Offset
					line = "\nimport " + line
				}
			}
		}
	}
	out := append(append(append([]byte(nil), src[:at]...), line...), src[at:]...)
	formatted, err := format.Source(out)
	if err != nil {
		return nil, errors.New("could not add the import: " + err.Error())
	}
	return formatted, nil
}

// writeNew writes a file that must not exist yet.
func writeNew(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

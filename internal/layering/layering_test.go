// Package layering checks the import rules of docs/design.md with `go list`, so
// they cannot rot: a package imports only packages to its right in
//
//	cmd/sandbox → viewer → tasks → robots → sim → box2d
//	     └──────→ mbrl → control, tasks
//
// only sim imports box2d, only viewer imports ebiten, and control is pure
// math.
package layering

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "sandbox"

// allowed lists, for each package (or package tree, with a trailing "/..."),
// the module packages it may import. The most specific match wins: the
// longest, and a package's own name over its tree.
var allowed = map[string][]string{
	"assets":          {},
	"internal/...":    {"internal/..."},
	"sim":             {},
	"robots":          {"sim", "assets", "internal/jsonfile"},
	"control":         {},
	"tasks":           {"robots", "sim", "control"},
	"tasks/taskstest": {"tasks", "sim"},
	// Task packages outside the tasks package (`sandbox new-task` writes
	// tasks/NAME) use the public API only; tasks/all, which both binaries
	// import, links them and the worked examples.
	"tasks/...":  {"tasks", "robots", "sim", "control", "assets"},
	"tasks/all":  {"tasks/...", "examples/..."},
	"mbrl":       {"mbrl/...", "tasks", "control", "internal/..."},
	"mbrl/...":   {"mbrl/...", "tasks", "control", "internal/..."},
	"viewer/...": {"viewer/...", "tasks", "robots", "sim", "control", "internal/..."},
	"viewer":     {"viewer/...", "tasks", "robots", "sim", "control", "internal/..."},
	"cmd/...":    {"..."},
	// Worked examples use the public API only; cmd/... links them.
	"examples/...": {"tasks", "robots", "sim", "control", "assets"},
}

// external imports reserved to one part of the tree.
var reserved = map[string][]string{
	"github.com/ByteArena/box2d":       {"sim"},
	"github.com/hajimehoshi/ebiten/v2": {"viewer", "viewer/...", "cmd/sandbox-view"},
}

func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == p || strings.HasPrefix(pkg, p+"/")
	}
	return pkg == pattern
}

func rule(pkg string) ([]string, bool) {
	best, bestScore, found := []string(nil), -1, false
	for pat, deps := range allowed {
		base, tree := strings.CutSuffix(pat, "/...")
		score := 2 * len(base)
		if !tree {
			score++
		}
		if match(pat, pkg) && score > bestScore {
			best, bestScore, found = deps, score, true
		}
	}
	return best, found
}

func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"/...").Output()
	require.NoError(t, err, "go list")
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(lines), 5, "go list found too few packages")
	for _, line := range lines {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(strings.TrimPrefix(fields[0], module), "/")
		deps, ok := rule(pkg)
		if !ok {
			t.Errorf("package %q has no layering rule: add it to allowed", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			for ext, owners := range reserved {
				if strings.HasPrefix(imp, ext) && !anyMatch(owners, pkg) {
					t.Errorf("%s imports %s, reserved to %v", pkg, imp, owners)
				}
			}
			dep, internal := strings.CutPrefix(imp, module+"/")
			if !internal || dep == pkg {
				continue
			}
			if !anyMatch(deps, dep) {
				t.Errorf("%s imports %s: not allowed by the layering (allowed: %v)", pkg, dep, deps)
			}
		}
	}
}

func anyMatch(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if match(p, pkg) {
			return true
		}
	}
	return false
}

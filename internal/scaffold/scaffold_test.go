package scaffold_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/scaffold"
)

func TestNamesOf(t *testing.T) {
	n, err := scaffold.NamesOf("two-link-pusher")
	require.NoError(t, err)
	assert.Equal(t, scaffold.Names{ID: "two-link-pusher", Package: "twolinkpusher", Type: "TwoLinkPusher"}, n)
	for _, bad := range []string{"", "Pusher", "2link", "push_er", "push-", "-push", "a--b", "pusher!", "func", "rand", "all", strings.Repeat("a", 41)} {
		_, err := scaffold.NamesOf(bad)
		var ue *scaffold.UsageError
		assert.True(t, errors.As(err, &ue), "NamesOf(%q) = %v, want a usage error", bad, err)
	}
}

// fakeModule writes a minimal tree that New accepts: go.mod, the list of
// task packages, a package "sim" and a directory tasks/taken.
func fakeModule(t *testing.T) string {
	root := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":               "module sandbox\n\ngo 1.24\n",
		scaffold.AllFile:       "package all\n\nimport (\n\t_ \"sandbox/examples/pendulum\"\n)\n",
		"sim/sim.go":           "package sim\n",
		"tasks/taken/notes.md": "not a package, but a directory new-task must not write into\n",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o777))
		require.NoError(t, os.WriteFile(filepath.Join(root, name), []byte(data), 0o666))
	}
	return root
}

func TestNewRefusesAndWritesNothing(t *testing.T) {
	root := fakeModule(t)
	before := tree(t, root)
	for _, tc := range []struct{ name, want string }{
		{"Pusher", `task name "Pusher": want lower-case letters and digits, words joined by "-", starting with a letter, at most 40 characters (e.g. pusher, two-link-pusher)`},
		{"type", `task name "type": package name "type" clashes with Go or with what the task imports: pick another`},
		{"reacher", `task name "reacher": a task with that id is already registered`},
		{"sim", `task name "sim": package name "sim" is taken by sandbox/sim: pick another`},
		{"taken", `task name "taken": tasks/taken already exists, and new-task never overwrites files`},
	} {
		_, err := scaffold.New(root, tc.name, []string{"reacher", "pendulum"})
		var ue *scaffold.UsageError
		require.True(t, errors.As(err, &ue), "New(%q) = %v, want a usage error", tc.name, err)
		assert.Equal(t, tc.want, err.Error())
	}
	assert.Equal(t, before, tree(t, root), "a refused name writes nothing")

	_, err := scaffold.Root(t.TempDir())
	assert.ErrorContains(t, err, "no go.mod above")
	sub := filepath.Join(root, "tasks", "taken")
	got, err := scaffold.Root(sub)
	require.NoError(t, err)
	assert.Equal(t, root, got)
}

func TestNewRegistersOnce(t *testing.T) {
	root := fakeModule(t)
	files, err := scaffold.New(root, "two-link-pusher", nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"tasks/twolinkpusher/twolinkpusher.json", "tasks/twolinkpusher/twolinkpusher.go",
		"tasks/twolinkpusher/twolinkpusher_test.go", scaffold.AllFile}, files)
	all, err := os.ReadFile(filepath.Join(root, scaffold.AllFile))
	require.NoError(t, err)
	assert.Equal(t, "package all\n\nimport (\n\t_ \"sandbox/examples/pendulum\"\n\t_ \"sandbox/tasks/twolinkpusher\"\n)\n", string(all))

	require.NoError(t, os.RemoveAll(filepath.Join(root, "tasks", "twolinkpusher")))
	_, err = scaffold.New(root, "two-link-pusher", nil)
	assert.EqualError(t, err, `task name "two-link-pusher": tasks/all/all.go already imports sandbox/tasks/twolinkpusher`)
}

func TestNewAddsAnImportBlock(t *testing.T) {
	for _, src := range []string{"package all\n", "package all\n\nimport _ \"sandbox/examples/pendulum\"\n"} {
		root := fakeModule(t)
		require.NoError(t, os.WriteFile(filepath.Join(root, scaffold.AllFile), []byte(src), 0o666))
		_, err := scaffold.New(root, "pusher", nil)
		require.NoError(t, err)
		all, err := os.ReadFile(filepath.Join(root, scaffold.AllFile))
		require.NoError(t, err)
		assert.Contains(t, string(all), `_ "sandbox/tasks/pusher"`)
		assert.True(t, strings.HasPrefix(string(all), src[:len(src)-1]), "the file keeps what it had:\n%s", all)
	}
}

// TestGeneratedTaskPasses writes a task into a copy of the packages a task
// builds on and runs `go vet` and `go test` there: the generated code
// compiles, registers, and passes the conformance suite as written. About
// 10 s with a warm build cache (the copy's packages hit it).
func TestGeneratedTaskPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests a generated package")
	}
	root, err := scaffold.Root(".")
	require.NoError(t, err)
	tmp := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "assets", "sim", "robots", "tasks", "control", "examples", "internal/jsonfile"} {
		copyTree(t, filepath.Join(root, name), filepath.Join(tmp, name))
	}
	// The copy's own list, whatever the tree's lists: the worked example.
	require.NoError(t, os.RemoveAll(filepath.Join(tmp, "tasks", "pusher")))
	require.NoError(t, os.WriteFile(filepath.Join(tmp, scaffold.AllFile),
		[]byte("package all\n\nimport (\n\t_ \"sandbox/examples/pendulum\"\n)\n"), 0o666))
	_, err = scaffold.New(tmp, "pusher", []string{"reacher"})
	require.NoError(t, err)
	for _, args := range [][]string{{"vet", "./tasks/pusher/", "./tasks/all/"}, {"test", "-count=1", "./tasks/pusher/"}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s:\n%s", strings.Join(args, " "), out)
	}
}

func copyTree(t *testing.T, from, to string) {
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o777)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o666)
	})
	require.NoError(t, err)
}

// tree lists the files under root with their contents.
func tree(t *testing.T, root string) map[string]string {
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	require.NoError(t, err)
	return out
}

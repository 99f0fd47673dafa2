package main

import (
	"image/gif"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordWritesAGIFWithoutADisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	out := filepath.Join(t.TempDir(), "r.gif")
	code, stdout, stderr := sandbox("record", "--task", "reacher", "--controller", "scripted", "--out", out, "--width", "160", "--height", "100")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "51 frames")
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	g, err := gif.DecodeAll(f)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(g.Image), 40)
}

func TestRecordAndViewUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"record", "--task", "reacher", "--controller", "zero"},
		{"record", "--task", "reacher", "--controller", "zero", "--out", "x.png"},
		{"record", "--task", "nope", "--controller", "zero", "--out", "x.gif"},
		{"record", "--task", "reacher", "--controller", "telepathy", "--out", filepath.Join(t.TempDir(), "x.gif")},
		{"record", "--task", "reacher", "--controller", "zero", "--out", "x.gif", "--episodes", "0"},
		{"view", "--controller", "zero"},
		{"view", "--task", "nope", "--controller", "zero"},
		{"view", "--task", "reacher", "--controller", "zero", "--screenshot", "x.png"},
		{"view", "--task", "reacher", "--controller", "zero", "--speed", "100"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := sandbox(args...)
			assert.Equal(t, 2, code, stderr)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
		})
	}
}

func TestViewWithoutDisplaySaysSo(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	code, _, stderr := sandbox("view", "--task", "reacher", "--controller", "zero")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "DISPLAY")
}

func TestViewOnADisplayWithoutServerSaysSo(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox-view"), []byte("#!/bin/sh\nexit 0\n"), 0o755))
	t.Setenv("PATH", dir)
	for _, display := range []string{":4711", "localhost:4711", "nonsense"} {
		t.Setenv("DISPLAY", display)
		code, _, stderr := sandbox("view", "--task", "reacher", "--controller", "zero")
		assert.Equal(t, 1, code, stderr)
		assert.Contains(t, stderr, "sandbox view: cannot open a window on DISPLAY="+display+": ")
		assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
	}
}

func TestViewWithoutTheViewerBinaryNamesMakeBuild(t *testing.T) {
	t.Setenv("DISPLAY", ":99")
	t.Setenv("PATH", t.TempDir())
	code, _, stderr := sandbox("view", "--task", "reacher", "--controller", "zero")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "make build")
	assert.Contains(t, stderr, "sandbox-view")
}

func TestViewExecsTheViewerWithItsArguments(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "sandbox-view")
	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\nexit 0\n"), 0o755))
	t.Setenv("DISPLAY", ":99")
	t.Setenv("PATH", dir)
	var gotPath string
	var gotArgs []string
	saved, savedProbe := execView, probeDisplay
	execView = func(path string, argv, env []string) error { gotPath, gotArgs = path, argv; return nil }
	probeDisplay = func(string) error { return nil }
	defer func() { execView, probeDisplay = saved, savedProbe }()
	args := []string{"--task", "reacher", "--controller", "oracle", "--frames", "5", "--screenshot", "s.png"}
	code, _, stderr := sandbox(append([]string{"view"}, args...)...)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, bin, gotPath)
	assert.Equal(t, append([]string{bin}, args...), gotArgs)
}

// The headless binary must not link ebiten, which panics at start-up
// without a display (docs/facts.md).
func TestHeadlessBinaryDoesNotLinkEbiten(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "sandbox/cmd/sandbox").Output()
	require.NoError(t, err)
	assert.NotContains(t, string(out), "ebiten")
	assert.Contains(t, string(out), "sandbox/viewer/session", "record draws with the viewer's code")
}

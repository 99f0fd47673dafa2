package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"sandbox/mbrl"
	"sandbox/viewer/session"
)

func init() {
	register(&command{name: "view", args: "--task T --controller C [--seed S] [--frames N --screenshot F.png]",
		summary: "Watch a controller live in a window (runs the sandbox-view binary).", run: runView})
}

// viewBinary is the window program: this binary cannot link ebiten, which
// panics at start-up without a display.
const viewBinary = "sandbox-view"

// execView replaces the process with the viewer; tests swap it out.
var execView = syscall.Exec

func runView(c *command, args []string, out io.Writer) error {
	var v session.ViewFlags
	fs := newFlags(c)
	v.Define(fs, mbrl.KnownControllers())
	if err := parse(c, fs, args, out); err != nil {
		return err
	}
	if err := v.Check(); err != nil {
		return usageError{err.Error()}
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display: DISPLAY is not set (run under X11, or headless with xvfb-run -a; sandbox record writes a GIF without one)")
	}
	path, err := findViewer()
	if err != nil {
		return err
	}
	return execView(path, append([]string{path}, args...), os.Environ())
}

// findViewer looks for sandbox-view next to this executable, then on PATH.
func findViewer() (string, error) {
	var next string
	if self, err := os.Executable(); err == nil {
		next = filepath.Join(filepath.Dir(self), viewBinary)
		if fi, err := os.Stat(next); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return next, nil
		}
	}
	if p, err := exec.LookPath(viewBinary); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the viewer binary %s is missing (looked next to this program at %s and on PATH): build it with `make build` (or go build -o bin/%s ./cmd/sandbox-view)", viewBinary, next, viewBinary)
}

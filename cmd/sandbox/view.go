package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"sandbox/internal/cli"
	"sandbox/viewer/session"
)

func init() { register(session.ViewCommand(new(session.ViewFlags), runView)) }

// viewBinary is the window program: this binary cannot link ebiten, which
// panics at start-up without a display.
const viewBinary = "sandbox-view"

// execView replaces the process with the viewer; tests swap it out.
var execView = syscall.Exec

// runView execs the viewer with the command line it was given, once the
// flags have passed the same checks the viewer makes.
func runView(inv *cli.Invocation) error {
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display: DISPLAY is not set (run under X11, or headless with xvfb-run -a; sandbox record writes a GIF without one)")
	}
	path, err := findViewer()
	if err != nil {
		return err
	}
	return execView(path, append([]string{path}, inv.Argv...), os.Environ())
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

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"sandbox/internal/cli"
	"sandbox/viewer/session"
)

func init() { register(session.ViewCommand(new(session.ViewFlags), runView)) }

// viewBinary is the window program: this binary cannot link ebiten, which
// panics at start-up without a display.
const viewBinary = "sandbox-view"

// execView replaces the process with the viewer, and probeDisplay checks
// that an X server answers on DISPLAY; tests swap them out.
var (
	execView     = syscall.Exec
	probeDisplay = dialDisplay
)

// runView execs the viewer with the command line it was given, once the
// flags have passed the same checks the viewer makes.
func runView(inv *cli.Invocation) error {
	if os.Getenv("DISPLAY") == "" {
		return errors.New("cannot open a window: DISPLAY is not set (the window needs X11, or XWayland; headless, run under xvfb-run -a; sandbox record writes a GIF without one)")
	}
	path, err := findViewer()
	if err != nil {
		return err
	}
	// The viewer cannot report an unusable display itself: the window
	// library panics while the program starts (docs/facts.md). It probes
	// with XOpenDisplay first; this finds a missing server without
	// starting it.
	if err := probeDisplay(os.Getenv("DISPLAY")); err != nil {
		return err
	}
	return execView(path, append([]string{path}, inv.Argv...), os.Environ())
}

// dialDisplay connects to the X server that display ("[host]:N[.S]")
// names: its Unix socket (also the abstract one) for a local display, TCP
// port 6000+N for a remote one.
func dialDisplay(display string) error {
	host, rest, ok := strings.Cut(display, ":")
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 0 || strings.HasPrefix(rest, ":") {
		return fmt.Errorf("cannot open a window on DISPLAY=%s: not of the form [host]:N[.S]", display)
	}
	var addrs [][2]string
	if host == "" || host == "unix" {
		sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
		addrs = [][2]string{{"unix", sock}, {"unix", "@" + sock}}
	} else {
		addrs = [][2]string{{"tcp", net.JoinHostPort(host, strconv.Itoa(6000+n))}}
	}
	var last error
	for _, a := range addrs {
		c, err := net.DialTimeout(a[0], a[1], 2*time.Second)
		if err == nil {
			return c.Close()
		}
		last = err
	}
	return fmt.Errorf("cannot open a window on DISPLAY=%s: no X server answers (%v); start one, or run headless with xvfb-run -a", display, last)
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

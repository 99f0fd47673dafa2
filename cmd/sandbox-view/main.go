// Command sandbox-view is the live viewer of the sandbox, started by
// `sandbox view` (the headless sandbox binary cannot link ebiten, which
// needs a display at start-up). It takes the same flags:
//
//	sandbox-view --task T --controller C [--seed S] [--frames N --screenshot F.png]
//
// Usage errors exit with status 2, run failures with status 1. With
// --frames it prints the mean frame rate to stderr at exit.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"sandbox/control"
	"sandbox/mbrl"
	"sandbox/tasks"
	"sandbox/viewer"
	"sandbox/viewer/session"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// newController is mbrl.NewController, except that the oracles plan on
// one core fewer than there are, leaving one to the window.
func newController(spec string, env *tasks.Env) (control.Controller, error) {
	return mbrl.NewControllerWorkers(spec, env, max(1, runtime.GOMAXPROCS(0)-1))
}

func run(args []string, stdout, stderr io.Writer) int {
	var v session.ViewFlags
	fs := flag.NewFlagSet("sandbox-view", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	v.Define(fs, mbrl.KnownControllers())
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "Usage: sandbox view --task T --controller C [--seed S] [--frames N --screenshot F.png]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "sandbox view: %v (see sandbox view -h)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sandbox view: unexpected argument %q (see sandbox view -h)\n", fs.Arg(0))
		return 2
	}
	if err := v.Check(); err != nil {
		fmt.Fprintf(stderr, "sandbox view: %v (see sandbox view -h)\n", err)
		return 2
	}
	cfg := session.Config{
		Task: v.Task, Controller: v.Controller, Seed: v.Seed, NewController: newController,
		Controllers: append([]string(nil), mbrl.ControllerNames...),
	}
	s, err := session.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "sandbox view: %v (see sandbox view -h)\n", err)
		return 2
	}
	if v.CPUProfile != "" {
		f, err := os.Create(v.CPUProfile)
		if err != nil {
			fmt.Fprintf(stderr, "sandbox view: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "sandbox view: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	res, err := viewer.Run(viewer.Options{Session: s, Width: v.Width, Height: v.Height, Speed: v.Speed,
		Contacts: v.Contacts, Candidates: v.Candidates, Frames: v.Frames, Screenshot: v.Screenshot, Log: stderr})
	if err != nil {
		fmt.Fprintf(stderr, "sandbox view: %v\n", err)
		return 1
	}
	if v.Frames > 0 {
		fmt.Fprintf(stderr, "sandbox view: %d frames in %.2f s: mean %.1f FPS; real-time factor %.2f\n",
			res.Frames, res.Seconds, res.MeanFPS, res.RealTimeFactor)
	}
	return 0
}

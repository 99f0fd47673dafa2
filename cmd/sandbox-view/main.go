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
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"sandbox/control"
	"sandbox/internal/cli"
	"sandbox/mbrl"
	"sandbox/tasks"
	"sandbox/viewer"
	"sandbox/viewer/session"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// newController is mbrl.NewController: the oracles plan on every core. The
// window needs little of one (it draws at most 60 frames a second, and the
// Runner's thread runs at a lower priority), so leaving it a whole core
// halved the oracle's real-time factor on two cores.
func newController(spec string, env *tasks.Env) (control.Controller, error) {
	return mbrl.NewControllerWorkers(spec, env, runtime.GOMAXPROCS(0))
}

// program is the sandbox command whose view this binary is: its name in
// messages, and what the flags accept.
var program = &cli.Program{
	Name:  "sandbox",
	Known: cli.Known{Tasks: tasks.IDs, Controllers: mbrl.KnownControllers(), Algos: mbrl.Algos},
}

func run(args []string, stdout, stderr io.Writer) int {
	var v session.ViewFlags
	return program.RunCommand(session.ViewCommand(&v, func(inv *cli.Invocation) error { return view(&v, inv.Stderr) }), args, stdout, stderr)
}

// view opens the window and runs the session until it closes or has shown
// v.Frames frames.
func view(v *session.ViewFlags, stderr io.Writer) error {
	cfg := session.Config{
		Task: v.Task, Controller: mbrl.ResolveZooBest(v.Controller, v.Task), Seed: v.Seed,
		NewController: newController, Cycle: cycle,
	}
	s, err := session.New(cfg)
	if err != nil {
		return session.InputError(err)
	}
	if v.CPUProfile != "" {
		f, err := os.Create(v.CPUProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := viewer.Run(viewer.Options{Session: s, Width: v.Width, Height: v.Height, Speed: v.Speed,
		Contacts: v.Contacts, Candidates: v.Candidates, Frames: v.Frames, Screenshot: v.Screenshot, Log: stderr})
	if err != nil {
		return err
	}
	if v.Frames > 0 {
		fmt.Fprintf(stderr, "sandbox view: %d frames in %.2f s: mean %.1f FPS; real-time factor %.2f\n",
			res.Frames, res.Seconds, res.MeanFPS, res.RealTimeFactor)
	}
	return nil
}

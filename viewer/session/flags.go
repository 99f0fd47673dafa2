package session

import (
	"flag"
	"fmt"
	"strings"

	"sandbox/tasks"
)

// ViewFlags are the flags of `sandbox view`, shared by the sandbox command
// (which checks them and prints help without needing a display) and the
// sandbox-view binary (which opens the window).
type ViewFlags struct {
	Task, Controller string
	Seed             uint64
	Frames           int
	Screenshot       string
	Width, Height    int
	Speed            float64
	Contacts         bool
	Candidates       bool
	CPUProfile       string

	controllers string // the known controller specs, for help and errors
}

// Define registers the flags on fs; controllers lists the controller specs
// the caller's factory knows, for help and errors.
func (v *ViewFlags) Define(fs *flag.FlagSet, controllers string) {
	v.controllers = controllers
	fs.StringVar(&v.Task, "task", "", "task id (see sandbox tasks)")
	fs.StringVar(&v.Controller, "controller", "", controllers)
	fs.Uint64Var(&v.Seed, "seed", 1, "random seed (episode i is eval's episode i)")
	fs.IntVar(&v.Frames, "frames", 0, "exit after this many frames (0: run until the window closes)")
	fs.StringVar(&v.Screenshot, "screenshot", "", "write the last frame of the window to this PNG at exit")
	fs.IntVar(&v.Width, "width", 960, "window width, px")
	fs.IntVar(&v.Height, "height", 600, "window height, px")
	fs.Float64Var(&v.Speed, "speed", 1, "simulated seconds per wall second, 1/16 to 16")
	fs.BoolVar(&v.Contacts, "contacts", false, "draw contact points (toggle with K)")
	fs.BoolVar(&v.Candidates, "candidates", false, "draw the candidate futures of a DADS planner (toggle with P)")
	fs.StringVar(&v.CPUProfile, "cpuprofile", "", "write a CPU profile of the viewer to this file")
}

// Check validates the flags; the error names the flag at fault.
func (v *ViewFlags) Check() error {
	switch {
	case v.Task == "":
		return fmt.Errorf("--task is required (known: %s)", strings.Join(tasks.IDs(), ", "))
	case v.Controller == "":
		return fmt.Errorf("--controller is required (known: %s)", v.controllers)
	case v.Frames < 0:
		return fmt.Errorf("--frames %d is negative", v.Frames)
	case v.Screenshot != "" && v.Frames == 0:
		return fmt.Errorf("--screenshot needs --frames N (the screenshot is taken at exit); press S for one in a live window")
	case v.Width < 200 || v.Height < 150 || v.Width > 8192 || v.Height > 8192:
		return fmt.Errorf("--width %d / --height %d outside [200, 8192] × [150, 8192]", v.Width, v.Height)
	case !(v.Speed >= MinSpeed && v.Speed <= MaxSpeed):
		return fmt.Errorf("--speed %g outside [%g, %g]", v.Speed, MinSpeed, MaxSpeed)
	}
	if _, err := tasks.Lookup(v.Task); err != nil {
		return err
	}
	return nil
}

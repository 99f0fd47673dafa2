package session

import (
	"fmt"
	"image"
	"path/filepath"
	"strings"

	"sandbox/internal/cli"
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
}

// Define registers the flags and their checks on fs.
func (v *ViewFlags) Define(fs *cli.FlagSet) {
	fs.Task(&v.Task)
	fs.Controller(&v.Controller)
	fs.Seed(&v.Seed)
	fs.IntVar(&v.Frames, "frames", 0, "exit after this many frames (0: run until the window closes)")
	fs.StringVar(&v.Screenshot, "screenshot", "", "write the last frame of the window to this PNG at exit")
	fs.Size(&v.Width, &v.Height, image.Pt(960, 600), image.Pt(200, 150), image.Pt(8192, 8192))
	fs.Float64Var(&v.Speed, "speed", 1, "simulated seconds per wall second, 1/16 to 16")
	fs.Contacts(&v.Contacts).Usage += " (toggle with K)"
	fs.Candidates(&v.Candidates).Usage += " (toggle with P)"
	fs.StringVar(&v.CPUProfile, "cpuprofile", "", "write a CPU profile of the viewer to this file")
	fs.Check(v.check)
}

func (v *ViewFlags) check() error {
	switch {
	case v.Frames < 0:
		return fmt.Errorf("--frames %d is negative", v.Frames)
	case v.Screenshot != "" && v.Frames == 0:
		return fmt.Errorf("--screenshot needs --frames N (the screenshot is taken at exit); press S for one in a live window")
	case v.Screenshot != "" && strings.ToLower(filepath.Ext(v.Screenshot)) != ".png":
		return fmt.Errorf("--screenshot %q: only .png is written", v.Screenshot)
	case !(v.Speed >= MinSpeed && v.Speed <= MaxSpeed):
		return fmt.Errorf("--speed %g outside [%g, %g]", v.Speed, MinSpeed, MaxSpeed)
	}
	return nil
}

// ViewCommand returns `sandbox view` with v as its flags and run as its
// work: the sandbox command's run starts the viewer binary, the viewer
// binary's opens the window.
func ViewCommand(v *ViewFlags, run func(*cli.Invocation) error) *cli.Command {
	return &cli.Command{
		Name:  "view",
		Usage: "--task T --controller C [--seed S] [--frames N --screenshot F.png]",
		Short: "Watch a controller live in a window (runs the sandbox-view binary).",
		Long: `View opens a window and runs the controller on the task's episodes live,
the same episodes as eval and record with the same seed. It starts the
sandbox-view binary (next to this program, else on PATH), because the
headless sandbox binary cannot link the window library; it needs a display
(DISPLAY, or xvfb-run -a). In the window H lists the keys (pause, single
step, speed, controller, contacts, screenshot, ...). With --frames N it
exits after N frames and prints the mean frame rate; --screenshot then
writes the last frame.`,
		Flags: v.Define,
		Run:   run,
	}
}

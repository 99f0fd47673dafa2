package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"path/filepath"

	"sandbox/control"
	"sandbox/internal/cli"
	"sandbox/internal/safefile"
	"sandbox/mbrl"
	"sandbox/tasks"
	"sandbox/viewer/session"
)

func init() {
	register(&cli.Command{
		Name:  "record",
		Usage: "--task T --controller C [--planner F] --out F.gif [--episodes N] [--seed S]",
		Short: "Record episodes to an animated GIF (headless: needs no display).",
		Long: `Record runs the controller for N episodes (the same episodes as eval and
view with the same seed) and writes them to an animated GIF, drawn with
the viewer's code but without a window, so it runs on a machine with no
display.`,
		Flags: recordCmd.flags,
		Run:   recordCmd.run,
	})
}

var recordCmd recordCommand

type recordCommand struct {
	task, controller, out string
	planner               string
	episodes              int
	seed                  uint64
	width, height         int
	contacts, candidates  bool
}

func (f *recordCommand) flags(fs *cli.FlagSet) {
	fs.Task(&f.task)
	fs.Controller(&f.controller)
	fs.Planner(&f.planner)
	fs.Out(&f.out, "GIF file to write")
	fs.Episodes(&f.episodes, 1, 1000)
	fs.Seed(&f.seed)
	fs.Size(&f.width, &f.height, image.Pt(640, 400), image.Pt(16, 16), image.Pt(4096, 4096))
	fs.Contacts(&f.contacts)
	fs.Candidates(&f.candidates)
	fs.Check(func() error {
		switch {
		case f.out == "":
			return errors.New("--out F.gif is required")
		case filepath.Ext(f.out) != ".gif":
			return fmt.Errorf("--out %q: only .gif is supported", f.out)
		}
		return nil
	})
}

func (f *recordCommand) run(inv *cli.Invocation) error {
	s, err := session.New(session.Config{Task: f.task, Controller: f.controller, Seed: f.seed, NewController: func(spec string, env *tasks.Env) (control.Controller, error) {
		return mbrl.NewControllerWith(spec, env, mbrl.ControllerOptions{Planner: f.planner})
	}})
	if err != nil {
		return session.InputError(err)
	}
	// Into memory, then atomically to the file: a full disk or a failed
	// episode leaves no part of a GIF.
	var out bytes.Buffer
	res, err := session.Record(s, &out, session.RecordConfig{Episodes: f.episodes, Width: f.width, Height: f.height, Contacts: f.contacts, Candidates: f.candidates})
	if err != nil {
		return err
	}
	if err := safefile.Write(f.out, out.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(inv.Stdout, "wrote %s: %d frames, %d episodes, %d successes\n", f.out, res.Frames, res.Episodes, res.Successes)
	return nil
}

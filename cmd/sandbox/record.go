package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"sandbox/mbrl"
	"sandbox/tasks"
	"sandbox/viewer/session"
)

func init() {
	register(&command{name: "record", args: "--task T --controller C --out F.gif [--episodes N] [--seed S]",
		summary: "Record episodes to an animated GIF (headless: needs no display).", run: runRecord})
}

func runRecord(c *command, args []string, out io.Writer) error {
	fs := newFlags(c)
	task := fs.String("task", "", "task id (see sandbox tasks)")
	ctrlSpec := fs.String("controller", "", mbrl.KnownControllers())
	outPath := fs.String("out", "", "GIF file to write")
	episodes := fs.Int("episodes", 1, "number of episodes")
	seedFlag := fs.Uint64("seed", 1, "random seed (episode i is eval's episode i)")
	width := fs.Int("width", 640, "image width, px")
	height := fs.Int("height", 400, "image height, px")
	contacts := fs.Bool("contacts", false, "draw contact points")
	candidates := fs.Bool("candidates", false, "draw the candidate futures of a DADS planner")
	if err := parse(c, fs, args, out); err != nil {
		return err
	}
	switch {
	case *task == "":
		return usagef("--task is required (known: %s)", knownTasks())
	case *ctrlSpec == "":
		return usagef("--controller is required (known: %s)", mbrl.KnownControllers())
	case *outPath == "":
		return usagef("--out F.gif is required")
	case filepath.Ext(*outPath) != ".gif":
		return usagef("--out %q: only .gif is supported", *outPath)
	case *episodes < 1 || *episodes > 1000:
		return usagef("--episodes %d outside [1, 1000]", *episodes)
	case *width < 16 || *height < 16 || *width > 4096 || *height > 4096:
		return usagef("--width %d / --height %d outside [16, 4096]", *width, *height)
	}
	if _, err := tasks.Lookup(*task); err != nil {
		return usageError{err.Error()}
	}
	s, err := session.New(session.Config{Task: *task, Controller: *ctrlSpec, Seed: *seedFlag, NewController: mbrl.NewController})
	if err != nil {
		return usageError{err.Error()}
	}
	f, err := os.Create(*outPath)
	if err != nil {
		return err
	}
	res, err := session.Record(s, f, session.RecordConfig{Episodes: *episodes, Width: *width, Height: *height, Contacts: *contacts, Candidates: *candidates})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*outPath)
		return err
	}
	fmt.Fprintf(out, "wrote %s: %d frames, %d episodes, %d successes\n", *outPath, res.Frames, res.Episodes, res.Successes)
	return nil
}

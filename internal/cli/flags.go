package cli

import (
	"flag"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
)

// FlagSet is a command's flags: a flag.FlagSet for the command's own flags,
// plus the shared ones, whose checks run in the order the flags were
// defined, after the parse and before Command.Run. Each shared flag returns
// its *flag.Flag, for a command whose help needs other words.
type FlagSet struct {
	*flag.FlagSet
	known  Known
	checks []func() error
}

// Check adds a check run after the parse, after those already added; an
// error it returns is a usage error.
func (fs *FlagSet) Check(check func() error) { fs.checks = append(fs.checks, check) }

// Task defines --task, a registered task id; required.
func (fs *FlagSet) Task(p *string) *flag.Flag {
	fs.StringVar(p, "task", "", "task id (see sandbox tasks)")
	fs.Check(func() error {
		var known []string
		if fs.known.Tasks != nil {
			known = fs.known.Tasks()
		}
		switch {
		case *p == "":
			return fmt.Errorf("--task is required (known: %s)", strings.Join(known, ", "))
		case known != nil && !slices.Contains(known, *p):
			return fmt.Errorf("--task: unknown task %q (known: %s)", *p, strings.Join(known, ", "))
		}
		return nil
	})
	return fs.Lookup("task")
}

// Controller defines --controller, a controller spec; required. Whether the
// spec names a controller the task has is for the factory to say.
func (fs *FlagSet) Controller(p *string) *flag.Flag {
	fs.StringVar(p, "controller", "", "controller: "+fs.known.Controllers)
	fs.Check(func() error {
		if *p == "" {
			return fmt.Errorf("--controller is required (known: %s)", fs.known.Controllers)
		}
		return nil
	})
	return fs.Lookup("controller")
}

// Seed defines --seed, the random seed, a decimal number in [0, 2^64); default
// 1. flag's own unsigned parsing would read 0x10 as 16 and 010 as 8: a seed
// is written down and compared as typed, so only decimal digits are taken.
func (fs *FlagSet) Seed(p *uint64) *flag.Flag {
	*p = 1
	fs.Var(seedValue{p}, "seed", "random seed, decimal (a seed gives the same episodes in eval, record and view)")
	return fs.Lookup("seed")
}

// seedValue is a decimal uint64 flag.
type seedValue struct{ p *uint64 }

func (v seedValue) String() string {
	if v.p == nil {
		return "1"
	}
	return strconv.FormatUint(*v.p, 10)
}

func (v seedValue) Set(s string) error {
	if s == "" || strings.Trim(s, "0123456789") != "" || len(s) > 1 && s[0] == '0' {
		return fmt.Errorf("%q is not a decimal number (digits 0-9, no sign, prefix or leading zero)", s)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is larger than %d", s, uint64(math.MaxUint64))
	}
	*v.p = n
	return nil
}

// Episodes defines --episodes, a number of episodes in [1, max] whose
// default is def.
func (fs *FlagSet) Episodes(p *int, def, max int) *flag.Flag {
	fs.IntVar(p, "episodes", def, "number of episodes")
	fs.Check(func() error {
		if *p < 1 || *p > max {
			return fmt.Errorf("--episodes %d outside [1, %d]", *p, max)
		}
		return nil
	})
	return fs.Lookup("episodes")
}

// MaxSteps bounds --steps.
const MaxSteps = 100_000_000

// Steps defines --steps, a budget of training env steps in [0, MaxSteps];
// 0, the default, leaves it to the config.
func (fs *FlagSet) Steps(p *int) *flag.Flag {
	fs.IntVar(p, "steps", 0, "training env steps (0: the config's, 15000 by default)")
	fs.Check(func() error {
		if *p < 0 || *p > MaxSteps {
			return fmt.Errorf("--steps %d outside [0, %d]", *p, MaxSteps)
		}
		return nil
	})
	return fs.Lookup("steps")
}

// Algo defines --algo, one training algorithm; empty leaves the choice to
// the command (train: the task's recommended learner).
func (fs *FlagSet) Algo(p *string) *flag.Flag {
	known := strings.Join(fs.known.Algos, ", ")
	fs.StringVar(p, "algo", "", "algorithm: "+known+" (default: the task's recommended learner)")
	fs.Check(func() error {
		if *p != "" && len(fs.known.Algos) > 0 && !slices.Contains(fs.known.Algos, *p) {
			return fmt.Errorf("--algo %q: want one of %s", *p, known)
		}
		return nil
	})
	return fs.Lookup("algo")
}

// Algos defines --algos, a comma-separated list of distinct training
// algorithms; required.
func (fs *FlagSet) Algos(p *[]string) *flag.Flag {
	known := strings.Join(fs.known.Algos, ", ")
	*p = nil
	fs.Var(listValue{p}, "algos", "comma-separated algorithms: "+known)
	fs.Check(func() error {
		if len(*p) == 0 {
			return fmt.Errorf("--algos is required (known: %s)", known)
		}
		for i, a := range *p {
			if len(fs.known.Algos) > 0 && !slices.Contains(fs.known.Algos, a) {
				return fmt.Errorf("--algos: unknown algorithm %q (known: %s)", a, known)
			}
			if slices.Contains((*p)[:i], a) {
				return fmt.Errorf("--algos: %q listed twice", a)
			}
		}
		return nil
	})
	return fs.Lookup("algos")
}

// JSON defines --json: print a JSON object as the last line of stdout.
func (fs *FlagSet) JSON(p *bool) *flag.Flag {
	fs.BoolVar(p, "json", false, "print a JSON object as the last line of stdout")
	return fs.Lookup("json")
}

// Out defines --out, where the command writes (a file or a directory, as
// usage says). Whether it is required is the command's to check.
func (fs *FlagSet) Out(p *string, usage string) *flag.Flag {
	fs.StringVar(p, "out", "", usage)
	return fs.Lookup("out")
}

// Size defines --width and --height, an image or window size in px with
// each side in [min, max].
func (fs *FlagSet) Size(w, h *int, def, min, max image.Point) {
	fs.IntVar(w, "width", def.X, "width, px")
	fs.IntVar(h, "height", def.Y, "height, px")
	fs.Check(func() error {
		if *w < min.X || *h < min.Y || *w > max.X || *h > max.Y {
			return fmt.Errorf("--width %d / --height %d outside [%d, %d] × [%d, %d]", *w, *h, min.X, max.X, min.Y, max.Y)
		}
		return nil
	})
}

// Contacts defines --contacts: draw contact points.
func (fs *FlagSet) Contacts(p *bool) *flag.Flag {
	fs.BoolVar(p, "contacts", false, "draw contact points")
	return fs.Lookup("contacts")
}

// Candidates defines --candidates: draw a DADS planner's candidate futures.
func (fs *FlagSet) Candidates(p *bool) *flag.Flag {
	fs.BoolVar(p, "candidates", false, "draw the candidate futures of a DADS planner")
	return fs.Lookup("candidates")
}

// Planner defines --planner, a training config file whose planner
// settings replace a checkpoint controller's.
func (fs *FlagSet) Planner(p *string) *flag.Flag {
	fs.StringVar(p, "planner", "", "training config `FILE` whose planner settings replace the checkpoint's (ckpt:DIR, oracle-skills:DIR)")
	return fs.Lookup("planner")
}

// listValue is a comma-separated list flag.
type listValue struct{ p *[]string }

func (v listValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

func (v listValue) Set(s string) error {
	*v.p = strings.Split(s, ",")
	return nil
}

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"sandbox/mbrl"
	"sandbox/mbrl/nn"
	"sandbox/tasks"
)

func init() {
	register(&command{name: "compare", args: "--task T --algos A,B,... [--steps N] [--seeds K] [--seed S] [--eval-every E] [--config F,...] --out DIR [--jobs J] [--json]",
		summary: "Train several algorithms on several seeds; plot and tabulate success against env steps.", run: runCompare})
}

func runCompare(c *command, args []string, out io.Writer) error {
	fset := newFlags(c)
	task := fset.String("task", "", "task id (see sandbox tasks)")
	algos := fset.String("algos", "", "comma-separated algorithms: "+strings.Join(mbrl.Algos, ", "))
	steps := fset.Int("steps", 0, "training env steps per run (0: each config's)")
	evalEvery := fset.Int("eval-every", 0, "env steps between evaluations (0: each config's)")
	seeds := fset.Int("seeds", 1, "runs per algorithm")
	seedFlag := fset.Uint64("seed", 1, "first seed; run k uses seed+k")
	dir := fset.String("out", "", "directory for the runs, curve.png and summary.md (rerunning resumes)")
	jobs := fset.Int("jobs", runtime.GOMAXPROCS(0), "runs trained at once")
	asJSON := fset.Bool("json", false, "print a JSON summary as the last line")
	cfgFiles := fset.String("config", "", "comma-separated JSON config files, each for the algorithm it names (others: their defaults)")
	if err := parse(c, fset, args, out); err != nil {
		return err
	}
	names := strings.Split(*algos, ",")
	switch {
	case *task == "":
		return usagef("--task is required (known: %s)", knownTasks())
	case *algos == "":
		return usagef("--algos is required (known: %s)", strings.Join(mbrl.Algos, ", "))
	case *dir == "":
		return usagef("--out DIR is required")
	case *steps < 0 || *steps > 100_000_000:
		return usagef("--steps %d outside [0, 100000000]", *steps)
	case *seeds < 1 || *seeds > 100:
		return usagef("--seeds %d outside [1, 100]", *seeds)
	case *evalEvery < 0:
		return usagef("--eval-every %d: want a positive interval, or 0 for the configs'", *evalEvery)
	case *jobs < 1:
		return usagef("--jobs %d: want at least 1", *jobs)
	}
	if _, err := tasks.Lookup(*task); err != nil {
		return usageError{err.Error()}
	}
	files, err := configsByAlgo(*cfgFiles, names)
	if err != nil {
		return err
	}
	opt := mbrl.CompareOptions{Seeds: *seeds, Seed: *seedFlag, Dir: *dir, Jobs: *jobs, Log: out}
	for i, a := range names {
		if !slices.Contains(mbrl.Algos, a) {
			return usagef("--algos: unknown algorithm %q (known: %s)", a, strings.Join(mbrl.Algos, ", "))
		}
		if slices.Contains(names[:i], a) {
			return usagef("--algos: %q listed twice", a)
		}
		cfg, err := loadConfig(files[a], a, *task, *seedFlag, *steps)
		if err != nil {
			return err
		}
		if *evalEvery > 0 {
			cfg.EvalEvery = *evalEvery
		}
		opt.Configs = append(opt.Configs, cfg)
	}
	nn.SetBLASThreads(1) // runs in parallel and SAC's small products gain nothing from more
	res, err := mbrl.Compare(opt)
	if err != nil {
		return err
	}
	table, err := os.ReadFile(filepath.Join(*dir, "summary.md"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s\nwrote %s and %s\n", table, filepath.Join(*dir, "summary.md"), filepath.Join(*dir, "curve.png"))
	if *asJSON {
		return printJSON(out, res)
	}
	return nil
}

// configsByAlgo maps each algorithm to the one of the comma-separated config
// files that names it; every file must name one of algos, and no two the
// same.
func configsByAlgo(list string, algos []string) (map[string]string, error) {
	files := map[string]string{}
	if list == "" {
		return files, nil
	}
	for _, f := range strings.Split(list, ",") {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		cfg, err := mbrl.ParseConfig(data)
		switch {
		case err != nil:
			return nil, usagef("%s: %v", f, err)
		case cfg.Algo == "":
			return nil, usagef("--config %s names no algorithm (\"algo\"), so it cannot be matched to one of --algos", f)
		case !slices.Contains(algos, cfg.Algo):
			return nil, usagef("--config %s is for %s, which is not in --algos %s", f, cfg.Algo, strings.Join(algos, ","))
		case files[cfg.Algo] != "":
			return nil, usagef("--config: %s and %s are both for %s", files[cfg.Algo], f, cfg.Algo)
		}
		files[cfg.Algo] = f
	}
	return files, nil
}

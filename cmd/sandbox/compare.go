package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"sandbox/internal/cli"
	"sandbox/mbrl"
	"sandbox/mbrl/compare"
	"sandbox/mbrl/nn"
)

// The Slurm flags are in compare's help, not its synopsis, which is also
// main.go's doc line.
func init() {
	register(&cli.Command{
		Name:  "compare",
		Usage: "--task T --algos A,B,... [--steps N] [--seeds K] [--seed S] [--eval-every E] [--config F,...] --out DIR [--jobs J] [--json]",
		Short: "Train several algorithms on several seeds, here or as a Slurm job array; plot and tabulate success against env steps.",
		Long: `Compare trains every algorithm of --algos on the task with --seeds seeds
(run k uses seed+k), --jobs runs at a time, each as train would with its
algorithm's config (or the --config file that names that algorithm). It
writes each run to DIR/ALGO/seed-S, the success curves to DIR/curve.png
and a table of success against env steps to DIR/summary.md, and prints
the table. Rerunning with the same --out resumes the runs; a rerun with a
smaller --steps than the runs have trained is refused.

With --launcher slurm it trains nothing here: it writes the configs to
DIR/configs, a job array with one element per run to DIR/sweep.sbatch
(each element runs sandbox train on its run directory, resuming it when
it has a checkpoint; elements requeue when preempted or near their time
limit), submits it with sbatch, prints the job id and returns; --partition,
--time, --cpus-per-task, --mem and --sbatch-arg become #SBATCH lines. The same
command with --status shows each run pending, running, done or failed
with its last evaluation; with --collect it writes curve.png and
summary.md from the finished runs. Rerunning the submitting command
resubmits the runs that are neither done nor queued. See docs/cluster.md.`,
		Flags: compareCmd.flags,
		Run:   compareCmd.run,
	})
}

var compareCmd compareCommand

type compareCommand struct {
	task, out, configs, launcher  string
	algos                         []string
	steps, evalEvery, seeds, jobs int
	seed                          uint64
	json, status, collectOnly     bool
	// jobsSet reports --jobs on the command line: under Slurm it caps the
	// elements running at once.
	jobsSet bool
	slurm   slurmFlags
}

func (f *compareCommand) flags(fs *cli.FlagSet) {
	fs.Task(&f.task)
	fs.Algos(&f.algos)
	fs.Steps(&f.steps)
	fs.IntVar(&f.evalEvery, "eval-every", 0, "env steps between evaluations (0: each config's)")
	fs.IntVar(&f.seeds, "seeds", 1, "runs per algorithm")
	fs.Seed(&f.seed).Usage = "first seed; run k uses seed+k"
	fs.Out(&f.out, "directory for the runs, curve.png and summary.md (rerunning resumes)")
	fs.IntVar(&f.jobs, "jobs", runtime.GOMAXPROCS(0), "runs trained at once (--launcher slurm: array elements at once, default all)")
	fs.JSON(&f.json)
	fs.StringVar(&f.configs, "config", "", "comma-separated JSON config files, each for the algorithm it names (others: their defaults)")
	fs.StringVar(&f.launcher, "launcher", "local", "where the runs train: local (here, now) or slurm (a job array, submitted with sbatch)")
	fs.BoolVar(&f.status, "status", false, "show each run's state (pending, running, done, failed) and last evaluation; trains nothing")
	fs.BoolVar(&f.collectOnly, "collect", false, "write curve.png and summary.md from the finished runs; trains nothing")
	f.slurm.flags(fs)
	fs.Check(func() error {
		f.jobsSet = false
		fs.Visit(func(fl *flag.Flag) { f.jobsSet = f.jobsSet || fl.Name == "jobs" })
		switch {
		case f.out == "":
			return errors.New("--out DIR is required")
		case f.seeds < 1 || f.seeds > 100:
			return fmt.Errorf("--seeds %d outside [1, 100]", f.seeds)
		case f.evalEvery < 0:
			return fmt.Errorf("--eval-every %d: want a positive interval, or 0 for the configs'", f.evalEvery)
		case f.jobs < 1:
			return fmt.Errorf("--jobs %d: want at least 1", f.jobs)
		case f.launcher != "local" && f.launcher != "slurm":
			return fmt.Errorf("--launcher %q: want local or slurm", f.launcher)
		case f.status && f.collectOnly:
			return errors.New("--status and --collect: choose one")
		}
		return f.slurm.check(f.launcher)
	})
}

func (f *compareCommand) run(inv *cli.Invocation) error {
	files, err := configsByAlgo(f.configs, f.algos)
	if err != nil {
		return err
	}
	out, err := filepath.Abs(f.out)
	if err != nil {
		return err
	}
	opt := compare.Options{Seeds: f.seeds, Seed: f.seed, Dir: out, Jobs: f.jobs, Log: inv.Stdout}
	sources := map[string]string{}
	for _, a := range f.algos {
		cfg, from, err := loadConfig(files[a], a, f.task, f.seed, f.steps)
		if err != nil {
			return err
		}
		if f.evalEvery > 0 {
			cfg.EvalEvery = f.evalEvery
		}
		opt.Configs = append(opt.Configs, cfg)
		if files[a] != "" {
			if abs, err := filepath.Abs(from); err == nil {
				from = abs
			}
		}
		sources[a] = from
	}
	switch {
	case f.status:
		return f.printStatus(inv, opt)
	case f.collectOnly:
		return f.collect(inv, opt)
	case f.launcher == "slurm":
		return f.submit(inv, opt, sources)
	}
	nn.SetBLASThreads(1) // runs in parallel and SAC's small products gain nothing from more
	res, err := compare.Run(opt)
	if err != nil {
		return err
	}
	return f.printSummary(inv, res)
}

// printSummary prints summary.md, where it and curve.png are, and with
// --json the result.
func (f *compareCommand) printSummary(inv *cli.Invocation, res compare.Result) error {
	table, err := os.ReadFile(filepath.Join(f.out, "summary.md"))
	if err != nil {
		return err
	}
	fmt.Fprintf(inv.Stdout, "%s\nwrote %s and %s\n", table, filepath.Join(f.out, "summary.md"), filepath.Join(f.out, "curve.png"))
	if f.json {
		return cli.PrintJSON(inv.Stdout, res)
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
		cfg, err := mbrl.ReadConfig(f)
		switch {
		case err != nil && strings.Contains(list, ","):
			return nil, cli.Usagef("--config %q, a comma-separated list of files: %v", list, err)
		case err != nil:
			return nil, cli.Usage(err)
		case cfg.Algo == "":
			return nil, cli.Usagef("--config %s names no algorithm (\"algo\"), so it cannot be matched to one of --algos", f)
		case !slices.Contains(algos, cfg.Algo):
			return nil, cli.Usagef("--config %s is for %s, which is not in --algos %s", f, cfg.Algo, strings.Join(algos, ","))
		case files[cfg.Algo] != "":
			return nil, cli.Usagef("--config: %s and %s are both for %s", files[cfg.Algo], f, cfg.Algo)
		}
		files[cfg.Algo] = f
	}
	return files, nil
}

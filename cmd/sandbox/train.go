package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"sandbox/assets"
	"sandbox/internal/cli"
	"sandbox/mbrl"
	"sandbox/mbrl/nn"
	"sandbox/tasks"
)

func init() {
	register(&cli.Command{
		Name:  "train",
		Usage: "--task T [--algo A] [--steps N] [--seed S] [--out DIR] [--resume] [--config F] [--json]",
		Short: "Train an agent (" + strings.Join(mbrl.Algos, ", ") + ") and report its success rate on held-out goals.",
		Long: `Train trains an agent with the algorithm (by default the task's
recommended learner, see sandbox tasks) on the task for --steps env steps,
evaluating it on held-out goals as it goes, and prints the final
evaluation. The config is --config FILE, else the embedded
assets/configs/ALGO-TASK.json, else ALGO.json, else the package defaults;
the flags override its task, algorithm, seed and (if positive) steps.
With --out DIR it writes config.json, metrics.jsonl (one line per
evaluation), curve.png and checkpoints, which --controller ckpt:DIR loads;
--resume continues the run checkpointed there.`,
		Flags: trainCmd.flags,
		Run:   trainCmd.run,
	})
}

var trainCmd trainCommand

type trainCommand struct {
	task, algo, out, config string
	steps                   int
	seed                    uint64
	resume, json            bool
}

func (f *trainCommand) flags(fs *cli.FlagSet) {
	fs.Task(&f.task)
	fs.Algo(&f.algo)
	fs.Steps(&f.steps)
	fs.Seed(&f.seed)
	fs.Out(&f.out, "run directory for metrics, plots and checkpoints")
	fs.BoolVar(&f.resume, "resume", false, "continue the run checkpointed in --out")
	fs.StringVar(&f.config, "config", "", "JSON config file (default: assets/configs/ALGO-TASK.json)")
	fs.JSON(&f.json)
	fs.Check(func() error {
		if f.resume && f.out == "" {
			return errors.New("--resume needs --out DIR")
		}
		return nil
	})
}

type trainSummary struct {
	Task          string  `json:"task"`
	Algo          string  `json:"algo"`
	Seed          uint64  `json:"seed"`
	Episodes      int     `json:"episodes"`
	Successes     int     `json:"successes"`
	SuccessRate   float64 `json:"success_rate"`
	MeanReturn    float64 `json:"mean_return"`
	EnvSteps      int     `json:"env_steps"`
	TrainEpisodes int     `json:"train_episodes"`
	Out           string  `json:"out,omitempty"`
	WallS         float64 `json:"wall_s"`
	// BLAS is the model math's backend: a pure-Go build ("gonum") runs
	// PETS several times slower than one linking OpenBLAS. BLASCore is the
	// CPU core OpenBLAS chose kernels for: the same seed repeats a run bit
	// for bit only under the same core.
	BLAS     string `json:"blas"`
	BLASCore string `json:"blas_core,omitempty"`
}

// blasName names the BLAS in use and, for OpenBLAS, the core its kernels
// are for.
func blasName() string {
	if core := nn.BLASCore(); core != "" {
		return nn.Backend() + ", OpenBLAS " + core + " kernels"
	}
	return nn.Backend()
}

// defaultConfig returns the embedded default for algo on task:
// assets/configs/ALGO-TASK.json, else ALGO.json, else the package defaults.
func defaultConfig(algo, task string) (mbrl.Config, string, error) {
	for _, name := range []string{"configs/" + algo + "-" + task + ".json", "configs/" + algo + ".json"} {
		data, err := fs.ReadFile(assets.FS, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return mbrl.Config{}, "", err
		}
		cfg, err := mbrl.ParseConfig(data)
		if err != nil {
			return cfg, "", fmt.Errorf("assets/%s: %w", name, err)
		}
		return cfg, "assets/" + name, nil
	}
	return mbrl.Config{}, "package defaults", nil
}

// loadConfig reads the config file, or the embedded default for algo on
// task, sets the run's task, algorithm, seed and (if positive) steps, and
// returns it validated and with its defaults filled in, and where it came
// from. A file that names an algorithm must name algo; the task it names
// is replaced by task. Mistakes in the file are usage errors.
func loadConfig(file, algo, task string, seed uint64, steps int) (mbrl.Config, string, error) {
	var cfg mbrl.Config
	from := file
	if file != "" {
		var err error
		if cfg, err = mbrl.ReadConfig(file); err != nil {
			return cfg, from, cli.Usage(err)
		}
		// A file's schedule and defaults are its algorithm's: running it
		// as another one would quietly mix the two.
		if cfg.Algo != "" && cfg.Algo != algo {
			return cfg, from, cli.Usagef("%s is a config for %s, not %s", file, cfg.Algo, algo)
		}
	} else {
		var err error
		if cfg, from, err = defaultConfig(algo, task); err != nil {
			return cfg, from, err
		}
	}
	cfg.Task, cfg.Algo, cfg.Seed = task, algo, seed
	if steps > 0 {
		cfg.Steps = steps
	}
	if err := cfg.Validate(); err != nil {
		return cfg, from, cli.Usage(err)
	}
	return cfg.WithDefaults(), from, nil
}

func (f *trainCommand) run(inv *cli.Invocation) error {
	algo := f.algo
	if algo == "" {
		newTask, err := tasks.Lookup(f.task)
		if err != nil {
			return cli.Usage(err)
		}
		if algo = newTask().Spec().Learner; algo == "" {
			return cli.Usagef("task %q has no recommended learner yet: choose one with --algo (%s)", f.task, strings.Join(mbrl.Algos, ", "))
		}
	}
	cfg, from, err := loadConfig(f.config, algo, f.task, f.seed, f.steps)
	if err != nil {
		return err
	}
	fmt.Fprintf(inv.Stderr, "train: %s on %s, config %s\n", cfg.Algo, cfg.Task, from)
	if spec, _ := mbrl.LookupAlgo(cfg.Algo); spec.SmallProducts {
		nn.SetBLASThreads(1) // minibatch products are too small to share
	}
	start := time.Now()
	done := 0
	if f.resume {
		if ck, err := mbrl.LoadCheckpoint(f.out); err == nil {
			done = ck.EnvSteps()
		}
	}
	bar := newProgress(inv.Stderr, "train", done, cfg.Steps, "steps")
	opt := mbrl.RunOptions{Dir: f.out, Resume: f.resume, Progress: func(n int) {
		if n > done {
			bar.Add(n - done)
			done = n
		}
	}}
	opt.Log = inv.Stdout
	res, err := mbrl.Train(cfg, opt)
	bar.Finish()
	if errors.Is(err, mbrl.ErrNoCheckpoint) || errors.Is(err, mbrl.ErrCorruptCheckpoint) {
		return cli.Usage(err) // --resume named a directory without a usable checkpoint
	}
	if err != nil {
		return err
	}
	sum := trainSummary{Task: cfg.Task, Algo: cfg.Algo, Seed: cfg.Seed, Episodes: res.Final.Episodes,
		Successes: res.Final.Successes, SuccessRate: res.Final.SuccessRate, MeanReturn: res.Final.MeanReturn,
		EnvSteps: res.EnvSteps, TrainEpisodes: res.Episodes, Out: f.out, WallS: time.Since(start).Seconds(), BLAS: nn.Backend(), BLASCore: nn.BLASCore()}
	fmt.Fprintf(inv.Stdout, "%s with %s: %d/%d successes (%.0f%%) on held-out goals, mean return %.3f, %d env steps, %.1f s (BLAS: %s)\n",
		sum.Task, sum.Algo, sum.Successes, sum.Episodes, 100*sum.SuccessRate, sum.MeanReturn, sum.EnvSteps, sum.WallS, blasName())
	if f.json {
		return cli.PrintJSON(inv.Stdout, sum)
	}
	return nil
}

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"sandbox/assets"
	"sandbox/mbrl"
	"sandbox/mbrl/nn"
	"sandbox/tasks"
)

func init() {
	register(&command{name: "train", args: "--task T --algo A [--steps N] [--seed S] [--out DIR] [--resume] [--config F] [--json]",
		summary: "Train an agent (" + strings.Join(mbrl.Algos, ", ") + ") and report its success rate on held-out goals.", run: runTrain})
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
// returns it validated and with its defaults filled in. A file that names
// an algorithm must name algo; the task it names is replaced by task.
func loadConfig(file, algo, task string, seed uint64, steps int) (mbrl.Config, error) {
	var cfg mbrl.Config
	var err error
	if file != "" {
		data, rerr := os.ReadFile(file)
		if rerr != nil {
			return cfg, usageError{rerr.Error()}
		}
		if cfg, err = mbrl.ParseConfig(data); err != nil {
			return cfg, usageError{fmt.Sprintf("%s: %v", file, err)}
		}
		// A file's schedule and defaults are its algorithm's: running it
		// as another one would quietly mix the two.
		if cfg.Algo != "" && cfg.Algo != algo {
			return cfg, usagef("%s is a config for %s, not %s", file, cfg.Algo, algo)
		}
	} else if cfg, _, err = defaultConfig(algo, task); err != nil {
		return cfg, err
	}
	cfg.Task, cfg.Algo, cfg.Seed = task, algo, seed
	if steps > 0 {
		cfg.Steps = steps
	}
	if err := cfg.Validate(); err != nil {
		return cfg, usageError{err.Error()}
	}
	return cfg.WithDefaults(), nil
}

func runTrain(c *command, args []string, out io.Writer) error {
	fset := newFlags(c)
	task := fset.String("task", "", "task id (see sandbox tasks)")
	algo := fset.String("algo", "", "algorithm: "+strings.Join(mbrl.Algos, ", "))
	steps := fset.Int("steps", 0, "training env steps (0: the config's, 15000 by default)")
	seedFlag := fset.Uint64("seed", 1, "random seed")
	dir := fset.String("out", "", "run directory for metrics, plots and checkpoints")
	resume := fset.Bool("resume", false, "continue the run checkpointed in --out")
	cfgFile := fset.String("config", "", "JSON config file (default: assets/configs/ALGO-TASK.json)")
	asJSON := fset.Bool("json", false, "print a JSON summary as the last line")
	if err := parse(c, fset, args, out); err != nil {
		return err
	}
	switch {
	case *task == "":
		return usagef("--task is required (known: %s)", knownTasks())
	case !slices.Contains(mbrl.Algos, *algo):
		return usagef("--algo %q: want one of %s", *algo, strings.Join(mbrl.Algos, ", "))
	case *steps < 0 || *steps > 100_000_000:
		return usagef("--steps %d outside [0, 100000000]", *steps)
	case *resume && *dir == "":
		return usagef("--resume needs --out DIR")
	}
	if _, err := tasks.Lookup(*task); err != nil {
		return usageError{err.Error()}
	}
	cfg, err := loadConfig(*cfgFile, *algo, *task, *seedFlag, *steps)
	if err != nil {
		return err
	}

	if cfg.Algo != "pets" && cfg.Algo != "pddm" {
		nn.SetBLASThreads(1) // SAC's minibatch products are too small to share
	}
	start := time.Now()
	done := 0
	if *resume {
		if ck, err := mbrl.LoadCheckpoint(*dir); err == nil {
			done = ck.EnvSteps()
		}
	}
	bar := newProgress(cfg.Steps, "steps")
	bar.Add(done)
	opt := mbrl.RunOptions{Dir: *dir, Resume: *resume, Progress: func(n int) {
		if n > done {
			bar.Add(n - done)
			done = n
		}
	}}
	opt.Log = out
	res, err := mbrl.Train(cfg, opt)
	bar.Finish()
	if err != nil {
		return err
	}
	sum := trainSummary{Task: cfg.Task, Algo: cfg.Algo, Seed: cfg.Seed, Episodes: res.Final.Episodes,
		Successes: res.Final.Successes, SuccessRate: res.Final.SuccessRate, MeanReturn: res.Final.MeanReturn,
		EnvSteps: res.EnvSteps, TrainEpisodes: res.Episodes, Out: *dir, WallS: time.Since(start).Seconds(), BLAS: nn.Backend(), BLASCore: nn.BLASCore()}
	fmt.Fprintf(out, "%s with %s: %d/%d successes (%.0f%%) on held-out goals, mean return %.3f, %d env steps, %.1f s (BLAS: %s)\n",
		sum.Task, sum.Algo, sum.Successes, sum.Episodes, 100*sum.SuccessRate, sum.MeanReturn, sum.EnvSteps, sum.WallS, blasName())
	if *asJSON {
		return printJSON(out, sum)
	}
	return nil
}

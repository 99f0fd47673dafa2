package main

import (
	"fmt"
	"io"
	"time"

	"sandbox/mbrl"
	"sandbox/tasks"
)

func init() {
	register(&command{name: "eval", args: "--task T --controller C [--episodes N] [--seed S] [--json]",
		summary: "Run a controller on a task's random goals and report the success rate.", run: runEval})
}

type evalSummary struct {
	Task        string         `json:"task"`
	Controller  string         `json:"controller"`
	Seed        uint64         `json:"seed"`
	Episodes    int            `json:"episodes"`
	Successes   int            `json:"successes"`
	SuccessRate float64        `json:"success_rate"`
	MeanReturn  float64        `json:"mean_return"`
	EnvSteps    int            `json:"env_steps"`
	EndReasons  map[string]int `json:"end_reasons"`
	// FinalTerms are the reward terms of the last step, averaged over
	// episodes (the reacher's distance is minus the final distance, m).
	FinalTerms map[string]float64 `json:"final_terms,omitempty"`
	WallS      float64            `json:"wall_s"`
}

func runEval(c *command, args []string, out io.Writer) error {
	fs := newFlags(c)
	task := fs.String("task", "", "task id (see sandbox tasks)")
	ctrlSpec := fs.String("controller", "", mbrl.KnownControllers())
	episodes := fs.Int("episodes", 10, "number of episodes")
	seedFlag := fs.Uint64("seed", 1, "random seed")
	asJSON := fs.Bool("json", false, "print a JSON summary as the last line")
	if err := parse(c, fs, args, out); err != nil {
		return err
	}
	switch {
	case *task == "":
		return usagef("--task is required (known: %s)", knownTasks())
	case *ctrlSpec == "":
		return usagef("--controller is required (known: %s)", mbrl.KnownControllers())
	case *episodes < 1 || *episodes > 1_000_000:
		return usagef("--episodes %d outside [1, 1000000]", *episodes)
	}
	env, err := tasks.Make(*task)
	if err != nil {
		return usageError{err.Error()}
	}
	ctrl, err := mbrl.NewController(*ctrlSpec, env)
	if err != nil {
		return usageError{err.Error()}
	}
	start := time.Now()
	bar := newProgress(*episodes, "episodes")
	res, err := mbrl.Evaluate(env, ctrl, *episodes, *seedFlag, func(int, float64, bool) { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return err
	}
	sum := evalSummary{Task: *task, Controller: *ctrlSpec, Seed: *seedFlag, Episodes: res.Episodes,
		Successes: res.Successes, SuccessRate: res.SuccessRate, MeanReturn: res.MeanReturn,
		EnvSteps: res.EnvSteps, EndReasons: res.Reasons, FinalTerms: res.FinalTerms, WallS: time.Since(start).Seconds()}
	fmt.Fprintf(out, "%s with %s: %d/%d successes (%.0f%%), mean return %.3f, %d env steps, %.1f s\n",
		sum.Task, sum.Controller, sum.Successes, sum.Episodes, 100*sum.SuccessRate, sum.MeanReturn, sum.EnvSteps, sum.WallS)
	if *asJSON {
		return printJSON(out, sum)
	}
	return nil
}

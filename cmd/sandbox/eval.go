package main

import (
	"fmt"
	"time"

	"sandbox/internal/cli"
	"sandbox/mbrl"
	"sandbox/mbrl/eval"
	"sandbox/tasks"
	"sandbox/viewer/session"
)

func init() {
	register(&cli.Command{
		Name:  "eval",
		Usage: "--task T --controller C [--planner F] [--episodes N] [--seed S] [--json]",
		Short: "Run a controller on a task's random goals and report the success rate.",
		Long: `Eval runs the controller for N episodes of the task, each from the random
start and goal its seed and index give (record and view show the same
episodes), and prints the successes, the mean return and the env steps.
The controller is one of the specs --controller lists: oracle is MPC on the
true simulator, oracle:FILE that MPC with a training config's planner, and
ckpt:DIR the agent that train or compare saved in DIR. --planner F plans
with the planner settings of the training config F instead of the
checkpoint's (PETS, PDDM, DADS): other planners on a trained model, with
no retraining. The --json line also lists every episode: success, return,
length, end reason and the reward terms of its last step.`,
		Flags: evalCmd.flags,
		Run:   evalCmd.run,
	})
}

var evalCmd evalCommand

type evalCommand struct {
	task, controller string
	planner          string
	episodes         int
	seed             uint64
	json             bool
}

func (f *evalCommand) flags(fs *cli.FlagSet) {
	fs.Task(&f.task)
	fs.Controller(&f.controller)
	fs.Planner(&f.planner)
	fs.Episodes(&f.episodes, 10, 1_000_000)
	fs.Seed(&f.seed)
	fs.JSON(&f.json)
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
	// PerEpisode lists each episode's success, return, length, end reason
	// and final reward terms, in order.
	PerEpisode []eval.Episode `json:"per_episode"`
}

func (f *evalCommand) run(inv *cli.Invocation) error {
	env, err := tasks.Make(f.task)
	if err != nil {
		return session.InputError(err)
	}
	ctrl, err := mbrl.NewControllerWith(f.controller, env, mbrl.ControllerOptions{Planner: f.planner})
	if err != nil {
		return session.InputError(err)
	}
	start := time.Now()
	bar := newProgress(inv.Stderr, "eval", 0, f.episodes, "episodes")
	res, err := eval.Run(env, ctrl, f.episodes, f.seed, func(int, float64, bool) { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return err
	}
	sum := evalSummary{Task: f.task, Controller: f.controller, Seed: f.seed, Episodes: res.Episodes,
		Successes: res.Successes, SuccessRate: res.SuccessRate, MeanReturn: res.MeanReturn,
		EnvSteps: res.EnvSteps, EndReasons: res.Reasons, FinalTerms: res.FinalTerms, WallS: time.Since(start).Seconds(),
		PerEpisode: res.PerEpisode}
	fmt.Fprintf(inv.Stdout, "%s with %s: %d/%d successes (%.0f%%), mean return %.3f, %d env steps, %.1f s\n",
		sum.Task, sum.Controller, sum.Successes, sum.Episodes, 100*sum.SuccessRate, sum.MeanReturn, sum.EnvSteps, sum.WallS)
	if f.json {
		return cli.PrintJSON(inv.Stdout, sum)
	}
	return nil
}

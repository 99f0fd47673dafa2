package main

import (
	"fmt"
	"io"
	"time"

	"sandbox/internal/seed"
	"sandbox/mbrl"
	"sandbox/mbrl/nn"
	"sandbox/tasks"
)

func init() {
	register(&command{name: "bench", args: "[--seconds D] [--json]",
		summary: "Measure physics and environment steps per second for every task, and what a snapshot replay misses.", run: runBench})
}

type benchSummary struct {
	Box2DStepsPerS   map[string]float64 `json:"box2d_steps_per_s"`
	PhysicsStepsPerS map[string]float64 `json:"physics_steps_per_s"`
	EnvStepsPerS     map[string]float64 `json:"env_steps_per_s"`
	EnvOverhead      map[string]float64 `json:"env_overhead_vs_box2d"`
	// ReplayGap is tasks.ReplayGap over 400 control steps: what a snapshot
	// leaves out of the Env's next observation (RMS, observation units).
	ReplayGap map[string]float64 `json:"replay_gap"`
	WallS     float64            `json:"wall_s"`
	// Planning on a learned ensemble with the default pets-reacher config.
	PlannerRows       int     `json:"planner_rows"`
	EnsembleStepsPerS float64 `json:"ensemble_model_steps_per_s"`
	EnsembleGFLOPS    float64 `json:"ensemble_gflops"`
	MPCStepMs         float64 `json:"mpc_step_ms"`
	MPCStepCPUMs      float64 `json:"mpc_step_cpu_ms"`
	BLAS              string  `json:"blas"`
	BLASCore          string  `json:"blas_core,omitempty"`
}

func runBench(c *command, args []string, out io.Writer) error {
	fs := newFlags(c)
	secs := fs.Float64("seconds", 1, "time per measurement, s")
	asJSON := fs.Bool("json", false, "print a JSON summary as the last line")
	if err := parse(c, fs, args, out); err != nil {
		return err
	}
	if !(*secs > 0 && *secs <= 600) {
		return usagef("--seconds %g outside (0, 600]", *secs)
	}
	start := time.Now()
	sum := benchSummary{Box2DStepsPerS: map[string]float64{}, PhysicsStepsPerS: map[string]float64{},
		EnvStepsPerS: map[string]float64{}, EnvOverhead: map[string]float64{}, ReplayGap: map[string]float64{}}
	fmt.Fprintf(out, "%-18s %14s %14s %12s %10s %11s\n", "TASK", "BOX2D STEPS/S", "PHYSICS STEPS/S", "ENV STEPS/S", "OVERHEAD", "REPLAY GAP")
	for _, id := range tasks.IDs() {
		env, err := tasks.Make(id)
		if err != nil {
			return err
		}
		t := tasks.Measure(env, time.Duration(*secs*float64(time.Second)), seed.Stream(1, "bench"))
		sum.Box2DStepsPerS[id] = t.Box2D
		sum.PhysicsStepsPerS[id] = t.Physics
		sum.EnvStepsPerS[id] = t.Env
		sum.EnvOverhead[id] = t.Overhead()
		gap, err := tasks.ReplayGap(env, 400, seed.Stream(1, "bench-replay"))
		if err != nil {
			return fmt.Errorf("task %q: replay gap: %w", id, err)
		}
		sum.ReplayGap[id] = gap
		fmt.Fprintf(out, "%-18s %14.0f %14.0f %12.0f %9.1f%% %11.4f\n", id, t.Box2D, t.Physics, t.Env, 100*t.Overhead(), gap)
	}
	cfg, _, err := defaultConfig("pets", "reacher")
	if err != nil {
		return err
	}
	cfg.Task, cfg.Algo = "reacher", "pets"
	pt, err := mbrl.MeasurePlanner(cfg, time.Duration(*secs*float64(time.Second)))
	if err != nil {
		return err
	}
	sum.PlannerRows, sum.EnsembleStepsPerS, sum.EnsembleGFLOPS, sum.MPCStepMs, sum.BLAS = pt.Rows, pt.ModelStepsPerS, pt.GFLOPS, pt.MPCStepMs, pt.Backend
	sum.MPCStepCPUMs, sum.BLASCore = pt.MPCStepCPUMs, nn.BLASCore()
	fmt.Fprintf(out, "\nensemble (pets-reacher, %d rows, BLAS %s): %.0f model steps/s, %.1f GFLOP/s; MPC %.1f ms per control step (%.1f ms CPU)\n",
		pt.Rows, blasName(), pt.ModelStepsPerS, pt.GFLOPS, pt.MPCStepMs, pt.MPCStepCPUMs)
	sum.WallS = time.Since(start).Seconds()
	if *asJSON {
		return printJSON(out, sum)
	}
	return nil
}

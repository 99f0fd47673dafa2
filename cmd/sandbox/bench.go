package main

import (
	"fmt"
	"time"

	"sandbox/internal/cli"
	"sandbox/internal/seed"
	"sandbox/mbrl"
	"sandbox/mbrl/nn"
	"sandbox/tasks"
)

func init() {
	register(&cli.Command{
		Name:  "bench",
		Usage: "[--seconds D] [--json]",
		Short: "Measure physics and environment steps per second for every task, and what a snapshot replay misses.",
		Long: `Bench measures, for every registered task, the steps per second of bare
Box2D, of the simulator's step (servos and forces added) and of the Env,
the Env's overhead over Box2D, and the replay gap: what a snapshot leaves out of the Env's next
observation over 400 control steps. Then it times planning on a learned
ensemble with the default pets-reacher config and names the BLAS in use.
Each measurement takes --seconds.`,
		Flags: benchCmd.flags,
		Run:   benchCmd.run,
	})
}

var benchCmd benchCommand

type benchCommand struct {
	seconds float64
	json    bool
}

func (f *benchCommand) flags(fs *cli.FlagSet) {
	fs.Float64Var(&f.seconds, "seconds", 1, "time per measurement, s")
	fs.JSON(&f.json)
	fs.Check(func() error {
		// Below 10 ms a measurement is all timer noise (and at 1e-300 s,
		// zero time: rates of NaN).
		if !(f.seconds >= 0.01 && f.seconds <= 600) {
			return fmt.Errorf("--seconds %g outside [0.01, 600]", f.seconds)
		}
		return nil
	})
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

func (f *benchCommand) run(inv *cli.Invocation) error {
	out := inv.Stdout
	secs := time.Duration(f.seconds * float64(time.Second))
	start := time.Now()
	sum := benchSummary{Box2DStepsPerS: map[string]float64{}, PhysicsStepsPerS: map[string]float64{},
		EnvStepsPerS: map[string]float64{}, EnvOverhead: map[string]float64{}, ReplayGap: map[string]float64{}}
	fmt.Fprintf(out, "%-18s %14s %14s %12s %10s %11s\n", "TASK", "BOX2D STEPS/S", "PHYSICS STEPS/S", "ENV STEPS/S", "OVERHEAD", "REPLAY GAP")
	for _, id := range tasks.IDs() {
		env, err := tasks.Make(id)
		if err != nil {
			return err
		}
		t := tasks.Measure(env, secs, seed.Stream(1, "bench"))
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
	pt, err := mbrl.MeasurePlanner(cfg, secs)
	if err != nil {
		return err
	}
	sum.PlannerRows, sum.EnsembleStepsPerS, sum.EnsembleGFLOPS, sum.MPCStepMs, sum.BLAS = pt.Rows, pt.ModelStepsPerS, pt.GFLOPS, pt.MPCStepMs, pt.Backend
	sum.MPCStepCPUMs, sum.BLASCore = pt.MPCStepCPUMs, nn.BLASCore()
	fmt.Fprintf(out, "\nensemble (pets-reacher, %d rows, BLAS %s): %.0f model steps/s, %.1f GFLOP/s; MPC %.1f ms per control step (%.1f ms CPU)\n",
		pt.Rows, blasName(), pt.ModelStepsPerS, pt.GFLOPS, pt.MPCStepMs, pt.MPCStepCPUMs)
	sum.WallS = time.Since(start).Seconds()
	if f.json {
		return cli.PrintJSON(out, sum)
	}
	return nil
}

package mbrl

import (
	"fmt"
	"runtime"
	"strings"

	"sandbox/control"
	"sandbox/mbrl/dads"
	"sandbox/tasks"
)

// ControllerNames lists the built-in controller specs (besides oracle:FILE,
// ckpt:DIR and zoo:NAME).
var ControllerNames = []string{"zero", "random", "scripted", "oracle"}

// KnownControllers lists every controller spec NewController accepts, for
// help texts and errors.
func KnownControllers() string {
	return strings.Join(ControllerNames, ", ") + ", oracle:FILE, ckpt:DIR, oracle-skills:DIR, zoo:NAME, zoo:best"
}

// OracleConfig sets the oracle controller: MPC with CEM over the true
// simulator. A zero Horizon selects the task's Spec.Oracle, or DefaultOracle
// when the task sets none.
type OracleConfig struct {
	Horizon int         // control steps
	CEM     control.CEM // planner options (see control.CEM for defaults)
	Workers int         // parallel simulator clones; 0 = GOMAXPROCS
}

// DefaultOracle is the oracle's default planner setting.
var DefaultOracle = OracleConfig{Horizon: 8, CEM: control.CEM{Population: 64, Elites: 8, Iterations: 4}}

// NewController builds the controller named by spec for env:
//
//	zero       all-zero actions (every joint to the middle of its range)
//	random     uniform actions in [−1, 1]
//	scripted   the task's hand-written controller, where it has one
//	oracle     MPC (CEM) over the true simulator through snapshots
//	oracle:FILE  MPC over the true simulator with the planner of the
//	           training config FILE (its kind, horizon and options): the
//	           run's planner given a perfect model
//	ckpt:DIR   the controller of the training run checkpointed in DIR: MPC
//	           on its ensemble or its policy (see NewCheckpointController)
//	oracle-skills:DIR  a DADS checkpoint's latent-space planner scoring its
//	           skills on the true simulator instead of the skill dynamics
//	           (dads.Planner.SimulateOn): are the skills or their dynamics
//	           the limit?
//	zoo:NAME   the trained agent NAME of the zoo in use (see UseZoo,
//	           `sandbox zoo`); zoo:best, the task's best one
//
// The oracles simulate on GOMAXPROCS clones in parallel (see
// NewControllerWorkers).
func NewController(spec string, env *tasks.Env) (control.Controller, error) {
	return NewControllerWorkers(spec, env, 0)
}

// NewControllerWorkers is NewController with the oracles simulating on
// workers clones in parallel (0: GOMAXPROCS); the viewer leaves a core to
// its window.
func NewControllerWorkers(spec string, env *tasks.Env, workers int) (control.Controller, error) {
	return NewControllerWith(spec, env, ControllerOptions{Workers: workers})
}

// ControllerOptions adjust the controllers NewControllerWith returns.
type ControllerOptions struct {
	// Workers is the number of clones the oracles simulate on in
	// parallel; 0: GOMAXPROCS.
	Workers int
	// Planner, if not empty, names a training config file whose planner
	// settings replace a checkpoint's, for ckpt:DIR and oracle-skills:DIR
	// (see NewCheckpointControllerPlanning); other controllers refuse it.
	Planner string
}

// NewControllerWith is NewController with options.
func NewControllerWith(spec string, env *tasks.Env, opt ControllerOptions) (control.Controller, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	load := NewCheckpointController
	if opt.Planner != "" {
		if !strings.HasPrefix(spec, "ckpt:") && !strings.HasPrefix(spec, "oracle-skills:") {
			return nil, fmt.Errorf("mbrl: controller %q: a planner file applies only to ckpt:DIR and oracle-skills:DIR", spec)
		}
		plan, err := ReadConfig(opt.Planner)
		if err != nil {
			return nil, fmt.Errorf("mbrl: planner file: %w", err)
		}
		load = func(dir string, env *tasks.Env) (control.Controller, error) {
			return NewCheckpointControllerPlanning(dir, env, plan)
		}
	}
	switch {
	case spec == "zero":
		return control.Zero{}, nil
	case spec == "random":
		return &control.Random{}, nil
	case spec == "scripted":
		s, ok := env.Task().(tasks.Scripter)
		if !ok {
			return nil, fmt.Errorf("mbrl: task %q has no scripted controller (try oracle)", env.Spec().ID)
		}
		return s.Scripted(env)
	case spec == "oracle":
		return NewOracle(env, OracleConfig{Workers: workers})
	case strings.HasPrefix(spec, "oracle:"):
		return newConfigOracle(strings.TrimPrefix(spec, "oracle:"), env, workers)
	case strings.HasPrefix(spec, "ckpt:"):
		dir := strings.TrimPrefix(spec, "ckpt:")
		if dir == "" {
			return nil, fmt.Errorf("mbrl: controller %q: want ckpt:DIR, the --out directory of sandbox train", spec)
		}
		return load(dir, env)
	case strings.HasPrefix(spec, "oracle-skills:"):
		dir := strings.TrimPrefix(spec, "oracle-skills:")
		if dir == "" {
			return nil, fmt.Errorf("mbrl: controller %q: want oracle-skills:DIR, the --out directory of a DADS run", spec)
		}
		c, err := load(dir, env)
		if err != nil {
			return nil, err
		}
		p, ok := c.(*dads.Planner)
		if !ok {
			return nil, fmt.Errorf("mbrl: controller %q: the checkpoint in %s is not a DADS run", spec, dir)
		}
		return p, p.SimulateOn(env)
	case strings.HasPrefix(spec, "zoo:"):
		return zooController(strings.TrimPrefix(spec, "zoo:"), env)
	}
	return nil, fmt.Errorf("mbrl: unknown controller %q (known: %s)", spec, KnownControllers())
}

// NewOracle returns MPC over the true simulator of env.
func NewOracle(env *tasks.Env, cfg OracleConfig) (*control.MPC, error) {
	if cfg.Horizon == 0 {
		cfg.Horizon, cfg.CEM = DefaultOracle.Horizon, DefaultOracle.CEM
		if o := env.Spec().Oracle; o.Horizon > 0 {
			cfg.Horizon, cfg.CEM = o.Horizon, o.CEM
		}
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	cem := cfg.CEM
	return newOracle(env, &control.MPC{Planner: &cem, Horizon: cfg.Horizon}, cfg.Workers)
}

// newConfigOracle returns MPC over the true simulator of env, on workers
// clones, with the planner of the training config in the file at path.
func newConfigOracle(path string, env *tasks.Env, workers int) (*control.MPC, error) {
	if path == "" {
		return nil, fmt.Errorf("mbrl: controller \"oracle:\" names no file: want oracle:FILE, a training config such as assets/configs/pddm-claw-turn.json")
	}
	p, err := readPlannerConfig(path)
	if err != nil {
		return nil, fmt.Errorf("mbrl: controller oracle:%s: %w", path, err)
	}
	return newOracle(env, &control.MPC{Planner: p.planner(), Horizon: p.Horizon, ZeroFill: p.ZeroFill}, workers)
}

// readPlannerConfig returns the planner, with defaults, of the training
// config in the file at path.
func readPlannerConfig(path string) (PlannerConfig, error) {
	cfg, err := ReadConfig(path)
	if err != nil {
		return PlannerConfig{}, err
	}
	p := cfg.WithDefaults().Planner
	return p, p.Validate()
}

// newOracle completes mpc (planner and horizon set) to plan over the true
// simulator of env with the given number of parallel clones.
func newOracle(env *tasks.Env, mpc *control.MPC, workers int) (*control.MPC, error) {
	o, err := tasks.NewOracle(env, workers)
	if err != nil {
		return nil, err
	}
	mpc.Dim, mpc.Objective = env.Spec().ActionDim, o.Objective
	return mpc, nil
}

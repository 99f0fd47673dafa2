package mbrl

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"sandbox/control"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/modelenv"
	"sandbox/tasks"
)

// PlannerConfig sets model-predictive control on a learned ensemble. The
// zero value is PETS's CEM with TS∞ and 20 particles over 15 steps, far too
// slow for a small CPU: assets/configs holds the scaled-down settings used.
type PlannerConfig struct {
	// Kind is "cem" (PETS, the default), "mppi" (PDDM: MPPI with
	// filtering) or "random" (random shooting).
	Kind string `json:"kind"`
	// Horizon is the number of control steps planned ahead; 0 means 15.
	Horizon int `json:"horizon"`
	// Particles per candidate plan; 0 means 20 (PETS).
	Particles int `json:"particles"`
	// Propagation is "tsinf" (the default), "ts1" or "expectation".
	Propagation string `json:"propagation"`
	// Mean propagates predicted means without sampling noise (PDDM).
	Mean bool `json:"mean"`
	// ZeroFill warm-starts the last plan step with zeros, as PETS and
	// mbrl-lib do, instead of repeating the previous plan's last step (the
	// default, as PDDM and the oracle do). For absolute joint-target actions
	// zero is the middle of each joint's range, a poor guess.
	ZeroFill bool `json:"zero_fill"`
	// CEM, MPPI and Shooting hold the options of the chosen planner (see
	// package control for their defaults).
	CEM      control.CEM            `json:"cem"`
	MPPI     control.MPPI           `json:"mppi"`
	Shooting control.RandomShooting `json:"shooting"`
}

func (c PlannerConfig) withDefaults() PlannerConfig {
	if c.Kind == "" {
		c.Kind = "cem"
	}
	if c.Horizon == 0 {
		c.Horizon = 15
	}
	if c.Particles == 0 {
		c.Particles = 20
	}
	if c.Propagation == "" {
		c.Propagation = "tsinf"
	}
	// The chosen planner's options, so that config.json shows them.
	switch c.Kind {
	case "cem":
		c.CEM = c.CEM.WithDefaults()
	case "mppi":
		c.MPPI = c.MPPI.WithDefaults()
	case "random":
		c.Shooting = c.Shooting.WithDefaults()
	}
	return c
}

func (c PlannerConfig) propagation() (ensemble.Propagation, error) {
	switch strings.ToLower(c.Propagation) {
	case "tsinf", "":
		return ensemble.TSInf, nil
	case "ts1":
		return ensemble.TS1, nil
	case "expectation":
		return ensemble.Expectation, nil
	}
	return 0, fmt.Errorf("mbrl: unknown propagation %q (known: tsinf, ts1, expectation)", c.Propagation)
}

// Validate reports the first invalid option. Package control checks the
// planner's options (for plans of one action value; NewAgent checks them
// again for the task's action dimension).
func (c PlannerConfig) Validate() error {
	c = c.withDefaults()
	if _, err := c.propagation(); err != nil {
		return err
	}
	switch {
	case c.Horizon < 1 || c.Horizon > 1000:
		return fmt.Errorf("mbrl: planner horizon %d outside [1, 1000]", c.Horizon)
	case c.Particles < 1 || c.Particles > 10000:
		return fmt.Errorf("mbrl: planner particles %d outside [1, 10000]", c.Particles)
	}
	return c.validatePlanner(1)
}

// validatePlanner reports an option of the chosen planner out of range
// for plans of dim action values; c has its defaults.
func (c PlannerConfig) validatePlanner(dim int) error {
	var err error
	switch c.Kind {
	case "cem":
		err = c.CEM.Validate(c.Horizon, dim)
	case "mppi":
		err = c.MPPI.Validate(c.Horizon, dim)
	case "random":
		err = c.Shooting.Validate(c.Horizon, dim)
	default:
		return fmt.Errorf("mbrl: unknown planner %q (known: cem, mppi, random)", c.Kind)
	}
	if err != nil {
		return fmt.Errorf("mbrl: planner: %w", err)
	}
	return nil
}

// Agent is MPC over a learned ensemble (PETS, PDDM): a Controller.
type Agent struct {
	mpc control.MPC
	obj *modelenv.Objective
}

// NewAgent returns MPC planning with the planner of cfg on ens for the
// task (set up by its Env), the model's layout given by cfg.Derive.
func NewAgent(ens *ensemble.Ensemble, task tasks.Task, run Config) (*Agent, error) {
	cfg := run.Planner
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	layout, err := modelenv.NewLayout(task, run.Derive)
	if err != nil {
		return nil, err
	}
	if err := cfg.validatePlanner(layout.ActDim); err != nil {
		return nil, err
	}
	if ens.OutDim() != layout.StateDim() || ens.ActDim() != layout.InputActDim() {
		return nil, fmt.Errorf("mbrl: model maps %d+%d to %d values; task %q needs %d+%d to %d",
			ens.OutDim(), ens.ActDim(), ens.OutDim(), task.Spec().ID, layout.StateDim(), layout.InputActDim(), layout.StateDim())
	}
	prop, _ := cfg.propagation()
	a := &Agent{obj: &modelenv.Objective{Ens: ens, Task: task, Layout: layout, Particles: cfg.Particles, Propagation: prop, Mean: cfg.Mean}}
	a.mpc = control.MPC{Planner: cfg.planner(), Horizon: cfg.Horizon, Dim: layout.ActDim, Objective: a.obj.From, ZeroFill: cfg.ZeroFill}
	return a, nil
}

// planner returns a new planner of the chosen kind with c's options; c
// must be valid.
func (c PlannerConfig) planner() control.Planner {
	switch c.Kind {
	case "mppi":
		p := c.MPPI
		return &p
	case "random":
		p := c.Shooting
		return &p
	}
	p := c.CEM
	return &p
}

// Reset implements control.Controller. The planner and the model's
// particles draw from two streams split off rng.
func (a *Agent) Reset(rng *rand.Rand) {
	a.obj.SetRand(rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
	a.mpc.Reset(rng)
}

// Act implements control.Controller.
func (a *Agent) Act(obs, act []float64) { a.mpc.Act(obs, act) }

// Plan returns the plan of the last Act (see control.MPC.Plan).
func (a *Agent) Plan() []float64 { return a.mpc.Plan() }

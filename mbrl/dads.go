package mbrl

import (
	"fmt"
	"path/filepath"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/mbrl/dads"
	"sandbox/mbrl/modelenv"
)

// dadsSpec is DADS (Sharma et al. 2019, "Dynamics-Aware Unsupervised
// Discovery of Skills"): skills learned with no task reward, evaluated
// zero-shot by the latent-space planner, which scores predicted skill
// states with the task's own reward (see package dads).
var dadsSpec = AlgoSpec{
	Name:          "dads",
	Summary:       "DADS: unsupervised skills and zero-shot latent-space planning (Sharma et al. 2019)",
	SmallProducts: true,
	Defaults:      func(c *Config) { c.DADS = c.DADS.WithDefaults() },
	Validate:      func(c Config) error { return c.DADS.Validate() },
	OwnExperience: true,
	// An iteration collects whole episodes until it has CollectSteps
	// (InitialSteps more on the first).
	Overshoot: func(c Config, episode int) int {
		d := c.DADS.WithDefaults()
		return d.InitialSteps + d.CollectSteps + episode
	},
	CheckMemory: checkDADSMemory,
	New:         newDADS,
	Load:        loadDADS,
	Replan:      func(c *Config, plan Config) { c.DADS.Planner = plan.DADS.Planner },
}

// dadsAlgo runs Learner iterations as a Collector: each collects skill
// episodes into the Learner's own buffer and trains the skill dynamics and
// the skill policy. Each evaluation also records the intrinsic reward and
// the skill-dynamics log-likelihood of the last iteration, and with a run
// directory writes skills.png (the paths of a grid of skills).
type dadsAlgo struct {
	noHooks
	learner *dads.Learner
}

func newDADS(r *Run) (Algorithm, error) {
	cfg := r.cfg.DADS
	cfg.Seed = seed.Stream(r.cfg.Seed, "dads").Uint64()
	l, err := dads.NewLearner(r.env, cfg)
	if err != nil {
		return nil, fmt.Errorf("mbrl: %w", err)
	}
	return &dadsAlgo{learner: l}, nil
}

func loadDADS(r *Run, parts Parts) (Algorithm, error) {
	a := &dadsAlgo{}
	if err := parts.decode("dads", func(p []byte) (err error) {
		a.learner, err = dads.LoadLearner(reader(p), r.env)
		return err
	}); err != nil {
		return nil, err
	}
	if a.learner == nil {
		return nil, parts.missing("dads", r.cfg.Algo)
	}
	// The run's config, not the part's copy, sets the planner, so that a
	// checkpoint can be evaluated with another (Replan).
	if err := a.learner.SetPlanner(r.cfg.DADS.Planner); err != nil {
		return nil, err
	}
	// The driver's counters are the learner's (see Collect).
	if c, st := a.learner.Counters(), r.st; c.EnvSteps != st.EnvSteps || c.Episodes != st.Episodes {
		return nil, fmt.Errorf("%w: state.env_steps %d, episodes %d disagree with the dads part's %d, %d",
			ErrCorruptCheckpoint, st.EnvSteps, st.Episodes, c.EnvSteps, c.Episodes)
	}
	return a, nil
}

// Collect runs one Learner iteration.
func (a *dadsAlgo) Collect(r *Run) error {
	it, err := a.learner.Iterate()
	if err != nil {
		return fmt.Errorf("mbrl: DADS iteration %d: %w", it.Iteration, err)
	}
	st := &r.st
	st.Episodes, st.EnvSteps = it.Episodes, it.EnvSteps
	rew, ll := it.Policy.Reward, it.DynamicsLogProb
	st.Intrinsic, st.SkillLogLik = &rew, &ll
	return nil
}

// Controller is the latent-space planner over the skills learned so far.
func (a *dadsAlgo) Controller(*Run, bool) (control.Controller, error) { return a.learner.Planner() }

// Report adds DADS's curves and writes the skills plot.
func (a *dadsAlgo) Report(r *Run, m *Metric) error {
	m.IntrinsicReward, m.SkillLogLik = r.st.Intrinsic, r.st.SkillLogLik
	if r.opt.Dir == "" {
		return nil
	}
	fan, err := a.learner.WriteSkillsPlot(filepath.Join(r.opt.Dir, "skills.png"))
	if err != nil {
		return err
	}
	m.SkillSpread = &fan.Spread
	return nil
}

func (a *dadsAlgo) Parts() []Part { return []Part{{"dads", a.learner}} }

// checkDADSMemory bounds DADS's networks, skill-dynamics batches and
// buffer before anything is allocated.
func checkDADSMemory(c Config, l modelenv.Layout) error {
	d := c.DADS.WithDefaults()
	if err := checkNetwork("dads dynamics", d.Dynamics.Hidden); err != nil {
		return err
	}
	if err := checkNetwork("dads policy", d.Policy.Hidden); err != nil {
		return err
	}
	rows := float64(d.PriorSamples) * float64(d.DynamicsBatch)
	if v := mb(3*rows*widest(l.ObsDim+d.Skills, d.Dynamics.Hidden, l.ObsDim*d.Dynamics.Components), 4); v > MaxModelMB {
		return fmt.Errorf("mbrl: dads prior_samples × dynamics_batch = %d × %d skill-dynamics rows: activations need %.0f MB, more than MaxModelMB = %d MB",
			d.PriorSamples, d.DynamicsBatch, v, MaxModelMB)
	}
	drow := float64(2*(2*l.ObsDim+d.Skills) + l.ActDim + 2)
	if v := mb(float64(d.BufferCapacity)*drow, 8); v > MaxBufferMB {
		return fmt.Errorf("mbrl: dads buffer_capacity %d transitions need %.0f MB, more than MaxBufferMB = %d MB", d.BufferCapacity, v, MaxBufferMB)
	}
	return nil
}

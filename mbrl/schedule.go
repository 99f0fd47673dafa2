package mbrl

import (
	"fmt"

	"sandbox/mbrl/ensemble"
)

// Schedule says how the policy algorithms interleave real env steps, model
// fits, model rollouts and SAC updates. One mechanism covers them all:
//
//   - after every real env step (once the random episodes are done), take
//     UpdatesPerStep SAC updates;
//   - every RetrainEvery env steps (model-based algorithms), fit the
//     ensemble on the ModelWindow most recent real transitions with the
//     Config's Fit options, then take UpdatesPerFit SAC updates, stopping
//     early when PolicyConverge is set and the policy has converged in the
//     model;
//   - before every ChunkUpdates SAC updates, branch Rollouts·ChunkUpdates
//     model rollouts of length k from real states with the current policy
//     into the model buffer, which keeps the last ModelRetain such batches.
//
// SAC minibatches hold a RealRatio share of real transitions and the rest
// from the model buffer. Each algorithm's defaults (its file: sac.go,
// mbpo.go, dyna.go, pal.go, mal.go), scaled from the papers' settings to a
// 2-core CPU; a Schedule given in a config replaces them as a whole:
//
//	sac   model-free: 1 update per env step on real data.
//	mbpo  fit every 250 env steps; 10 updates per env step (MBPO: 20) on
//	      5% real data; 10 rollouts per update (MBPO: 400 per env step =
//	      20 per update), k from 1 to 10 over env steps 5k–25k (MBPO 1→15).
//	dyna  fit every 250 env steps; 2 updates per env step on half real,
//	      half one-step model transitions, 5 rollouts per update.
//	pal   policy leads: every 1000 env steps the model is refit to
//	      convergence (early stopping) on the 10k most recent transitions
//	      only — the aggressive follower — then the policy takes a
//	      conservative step of 2500 updates on model rollouts.
//	mal   model leads: every 1000 env steps the model takes a conservative
//	      step of 2 epochs on a 100k buffer, then the policy is optimised to
//	      convergence in it (up to 20000 updates, stopping when its model
//	      return stops improving).
//
// Setting both sides aggressive (PAL's model fit with MAL's policy
// convergence) is the known-unstable "both aggressive" variant.
type Schedule struct {
	// UpdatesPerStep is the number of SAC updates after each real env step.
	UpdatesPerStep int `json:"updates_per_step"`
	// UpdatesPerFit is the number of SAC updates right after each model
	// fit: PAL's conservative policy step, MAL's aggressive one.
	UpdatesPerFit int `json:"updates_per_fit"`
	// PolicyConverge ends the UpdatesPerFit updates early once the
	// policy's return in the model has stopped improving: after every
	// ChunkUpdates updates the deterministic policy is rolled out in the
	// model (the elites' mean prediction) from fixed real start states for
	// ConvergeHorizon steps, and ConvergePatience chunks in a row without a
	// relative improvement of ConvergeTol end it.
	PolicyConverge bool `json:"policy_converge,omitempty"`
	// ChunkUpdates is the number of SAC updates between model rollout
	// batches and convergence checks; default 250.
	ChunkUpdates int `json:"chunk_updates,omitempty"`
	// ConvergeTol is the relative improvement that counts; default 0.01.
	ConvergeTol float64 `json:"converge_tol,omitempty"`
	// ConvergeHorizon is the model rollout length of the check; default 10.
	ConvergeHorizon int `json:"converge_horizon,omitempty"`
	// ConvergePatience is the number of chunks in a row without
	// improvement that end the updates; default 2.
	ConvergePatience int `json:"converge_patience,omitempty"`
	// ModelWindow, if positive, fits the model on the most recent
	// ModelWindow real transitions only (PAL); 0 uses the whole buffer.
	ModelWindow int `json:"model_window,omitempty"`
	// RealRatio is the share of real transitions in each SAC minibatch; 1
	// for model-free SAC.
	RealRatio float64 `json:"real_ratio"`
	// Rollouts is the number of model rollouts branched per SAC update.
	Rollouts int `json:"rollouts,omitempty"`
	// RolloutLength is MBPO's k schedule [k0, k1, s0, s1]: k0 steps until
	// env step s0, then growing linearly to k1 at s1 (rounded down).
	RolloutLength [4]int `json:"rollout_length,omitzero"`
	// ModelRetain is the number of rollout batches the model buffer keeps;
	// default 20.
	ModelRetain int `json:"model_retain,omitempty"`
}

// policyDefaults returns an algorithm's Defaults for the policy family:
// schedule replaces a zero Schedule, own sets the algorithm's other
// defaults, and a model-based schedule fits fitEpochs epochs per refit
// (0: the ensemble's default, 100 with early stopping) with MBPO's ensemble.
func policyDefaults(schedule Schedule, fitEpochs int, own func(c *Config)) func(c *Config) {
	return func(c *Config) {
		s := &c.Schedule
		if c.RandomEpisodes == 0 {
			c.RandomEpisodes = 10
		}
		if c.Policy.Hidden == nil {
			c.Policy.Hidden = []int{128, 128} // SAC's 256×256 costs 4× more per update
		}
		c.Policy = c.Policy.WithDefaults()
		if *s == (Schedule{}) {
			*s = schedule
		}
		if own != nil {
			own(c)
		}
		if s.usesModel() {
			if c.Fit.Epochs == 0 {
				c.Fit.Epochs = fitEpochs // refits start from the last weights
			}
			if c.Model.Members == 0 && c.Model.Hidden == nil {
				// MBPO's 7 members with 5 elites, narrowed for a small CPU.
				c.Model = ensemble.Config{Members: 7, Elites: 5, Hidden: []int{128, 128, 128}}
			}
			if c.Fit.BatchSize == 0 {
				c.Fit.BatchSize = 256 // MBPO
			}
			modelDefaults(c)
		}
		if s.ChunkUpdates == 0 {
			s.ChunkUpdates = 250
		}
		if s.ConvergeTol == 0 {
			s.ConvergeTol = 0.01
		}
		if s.ConvergeHorizon == 0 {
			s.ConvergeHorizon = 10
		}
		if s.ConvergePatience == 0 {
			s.ConvergePatience = 2
		}
		if s.ModelRetain == 0 {
			s.ModelRetain = 20
		}
	}
}

// validatePolicy is the policy family's Validate.
func validatePolicy(c Config) error {
	if err := c.Policy.Validate(); err != nil {
		return err
	}
	return c.Schedule.validate()
}

// policySpec registers a member of the policy family.
func policySpec(name, summary string, defaults func(c *Config)) AlgoSpec {
	return AlgoSpec{Name: name, Summary: summary, Policy: true, SmallProducts: true, Defaults: defaults,
		Validate: validatePolicy, New: newPolicyAlgo, Load: loadPolicyAlgo}
}

// usesModel reports whether the schedule trains and rolls out a model.
func (s Schedule) usesModel() bool { return s.RealRatio < 1 }

// rolloutLength returns k at env step n.
func (s Schedule) rolloutLength(n int) int {
	k0, k1, s0, s1 := s.RolloutLength[0], s.RolloutLength[1], s.RolloutLength[2], s.RolloutLength[3]
	switch {
	case n <= s0 || s1 <= s0:
		return k0
	case n >= s1:
		return k1
	}
	return k0 + (k1-k0)*(n-s0)/(s1-s0)
}

func (s Schedule) validate() error {
	switch {
	case s.UpdatesPerStep < 0 || s.UpdatesPerFit < 0 || s.UpdatesPerStep+s.UpdatesPerFit == 0:
		return fmt.Errorf("mbrl: schedule updates_per_step %d, updates_per_fit %d: want non-negative, not both zero", s.UpdatesPerStep, s.UpdatesPerFit)
	case !(s.RealRatio >= 0 && s.RealRatio <= 1):
		return fmt.Errorf("mbrl: schedule real_ratio %v outside [0, 1]", s.RealRatio)
	case s.ChunkUpdates < 1 || s.ConvergeHorizon < 1 || s.ConvergePatience < 1 || !(s.ConvergeTol > 0):
		return fmt.Errorf("mbrl: schedule chunk_updates %d, converge_horizon %d, converge_patience %d, converge_tol %v must be positive",
			s.ChunkUpdates, s.ConvergeHorizon, s.ConvergePatience, s.ConvergeTol)
	case s.ModelWindow < 0 || s.ModelRetain < 1:
		return fmt.Errorf("mbrl: schedule model_window %d, model_retain %d", s.ModelWindow, s.ModelRetain)
	}
	if s.usesModel() {
		k0, k1, s0, s1 := s.RolloutLength[0], s.RolloutLength[1], s.RolloutLength[2], s.RolloutLength[3]
		if s.Rollouts < 1 || s.Rollouts > 100000 {
			return fmt.Errorf("mbrl: schedule rollouts %d outside [1, 100000] with real_ratio %v < 1", s.Rollouts, s.RealRatio)
		}
		if k0 < 1 || k1 < 1 || k0 > 1000 || k1 > 1000 || s0 < 0 || s1 < 0 {
			return fmt.Errorf("mbrl: schedule rollout_length %v: want k in [1, 1000] and non-negative steps", s.RolloutLength)
		}
	}
	return nil
}

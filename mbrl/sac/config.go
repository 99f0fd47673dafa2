package sac

import (
	"fmt"
	"math"

	"sandbox/mbrl/nn"
)

// Config holds the options of an Agent. Every zero field takes the
// documented default, that of SAC's reference implementation (softlearning,
// Haarnoja et al. 2018b) unless said otherwise.
type Config struct {
	// Hidden are the widths of the hidden layers of the actor and of each
	// critic; default [256, 256].
	Hidden []int `json:"hidden,omitempty"`
	// BatchSize is the minibatch size the trainer should pass to Update;
	// default 256. The agent preallocates its workspaces for it; Update
	// accepts any number of rows.
	BatchSize int `json:"batch_size,omitempty"`
	// LR is the Adam learning rate of the actor, the critics and log α;
	// default 3e-4.
	LR float32 `json:"lr,omitempty"`
	// Gamma is the discount factor per step, in (0, 1]; default 0.99.
	Gamma float64 `json:"gamma,omitempty"`
	// Tau is the Polyak rate of the target critics, θ' ← (1−τ)θ' + τθ after
	// every update, in (0, 1]; default 0.005.
	Tau float64 `json:"tau,omitempty"`
	// InitAlpha is the initial temperature α; default 0.1. softlearning
	// starts at 1, but log α moves by about LR per update under Adam, so
	// from 1 it takes ~7000 updates to reach the 0.1 scale where the
	// per-step rewards of this project's tasks (distances of order 0.1–1)
	// and the entropy of a 2–7 dimensional action are balanced; starting
	// at 0.1 skips that phase and automatic tuning still adjusts it.
	InitAlpha float64 `json:"init_alpha,omitempty"`
	// TargetEntropy is the entropy target H̄ of automatic temperature
	// tuning, in nats; default −actDim (nil means the default).
	TargetEntropy *float64 `json:"target_entropy,omitempty"`
	// FixedAlpha keeps α at InitAlpha instead of tuning it.
	FixedAlpha bool `json:"fixed_alpha,omitempty"`
	// Activation is the hidden activation of every network: "relu"
	// (default, as in the references), "silu" or "tanh".
	Activation string `json:"activation,omitempty"`
	// Smoothness, when positive, adds CAPS's temporal smoothness term
	// (Mysore et al. 2021) to the policy loss: Smoothness times the mean
	// squared difference between the deterministic actions tanh(μ) at s
	// and at the next observation s'. It penalises policies that flip
	// between two actions from one step to the next. Default 0.
	Smoothness float64 `json:"smoothness,omitempty"`
	// TargetEntropyEnd, with AnnealUpdates, anneals the entropy target:
	// it moves linearly from TargetEntropy to TargetEntropyEnd over the
	// first AnnealUpdates updates and stays there. A high target early
	// keeps exploring; a low one late lets the policy hold still, which a
	// reaching task's last steps need. Nil (the default) keeps the target
	// fixed. Like the target itself, it does nothing with FixedAlpha.
	TargetEntropyEnd *float64 `json:"target_entropy_end,omitempty"`
	// AnnealUpdates is the length of the anneal in updates (count the
	// algorithm's updates per env step: SAC's 1, PAL's 2.5 on average);
	// positive exactly when TargetEntropyEnd is set.
	AnnealUpdates int `json:"anneal_updates,omitempty"`
}

// WithDefaults returns c with every zero field replaced by its default.
// TargetEntropy stays nil: its default depends on the action width and is
// resolved by New.
func (c Config) WithDefaults() Config {
	if len(c.Hidden) == 0 {
		c.Hidden = []int{256, 256}
	} else {
		c.Hidden = append([]int(nil), c.Hidden...)
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.LR == 0 {
		c.LR = 3e-4
	}
	if c.Gamma == 0 {
		c.Gamma = 0.99
	}
	if c.Tau == 0 {
		c.Tau = 0.005
	}
	if c.InitAlpha == 0 {
		c.InitAlpha = 0.1
	}
	if c.TargetEntropy != nil {
		h := *c.TargetEntropy
		c.TargetEntropy = &h
	}
	if c.TargetEntropyEnd != nil {
		h := *c.TargetEntropyEnd
		c.TargetEntropyEnd = &h
	}
	if c.Activation == "" {
		c.Activation = "relu"
	}
	return c
}

// maxWidth bounds hidden widths and the batch size so that a hostile
// config cannot ask for absurd allocations.
const maxWidth = 1 << 16

// Validate reports the first invalid field of c, after defaults.
func (c Config) Validate() error {
	c = c.WithDefaults()
	for _, h := range c.Hidden {
		if h < 1 || h > maxWidth {
			return fmt.Errorf("sac: hidden widths %v must be in [1, %d]", c.Hidden, maxWidth)
		}
	}
	if len(c.Hidden) > 16 {
		return fmt.Errorf("sac: %d hidden layers, want at most 16", len(c.Hidden))
	}
	if c.BatchSize < 1 || c.BatchSize > 1<<20 {
		return fmt.Errorf("sac: batch size %d, want in [1, %d]", c.BatchSize, 1<<20)
	}
	if !(c.LR > 0) || math.IsInf(float64(c.LR), 0) {
		return fmt.Errorf("sac: learning rate %v, want positive and finite", c.LR)
	}
	if !(c.Gamma > 0 && c.Gamma <= 1) {
		return fmt.Errorf("sac: gamma %v, want in (0, 1]", c.Gamma)
	}
	if !(c.Tau > 0 && c.Tau <= 1) {
		return fmt.Errorf("sac: tau %v, want in (0, 1]", c.Tau)
	}
	if !(c.InitAlpha > 0) || math.IsInf(c.InitAlpha, 0) {
		return fmt.Errorf("sac: init alpha %v, want positive and finite", c.InitAlpha)
	}
	if c.TargetEntropy != nil && (math.IsNaN(*c.TargetEntropy) || math.IsInf(*c.TargetEntropy, 0)) {
		return fmt.Errorf("sac: target entropy %v, want finite", *c.TargetEntropy)
	}
	if e := c.TargetEntropyEnd; e != nil && (math.IsNaN(*e) || math.IsInf(*e, 0)) {
		return fmt.Errorf("sac: target entropy end %v, want finite", *e)
	}
	if (c.TargetEntropyEnd != nil) != (c.AnnealUpdates > 0) || c.AnnealUpdates < 0 {
		return fmt.Errorf("sac: anneal_updates %d: target_entropy_end needs a positive anneal_updates, and anneal_updates needs target_entropy_end", c.AnnealUpdates)
	}
	if _, err := activation(c.Activation); err != nil {
		return err
	}
	if !(c.Smoothness >= 0) || math.IsInf(c.Smoothness, 0) {
		return fmt.Errorf("sac: smoothness %v, want finite and ≥ 0", c.Smoothness)
	}
	return nil
}

func activation(name string) (nn.Activation, error) {
	switch name {
	case "relu":
		return nn.ReLU, nil
	case "silu":
		return nn.SiLU, nil
	case "tanh":
		return nn.Tanh, nil
	}
	return 0, fmt.Errorf("sac: unknown activation %q (known: relu, silu, tanh)", name)
}

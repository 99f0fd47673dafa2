// Package ensemble implements the probabilistic ensemble dynamics model of
// PETS (Chua et al. 2018, "Deep Reinforcement Learning in a Handful of
// Trials using Probabilistic Dynamics Models"), as refined in mbrl-lib's
// GaussianMLP and used by MBPO (Janner et al. 2019), and its deterministic
// variant used by PAL/MAL (Rajeswaran et al. 2020).
//
// Each of B members is an MLP from a normalized (observation, action) to a
// Gaussian over the normalized change of observation Δ = next − obs: a mean
// and a log-variance soft-bounded between learned limits. Members are trained
// on their own bootstrap of the data with the Gaussian negative
// log-likelihood, stopped early on a held-out split, and the best members on
// that split are the elites used for prediction. Step propagates particles
// for planning with TS1, TS∞ or expectation (PETS §4).
//
// All members run in one batched pass (package nn): inputs are laid out as
// one contiguous block of rows per member, with one GEMM per member per layer.
package ensemble

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"sandbox/mbrl/nn"
)

// Config holds the architecture of an Ensemble. The zero value is PETS.
type Config struct {
	// Members is the number of networks B; default 5 (PETS). MBPO uses 7.
	Members int
	// Hidden lists the hidden-layer widths; default 200, 200, 200, 200.
	Hidden []int
	// Activation is the hidden activation; default SiLU (Swish).
	Activation nn.Activation
	// Deterministic drops the variance head: members predict the mean of Δ
	// only and are trained with the mean squared error, as in PAL/MAL.
	Deterministic bool
	// Elites is the number of best members, by held-out error, that
	// prediction uses; default Members (PETS). MBPO uses 5 of 7.
	Elites int
	// MaxLogVar and MinLogVar initialise the learned soft bounds of the
	// log-variance of normalized Δ; defaults 0.5 and −10 (PETS).
	MaxLogVar, MinLogVar float32
}

func (c Config) withDefaults() Config {
	if c.Members == 0 {
		c.Members = 5
	}
	if c.Hidden == nil {
		c.Hidden = []int{200, 200, 200, 200}
	}
	c.Hidden = slices.Clone(c.Hidden)
	if c.Activation == nn.Default {
		c.Activation = nn.SiLU
	}
	if c.Elites == 0 {
		c.Elites = c.Members
	}
	if c.MaxLogVar == 0 {
		c.MaxLogVar = 0.5
	}
	if c.MinLogVar == 0 {
		c.MinLogVar = -10
	}
	return c
}

// Ensemble is a trained or untrained ensemble dynamics model. Its methods
// are not safe for concurrent use: prediction reuses internal buffers.
type Ensemble struct {
	inDim, outDim int
	cfg           Config
	net           *nn.MLP

	// maxLogVar and minLogVar are the learned log-variance bounds, one
	// row of outDim per member (probabilistic models only).
	maxLogVar, minLogVar []float32
	// Normalization: x̃ = (x − inMean)/inStd, Δ̃ = (Δ − outMean)/outStd.
	inMean, inStd, outMean, outStd []float32
	elites                         []int

	// Prediction scratch, grown on demand.
	ws        *nn.Workspace
	x         []float32
	order     []int
	counts    []int
	start     []int
	vars      []float32
	tsMembers []int
}

// New returns an untrained ensemble mapping inDim = obs+act inputs to the
// change of the first outDim inputs (the observation), with parameters
// initialised from rng. Until Train fits them, normalization is the
// identity.
func New(inDim, outDim int, cfg Config, rng *rand.Rand) (*Ensemble, error) {
	cfg = cfg.withDefaults()
	if outDim < 1 || inDim < outDim {
		return nil, fmt.Errorf("ensemble: inDim %d, outDim %d: want 1 ≤ outDim ≤ inDim", inDim, outDim)
	}
	if cfg.Members < 1 || cfg.Elites < 1 || cfg.Elites > cfg.Members {
		return nil, fmt.Errorf("ensemble: %d elites of %d members", cfg.Elites, cfg.Members)
	}
	if cfg.MinLogVar >= cfg.MaxLogVar {
		return nil, fmt.Errorf("ensemble: MinLogVar %v ≥ MaxLogVar %v", cfg.MinLogVar, cfg.MaxLogVar)
	}
	if rng == nil {
		return nil, errors.New("ensemble: nil rng")
	}
	net, err := nn.NewMLP(cfg.Members, sizes(inDim, outDim, cfg), nn.Config{Hidden: cfg.Activation}, rng)
	if err != nil {
		return nil, fmt.Errorf("ensemble: %w", err)
	}
	e := newEnsemble(inDim, outDim, cfg, net)
	for i := range e.maxLogVar {
		e.maxLogVar[i] = cfg.MaxLogVar
		e.minLogVar[i] = cfg.MinLogVar
	}
	for i := range e.elites {
		e.elites[i] = i
	}
	return e, nil
}

func sizes(inDim, outDim int, cfg Config) []int {
	s := append([]int{inDim}, cfg.Hidden...)
	if cfg.Deterministic {
		return append(s, outDim)
	}
	return append(s, 2*outDim)
}

// newEnsemble allocates everything but does not initialise the bounds or
// elites.
func newEnsemble(inDim, outDim int, cfg Config, net *nn.MLP) *Ensemble {
	e := &Ensemble{
		inDim:   inDim,
		outDim:  outDim,
		cfg:     cfg,
		net:     net,
		inMean:  make([]float32, inDim),
		inStd:   ones(inDim),
		outMean: make([]float32, outDim),
		outStd:  ones(outDim),
		elites:  make([]int, cfg.Elites),
		counts:  make([]int, cfg.Members),
		start:   make([]int, cfg.Members),
	}
	if !cfg.Deterministic {
		e.maxLogVar = make([]float32, cfg.Members*outDim)
		e.minLogVar = make([]float32, cfg.Members*outDim)
	}
	return e
}

func ones(n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

// InDim returns the input width, observation plus action.
func (e *Ensemble) InDim() int { return e.inDim }

// OutDim returns the observation width.
func (e *Ensemble) OutDim() int { return e.outDim }

// ActDim returns the action width, InDim − OutDim.
func (e *Ensemble) ActDim() int { return e.inDim - e.outDim }

// Members returns the number of members.
func (e *Ensemble) Members() int { return e.cfg.Members }

// Config returns the configuration with defaults filled in.
func (e *Ensemble) Config() Config {
	c := e.cfg
	c.Hidden = slices.Clone(c.Hidden)
	return c
}

// Elites returns the members used for prediction, best first after Train.
func (e *Ensemble) Elites() []int { return slices.Clone(e.elites) }

// Net returns the underlying network. Its inputs and outputs are
// normalized; for a probabilistic ensemble the outputs of a row are the
// outDim means followed by the outDim unbounded log-variances.
func (e *Ensemble) Net() *nn.MLP { return e.net }

// LogVarBounds returns views of the learned log-variance bounds of normalized
// Δ, Members()×OutDim() each, or nil for a deterministic ensemble.
func (e *Ensemble) LogVarBounds() (maxLogVar, minLogVar []float32) {
	return e.maxLogVar, e.minLogVar
}

// boundLogVar soft-bounds a raw log-variance as in PETS:
//
//	l = max − softplus(max − raw),  l = min + softplus(l − min).
//
// It also returns ∂l/∂raw, ∂l/∂max and ∂l/∂min.
func boundLogVar(raw, hi, lo float32) (l, dRaw, dHi, dLo float32) {
	u := float64(hi - raw)
	l1 := float64(hi) - softplus(u)
	v := l1 - float64(lo)
	su, sv := sigmoid(u), sigmoid(v)
	l = float32(float64(lo) + softplus(v))
	return l, float32(sv * su), float32(sv * (1 - su)), float32(1 - sv)
}

func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

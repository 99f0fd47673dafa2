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
// for planning with TS1, TS∞ or expectation (PETS §4). Angles observed as
// (cos, sin) pairs can be modelled as raw angles (Config.Angles), as PETS
// feeds its reacher's joint angles.
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
	// Angles lists pairs {c, s} of observation indices that hold the cosine
	// and sine of one angle θ. The networks see and predict θ itself in
	// place of the pair, as PETS's reacher feeds raw joint angles: the input
	// holds θ = atan2(s, c) at c's place and drops s, the target is the
	// change of θ wrapped to [−π, π] (rad), and a prediction is the cosine
	// and sine of θ + Δθ, so it stays on the unit circle. Nil (the default)
	// models every observation value directly.
	Angles [][2]int
	// AngleSums also feeds the networks the cosine and sine of the running
	// sums θ₁, θ₁+θ₂, … of the Angles in the order listed: the link
	// orientations of a planar serial chain whose joint angles they are, in
	// which its tip position is linear. False (the default) feeds none.
	AngleSums bool
}

// WithDefaults returns c with its zero fields set to their defaults.
func (c Config) WithDefaults() Config {
	if c.Members == 0 {
		c.Members = 5
	}
	if c.Hidden == nil {
		c.Hidden = []int{200, 200, 200, 200}
	}
	c.Hidden = slices.Clone(c.Hidden)
	c.Angles = slices.Clone(c.Angles)
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
	// netIn and netOut are the network's input and output widths (per
	// head): inDim and outDim less one per angle pair, and two more inputs
	// per pair with AngleSums.
	netIn, netOut int
	// keep lists the observation indices the network sees and predicts, in
	// order; sinOf[j] is the sine index when keep[j] is the cosine of an
	// angle, else −1.
	keep, sinOf []int
	// Normalization of the network's input and target:
	// x̃ = (x − inMean)/inStd, Δ̃ = (Δ − outMean)/outStd.
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
	cfg = cfg.WithDefaults()
	if outDim < 1 || inDim < outDim {
		return nil, fmt.Errorf("ensemble: inDim %d, outDim %d: want 1 ≤ outDim ≤ inDim", inDim, outDim)
	}
	if cfg.Members < 1 || cfg.Elites < 1 || cfg.Elites > cfg.Members {
		return nil, fmt.Errorf("ensemble: %d elites of %d members", cfg.Elites, cfg.Members)
	}
	if cfg.MinLogVar >= cfg.MaxLogVar {
		return nil, fmt.Errorf("ensemble: MinLogVar %v ≥ MaxLogVar %v", cfg.MinLogVar, cfg.MaxLogVar)
	}
	if err := checkAngles(cfg.Angles, outDim); err != nil {
		return nil, err
	}
	if cfg.AngleSums && len(cfg.Angles) == 0 {
		return nil, errors.New("ensemble: AngleSums without angle pairs")
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

// checkAngles reports an angle pair that is out of range or reuses an
// index.
func checkAngles(angles [][2]int, outDim int) error {
	seen := map[int]bool{}
	for _, p := range angles {
		for _, i := range p {
			if i < 0 || i >= outDim || seen[i] {
				return fmt.Errorf("ensemble: angle pair %v: indices must be distinct and in [0, %d)", p, outDim)
			}
			seen[i] = true
		}
	}
	return nil
}

// sizes returns the network's layer widths; every angle pair takes one
// input and one output (per head) instead of two.
func sizes(inDim, outDim int, cfg Config) []int {
	inDim, outDim = netWidths(inDim, outDim, cfg)
	s := append([]int{inDim}, cfg.Hidden...)
	if cfg.Deterministic {
		return append(s, outDim)
	}
	return append(s, 2*outDim)
}

// netWidths returns the network's input and output (per head) widths.
func netWidths(inDim, outDim int, cfg Config) (in, out int) {
	k := len(cfg.Angles)
	in, out = inDim-k, outDim-k
	if cfg.AngleSums {
		in += 2 * k
	}
	return in, out
}

// newEnsemble allocates everything but does not initialise the bounds or
// elites.
func newEnsemble(inDim, outDim int, cfg Config, net *nn.MLP) *Ensemble {
	netIn, netOut := netWidths(inDim, outDim, cfg)
	e := &Ensemble{
		inDim:   inDim,
		outDim:  outDim,
		cfg:     cfg,
		net:     net,
		netIn:   netIn,
		netOut:  netOut,
		inMean:  make([]float32, netIn),
		inStd:   ones(netIn),
		outMean: make([]float32, netOut),
		outStd:  ones(netOut),
		elites:  make([]int, cfg.Elites),
		counts:  make([]int, cfg.Members),
		start:   make([]int, cfg.Members),
	}
	sinOf := map[int]int{}
	isSin := map[int]bool{}
	for _, p := range cfg.Angles {
		sinOf[p[0]], isSin[p[1]] = p[1], true
	}
	for i := range outDim {
		if isSin[i] {
			continue
		}
		s, ok := sinOf[i]
		if !ok {
			s = -1
		}
		e.keep, e.sinOf = append(e.keep, i), append(e.sinOf, s)
	}
	if !cfg.Deterministic {
		e.maxLogVar = make([]float32, cfg.Members*netOut)
		e.minLogVar = make([]float32, cfg.Members*netOut)
	}
	return e
}

// encode writes the network's raw (unnormalized) input for one row of obs
// (OutDim) and act (ActDim) to x (netIn).
func (e *Ensemble) encode(obs, act, x []float32) {
	for j, i := range e.keep {
		if s := e.sinOf[j]; s >= 0 {
			x[j] = atan2(obs[s], obs[i])
		} else {
			x[j] = obs[i]
		}
	}
	at := e.netOut
	if e.cfg.AngleSums {
		var sum float64
		for _, p := range e.cfg.Angles {
			sum += float64(atan2(obs[p[1]], obs[p[0]]))
			sn, cs := math.Sincos(sum)
			x[at], x[at+1] = float32(cs), float32(sn)
			at += 2
		}
	}
	copy(x[at:], act)
}

// target writes the network's raw target for the step obs → next (one row
// each) to y (netOut): the change of each kept value, wrapped to [−π, π]
// for angles.
func (e *Ensemble) target(obs, next, y []float32) {
	for j, i := range e.keep {
		if s := e.sinOf[j]; s >= 0 {
			y[j] = float32(math.Remainder(float64(atan2(next[s], next[i])-atan2(obs[s], obs[i])), 2*math.Pi))
		} else {
			y[j] = next[i] - obs[i]
		}
	}
}

func atan2(s, c float32) float32 { return float32(math.Atan2(float64(s), float64(c))) }

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
	c.Angles = slices.Clone(c.Angles)
	return c
}

// Elites returns the members used for prediction, best first after Train.
func (e *Ensemble) Elites() []int { return slices.Clone(e.elites) }

// Net returns the underlying network. Its inputs and outputs are
// normalized; for a probabilistic ensemble the outputs of a row are the
// means followed by as many unbounded log-variances. With Config.Angles
// each angle pair is one input and one mean (see Config.Angles).
func (e *Ensemble) Net() *nn.MLP { return e.net }

// LogVarBounds returns views of the learned log-variance bounds of normalized
// Δ, Members() rows of the network's means (OutDim() less one per angle
// pair) each, or nil for a deterministic ensemble.
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

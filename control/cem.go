package control

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// CEM is the cross-entropy method for planning as used by PETS (Chua et al.,
// "Deep Reinforcement Learning in a Handful of Trials using Probabilistic
// Dynamics Models", NeurIPS 2018) and mbrl-lib's CEMOptimizer, with optional
// colored sampling noise from iCEM (Pinneri et al., "Sample-efficient
// Cross-Entropy Method for Real-time Planning", CoRL 2020).
//
// Each plan value x_j has its own Gaussian N(μ_j, σ_j²), starting from
// μ = Problem.Init and σ_j = InitStd. Each of Iterations rounds
//
//  1. samples Population plans,
//  2. scores them with the Objective and keeps the Elites best,
//  3. refits μ', σ'² as the per-value mean and (biased) variance of the
//     elites, and
//  4. smooths: μ ← αμ + (1−α)μ', σ² ← ασ² + (1−α)σ'².
//
// By default sampling is PETS's: x_j = μ_j + s_j z with z ~ N(0, 1)
// truncated to [−2, 2] by rejection and
// s_j = min(σ_j, (μ_j+1)/2, (1−μ_j)/2), so that every sample lies in
// [−1, 1]. The bound on s_j makes progress towards an optimum on the
// boundary slow (the step shrinks with the distance to it), which Clip
// avoids: it samples x = clip(μ + σ ⊙ ε) with untruncated ε, as iCEM does.
// With Beta > 0 (which implies Clip), ε is colored: for every action
// dimension, ε over the horizon is unit-variance Gaussian noise with power
// spectrum ∝ 1/f^Beta (Pinneri et al. 2020; Beta = 2 is brown noise), which
// gives smoother, lower-frequency action sequences. In every case the
// sampling standard deviation is at least MinStd and samples are clipped to
// [−1, 1].
//
// Plan returns the best plan sampled over all iterations (mbrl-lib's default,
// return_mean_elites=false): it is the only candidate whose score is known,
// and it can only improve with more iterations. Set ReturnMean to return the
// final μ instead, which is smoother and less prone to exploiting noise in a
// stochastic Objective (the best of many noisy scores is optimistic).
//
// NaN scores rank below every other score. σ is reset to InitStd at every
// call; warm starting is through Problem.Init only.
//
// A CEM keeps scratch buffers between calls to Plan, so one value must not
// be used by several goroutines at once.
type CEM struct {
	// Population is the number of plans sampled per iteration; 0 means 400.
	Population int
	// Elites is the number of best plans the distribution is refit to; 0
	// means ⌈Population/10⌉ (40 for the default Population), the elite
	// ratio of mbrl-lib. It must not exceed Population.
	Elites int
	// Iterations is the number of sample-refit rounds; 0 means 5.
	Iterations int
	// Alpha in (0, 1) is the weight of the old distribution when smoothing;
	// 0 means 0.1, as in PETS.
	Alpha float64
	// InitStd is the initial standard deviation of every plan value; 0 means
	// 0.5, a quarter of the width of [−1, 1] as in PETS and mbrl-lib.
	InitStd float64
	// MinStd is a floor on the sampling standard deviation, which keeps the
	// search from collapsing (PETS's bound-derived s_j → 0 near ±1); 0 means
	// no floor.
	MinStd float64
	// Clip selects iCEM's clipped sampling instead of PETS's truncated,
	// bound-constrained sampling.
	Clip bool
	// Beta is the exponent of iCEM's colored sampling noise; 0 means white
	// noise. Beta > 0 implies Clip. iCEM used 2–2.5 for most tasks.
	Beta float64
	// ReturnMean makes Plan return the final mean instead of the best sample.
	ReturnMean bool

	batch   batch
	mean    []float64
	vari    []float64
	best    []float64
	order   []int
	colored coloredNoise
}

// options returns c's options with defaults filled in.
func (c *CEM) options() (pop, elites, iters int, alpha, std float64) {
	pop, elites, iters = c.Population, c.Elites, c.Iterations
	alpha, std = c.Alpha, c.InitStd
	if pop == 0 {
		pop = 400
	}
	if elites == 0 {
		elites = (pop + 9) / 10
	}
	if iters == 0 {
		iters = 5
	}
	if alpha == 0 {
		alpha = 0.1
	}
	if std == 0 {
		std = 0.5
	}
	return pop, elites, iters, alpha, std
}

// Validate reports the first option of c out of range, zero meaning its
// default, and whether Plan's memory for plans of horizon steps of dim
// actions stays within MaxBatchMB:
//
//	Population  0 (400) or 1 … 1 000 000
//	Elites      0 (⌈Population/10⌉) or 1 … Population
//	Iterations  0 (5) or 1 … 1000
//	Alpha       0 (0.1) or (0, 1)
//	InitStd     0 (0.5) or (0, 100]
//	MinStd      0 (no floor) or (0, 100]
//	Beta        0 (white noise) or (0, 10]; beyond 10 the noise is all
//	            lowest frequency (and its filter overflows for long horizons)
func (c *CEM) Validate(horizon, dim int) error {
	if err := checkCount("CEM", "Population", c.Population, 400, maxSamples); err != nil {
		return err
	}
	pop := c.BatchSize()
	if c.Elites < 0 || c.Elites > pop {
		return fmt.Errorf("control: CEM: Elites %d outside [1, Population = %d] (0 means %d)", c.Elites, pop, (pop+9)/10)
	}
	if err := checkCount("CEM", "Iterations", c.Iterations, 5, maxIterations); err != nil {
		return err
	}
	if err := checkOption("CEM", "Alpha", c.Alpha, 1, true, "0.1"); err != nil {
		return err
	}
	if err := checkOption("CEM", "InitStd", c.InitStd, maxStd, false, "0.5"); err != nil {
		return err
	}
	if err := checkOption("CEM", "MinStd", c.MinStd, maxStd, false, "no floor"); err != nil {
		return err
	}
	if err := checkOption("CEM", "Beta", c.Beta, 10, false, "white noise"); err != nil {
		return err
	}
	if c.Beta > 0 {
		return checkMemory("CEM", "Population", pop, horizon, dim, float64(horizon)*float64(horizon), " and horizon² for the colored-noise filter")
	}
	return checkMemory("CEM", "Population", pop, horizon, dim, 0, "")
}

// BatchSize returns the number of plans in each batch Plan scores:
// Population, or its default.
func (c *CEM) BatchSize() int {
	pop, _, _, _, _ := c.options()
	return pop
}

// Plan implements Planner. It panics if p or dst is malformed, or with the
// error of Validate. dst may alias p.Init.
func (c *CEM) Plan(p Problem, rng *rand.Rand, dst []float64) {
	checkProblem("CEM", p, dst)
	if err := c.Validate(p.Horizon, p.Dim); err != nil {
		panic(err)
	}
	pop, elites, iters, alpha, std := c.options()
	n := p.Horizon * p.Dim
	c.batch.resize(pop, n)
	c.mean = grow(c.mean, n)
	c.vari = grow(c.vari, n)
	c.best = grow(c.best, n)
	if cap(c.order) < pop {
		c.order = make([]int, pop)
	}
	c.order = c.order[:pop]
	if c.Beta > 0 {
		c.colored.reset(p.Horizon, c.Beta)
	}

	initMean(p, c.mean)
	for j := range c.vari {
		c.vari[j] = std * std
	}
	bestScore := math.NaN()
	haveBest := false
	for range iters {
		c.sample(p, rng)
		c.batch.evaluate(p.Objective)

		scores := c.batch.scores
		for i := range c.order {
			c.order[i] = i
		}
		// Stable, so that ties (and all-NaN batches) resolve to the lowest
		// index and results do not depend on the sort's internals.
		slices.SortStableFunc(c.order, func(a, b int) int { return cmp.Compare(scores[b], scores[a]) })
		if top := c.order[0]; !haveBest || better(scores[top], bestScore) {
			haveBest = true
			bestScore = scores[top]
			copy(c.best, c.batch.plans[top])
		}

		inv := 1 / float64(elites)
		for j := range n {
			var m float64
			for _, e := range c.order[:elites] {
				m += c.batch.plans[e][j]
			}
			m *= inv
			var v float64
			for _, e := range c.order[:elites] {
				d := c.batch.plans[e][j] - m
				v += d * d
			}
			v *= inv
			c.mean[j] = alpha*c.mean[j] + (1-alpha)*m
			c.vari[j] = alpha*c.vari[j] + (1-alpha)*v
		}
	}
	if c.ReturnMean || !haveBest {
		copy(dst, c.mean)
		return
	}
	copy(dst, c.best)
}

// sample fills c.batch with Population plans drawn around c.mean.
// Random numbers are drawn plan by plan; within a plan, white noise is
// drawn in storage order and colored noise one action dimension at a time.
// Truncated sampling may draw more than one number per value.
func (c *CEM) sample(p Problem, rng *rand.Rand) {
	for _, x := range c.batch.plans {
		if c.Clip || c.Beta > 0 {
			if c.Beta > 0 {
				for d := range p.Dim {
					c.colored.sample(rng, x[d:], p.Dim)
				}
			} else {
				for j := range x {
					x[j] = rng.NormFloat64()
				}
			}
			for j, e := range x {
				x[j] = clip(c.mean[j] + max(math.Sqrt(c.vari[j]), c.MinStd)*e)
			}
			continue
		}
		for j := range x {
			mu := c.mean[j]
			s := min(math.Sqrt(c.vari[j]), (mu+1)/2, (1-mu)/2)
			s = max(s, c.MinStd)
			x[j] = clip(mu + s*truncNorm(rng))
		}
	}
}

// truncNorm returns a standard normal variate conditioned on [−2, 2], drawn
// by rejection like mbrl-lib's truncated_normal_ (about 1.05 draws).
func truncNorm(rng *rand.Rand) float64 {
	for {
		if z := rng.NormFloat64(); z >= -2 && z <= 2 {
			return z
		}
	}
}

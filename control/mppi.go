package control

import (
	"math"
	"math/rand/v2"
)

// MPPI is model-predictive path integral control with the temporal filtering
// of PDDM (Nagabandi et al., "Deep Dynamics Models for Learning Dexterous
// Manipulation", CoRL 2019; google-research/pddm, policies/mppi.py).
//
// Starting from the mean plan μ = Problem.Init and u₋₁ = Problem.Prev, each
// of Iterations rounds samples Samples plans
//
//	ε_t ~ N(0, Sigma² I)
//	u_t = Beta (μ_t + ε_t) + (1 − Beta) u_{t−1},   t = 0 … Horizon−1
//
// (the recursion runs on the unclipped u, which are clipped to [−1, 1]
// afterwards, as in PDDM), scores them, R_i, and replaces μ by the
// reward-weighted average of the clipped samples
//
//	w_i = exp(Gamma (R_i − max_k R_k)),   μ = Σ_i w_i u_i / Σ_i w_i.
//
// Plan returns the final μ, a convex combination of plans in [−1, 1]. PDDM
// executes μ_0 and, at the next time step, shifts μ by one step repeating
// the last, and filters from the action it executed; MPC does exactly this
// when its Planner is an MPPI. PDDM runs one round per time step.
//
// Plans with NaN scores get zero weight; if no score is a number, μ is
// returned unchanged. PDDM's option to draw 10% of the samples with noise
// 0.3 Sigma (sample_velocities) is not implemented.
//
// An MPPI keeps scratch buffers between calls to Plan, so one value must not
// be used by several goroutines at once.
type MPPI struct {
	// Samples is the number of plans sampled per iteration; 0 means 700.
	Samples int
	// Gamma is the reward-weighting inverse temperature γ (PDDM's
	// mppi_kappa); 0 means 0.5. Larger values weight the best plans more.
	Gamma float64
	// Beta in (0, 1] is the filtering coefficient β (PDDM's mppi_beta); 0
	// means 0.7. Beta = 1 disables filtering.
	Beta float64
	// Sigma is the standard deviation of the sampling noise (PDDM's
	// mppi_mag_noise); 0 means 0.9.
	Sigma float64
	// Iterations is the number of sample-reweight rounds; 0 means 1.
	Iterations int

	batch batch
	mean  []float64
	raw   []float64
}

// options returns m's options with defaults filled in.
func (m *MPPI) options() (samples int, gamma, beta, sigma float64, iters int) {
	samples, gamma, beta, sigma, iters = m.Samples, m.Gamma, m.Beta, m.Sigma, m.Iterations
	if samples == 0 {
		samples = 700
	}
	if gamma == 0 {
		gamma = 0.5
	}
	if beta == 0 {
		beta = 0.7
	}
	if sigma == 0 {
		sigma = 0.9
	}
	if iters == 0 {
		iters = 1
	}
	return samples, gamma, beta, sigma, iters
}

// Validate reports the first option of m out of range, zero meaning its
// default, and whether Plan's memory for plans of horizon steps of dim
// actions stays within MaxBatchMB:
//
//	Samples     0 (700) or 1 … 1 000 000
//	Gamma       0 (0.5) or positive and finite
//	Beta        0 (0.7) or (0, 1]
//	Sigma       0 (0.9) or (0, 100]
//	Iterations  0 (1) or 1 … 1000
func (m *MPPI) Validate(horizon, dim int) error {
	if err := checkCount("MPPI", "Samples", m.Samples, 700, maxSamples); err != nil {
		return err
	}
	if err := checkOption("MPPI", "Gamma", m.Gamma, math.Inf(1), false, "0.5"); err != nil {
		return err
	}
	if err := checkOption("MPPI", "Beta", m.Beta, 1, false, "0.7"); err != nil {
		return err
	}
	if err := checkOption("MPPI", "Sigma", m.Sigma, maxStd, false, "0.9"); err != nil {
		return err
	}
	if err := checkCount("MPPI", "Iterations", m.Iterations, 1, maxIterations); err != nil {
		return err
	}
	return checkMemory("MPPI", "Samples", m.BatchSize(), horizon, dim, 0, "")
}

// BatchSize returns the number of plans in each batch Plan scores: Samples,
// or its default.
func (m *MPPI) BatchSize() int {
	samples, _, _, _, _ := m.options()
	return samples
}

// Plan implements Planner. It panics if p or dst is malformed, or with the
// error of Validate. dst may alias p.Init or p.Prev.
//
// Noise is drawn with rng.NormFloat64 plan by plan, step by step, action
// dimension by action dimension.
func (m *MPPI) Plan(p Problem, rng *rand.Rand, dst []float64) {
	checkProblem("MPPI", p, dst)
	if err := m.Validate(p.Horizon, p.Dim); err != nil {
		panic(err)
	}
	samples, gamma, beta, sigma, iters := m.options()
	n := p.Horizon * p.Dim
	m.batch.resize(samples, n)
	m.mean = grow(m.mean, n)
	m.raw = grow(m.raw, 2*p.Dim)
	initMean(p, m.mean)
	prev := m.raw[p.Dim:]
	if p.Prev == nil {
		clear(prev)
	} else {
		copy(prev, p.Prev)
	}

	for range iters {
		for _, u := range m.batch.plans {
			last := m.raw[:p.Dim]
			copy(last, prev)
			for t := range p.Horizon {
				for d := range p.Dim {
					j := t*p.Dim + d
					last[d] = beta*(m.mean[j]+sigma*rng.NormFloat64()) + (1-beta)*last[d]
					u[j] = clip(last[d])
				}
			}
		}
		m.batch.evaluate(p.Objective)

		w := m.batch.scores
		sum, _ := MPPIWeights(w, gamma)
		if sum == 0 {
			break // every score is NaN: nothing to weight by
		}
		clear(m.mean)
		for i, u := range m.batch.plans {
			if w[i] == 0 {
				continue
			}
			for j, v := range u {
				m.mean[j] += w[i] * v
			}
		}
		for j := range m.mean {
			m.mean[j] /= sum
		}
	}
	copy(dst, m.mean)
}

// MPPIWeights overwrites the scores R_i of a batch of plans with MPPI's
// weights
//
//	w_i = exp(γ (R_i − max_k R_k)),
//
// the softmax of γR scaled so that the best plan weighs 1 (Williams et al.,
// "Information Theoretic MPC for Model-Based Reinforcement Learning", ICRA
// 2017; PDDM's mppi_kappa is γ). NaN scores get weight 0, and scores equal
// to the maximum weight 1 even when infinite (where R − max R is NaN). It
// returns Σ w_i, which is 0 if and only if every score is NaN, and max R,
// −Inf if no score exceeds −Inf. MPPI.Plan averages its plans with
// them as Σ w_i u_i / Σ w_i; other MPPI-style planners (over skills, say)
// share the weighting through this function.
func MPPIWeights(scores []float64, gamma float64) (sum, best float64) {
	best = math.Inf(-1)
	for _, r := range scores {
		if r > best { // false for NaN
			best = r
		}
	}
	for i, r := range scores {
		switch {
		case r == best: // also ±Inf, where r−best is NaN
			scores[i] = 1
		case r == r:
			scores[i] = math.Exp(gamma * (r - best))
		default:
			scores[i] = 0
		}
		sum += scores[i]
	}
	return sum, best
}

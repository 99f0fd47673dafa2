package control

import "math/rand/v2"

// RandomShooting is the random-shooting planner, the baseline of Nagabandi et
// al. ("Neural Network Dynamics for Model-Based Deep Reinforcement Learning
// with Model-Free Fine-Tuning", ICRA 2018) and of PETS: it scores Samples
// plans drawn uniformly from [−1, 1]^(Horizon·Dim) in one batch and returns
// the best (the first among ties; NaN scores rank last). Problem.Init and
// Problem.Prev are ignored.
//
// A RandomShooting keeps scratch buffers between calls to Plan, so one value
// must not be used by several goroutines at once.
type RandomShooting struct {
	// Samples is the number of plans scored; 0 means 1000.
	Samples int

	batch batch
}

// Validate reports whether Samples is 0 (1000) or in 1 … 1 000 000, and
// Plan's memory for plans of horizon steps of dim actions stays within
// MaxBatchMB.
func (r *RandomShooting) Validate(horizon, dim int) error {
	if err := checkCount("RandomShooting", "Samples", r.Samples, 1000, maxSamples); err != nil {
		return err
	}
	return checkMemory("RandomShooting", "Samples", r.BatchSize(), horizon, dim, 0, "")
}

// BatchSize returns the number of plans Plan scores: Samples, or its
// default.
func (r *RandomShooting) BatchSize() int {
	if r.Samples == 0 {
		return 1000
	}
	return r.Samples
}

// Plan implements Planner. It panics if p or dst is malformed, or with the
// error of Validate. Values are drawn with rng.Float64 in storage order,
// plan by plan.
func (r *RandomShooting) Plan(p Problem, rng *rand.Rand, dst []float64) {
	checkProblem("RandomShooting", p, dst)
	if err := r.Validate(p.Horizon, p.Dim); err != nil {
		panic(err)
	}
	samples := r.BatchSize()
	r.batch.resize(samples, p.Horizon*p.Dim)
	for j := range r.batch.data {
		r.batch.data[j] = 2*rng.Float64() - 1
	}
	r.batch.evaluate(p.Objective)
	top := 0
	for i, s := range r.batch.scores {
		if better(s, r.batch.scores[top]) {
			top = i
		}
	}
	copy(dst, r.batch.plans[top])
}

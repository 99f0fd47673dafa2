package control_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/control"
)

// quadratic scores a plan by −‖x − c‖², maximal at clip(c).
func quadratic(c []float64) control.Objective {
	return func(plans [][]float64, scores []float64) {
		for i, x := range plans {
			var s float64
			for j, v := range x {
				d := v - c[j]
				s -= d * d
			}
			scores[i] = s
		}
	}
}

// rastrigin is a separable multimodal objective, the negated Rastrigin
// function −Σ z² + 10(1 − cos 2πz) of z = 4(x − c): maximal (0) at x = c,
// with local maxima at every x = c + k/4 inside [−1, 1].
func rastrigin(c float64) control.Objective {
	return func(plans [][]float64, scores []float64) {
		for i, x := range plans {
			var s float64
			for _, v := range x {
				z := 4 * (v - c)
				s -= z*z + 10*(1-math.Cos(2*math.Pi*z))
			}
			scores[i] = s
		}
	}
}

// fill returns n copies of v.
func fill(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// wave returns a target sequence of n values inside (−1, 1) that differ from
// step to step.
func wave(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = 0.7 * math.Sin(float64(i)+0.5)
	}
	return s
}

// smooth returns a target plan whose every action dimension varies slowly
// over the horizon.
func smooth(horizon, dim int) []float64 {
	s := make([]float64, horizon*dim)
	for t := range horizon {
		for d := range dim {
			s[t*dim+d] = 0.5 * math.Sin(0.3*float64(t)+float64(d))
		}
	}
	return s
}

func clipped(c []float64) []float64 {
	s := make([]float64, len(c))
	for i, v := range c {
		s[i] = max(-1, min(1, v))
	}
	return s
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// The tolerances below are about twice the largest error measured over
// seeds 0–9 with the same budget; the test runs seeds 0–2.
func TestPlannersFindOptimum(t *testing.T) {
	boundary := []float64{1.5, -1.5} // optimum (1, −1), a corner of the box
	tests := []struct {
		name    string
		planner func() control.Planner
		horizon int
		dim     int
		target  []float64 // maximiser before clipping, Horizon*Dim values
		obj     control.Objective
		prev    []float64
		tol     float64
	}{
		{"CEM/quadratic", func() control.Planner { return &control.CEM{} }, 5, 2, wave(10), nil, nil, 0.3},
		{"CEM/quadratic/mean", func() control.Planner { return &control.CEM{ReturnMean: true} }, 5, 2, wave(10), nil, nil, 0.2},
		{"CEM/quadratic/10iter", func() control.Planner { return &control.CEM{Iterations: 10} }, 5, 2, wave(10), nil, nil, 0.03},
		// Colored noise favours smooth plans, so its target is smooth. On a
		// separable quadratic it is no faster than white noise.
		{"CEM/smooth/colored", func() control.Planner { return &control.CEM{Beta: 2, Iterations: 10} }, 10, 2, smooth(10, 2), nil, nil, 0.25},
		{"CEM/boundary", func() control.Planner { return &control.CEM{} }, 1, 2, boundary, nil, nil, 0.15},
		{"CEM/boundary/clip", func() control.Planner { return &control.CEM{Clip: true, Iterations: 10} }, 5, 2, fill(10, 1.5), nil, nil, 0.2},
		{"CEM/rastrigin", func() control.Planner { return &control.CEM{} }, 2, 1, fill(2, 0.25), rastrigin(0.25), nil, 0.03},
		{"MPPI/quadratic/unfiltered", func() control.Planner {
			return &control.MPPI{Gamma: 5, Beta: 1, Sigma: 0.3, Iterations: 10}
		}, 5, 2, wave(10), nil, nil, 0.1},
		// With filtering the sampling distribution is centred on the
		// filtered mean, so a constant target reached from Prev = target is
		// a fixed point.
		{"MPPI/quadratic/filtered", func() control.Planner {
			return &control.MPPI{Gamma: 5, Sigma: 0.3, Iterations: 10}
		}, 2, 1, fill(2, 0.3), nil, []float64{0.3}, 0.04},
		{"MPPI/boundary", func() control.Planner { return &control.MPPI{Gamma: 20, Iterations: 5} }, 5, 2, fill(10, 1.5), nil, nil, 0.1},
		{"RandomShooting/quadratic", func() control.Planner { return &control.RandomShooting{} }, 1, 2, []float64{0.3, -0.6}, nil, nil, 0.1},
		{"RandomShooting/boundary", func() control.Planner { return &control.RandomShooting{} }, 1, 2, boundary, nil, nil, 0.25},
		{"RandomShooting/rastrigin", func() control.Planner { return &control.RandomShooting{} }, 1, 1, []float64{0.25}, rastrigin(0.25), nil, 0.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := tt.obj
			if obj == nil {
				obj = quadratic(tt.target)
			}
			want := clipped(tt.target)
			for seed := range uint64(3) {
				dst := make([]float64, tt.horizon*tt.dim)
				p := control.Problem{Horizon: tt.horizon, Dim: tt.dim, Objective: obj, Prev: tt.prev}
				tt.planner().Plan(p, newRand(seed), dst)
				assert.InDeltaSlice(t, want, dst, tt.tol, "seed %d: Plan = %.3f, want %.3f", seed, dst, want)
			}
		})
	}
}

// plannerZoo lists planners with both default and extreme options, for the
// properties every planner must have.
func plannerZoo() []struct {
	name    string
	planner control.Planner
} {
	return []struct {
		name    string
		planner control.Planner
	}{
		{"CEM", &control.CEM{Population: 50, Iterations: 3}},
		{"CEM/wide", &control.CEM{Population: 50, Iterations: 3, InitStd: 5, MinStd: 2}},
		{"CEM/clip", &control.CEM{Population: 50, Iterations: 3, InitStd: 5, Clip: true}},
		{"CEM/colored", &control.CEM{Population: 50, Iterations: 3, InitStd: 3, Beta: 2}},
		{"CEM/mean", &control.CEM{Population: 50, Iterations: 3, ReturnMean: true}},
		{"MPPI", &control.MPPI{Samples: 50}},
		{"MPPI/wide", &control.MPPI{Samples: 50, Sigma: 5, Gamma: 100, Iterations: 3}},
		{"MPPI/unfiltered", &control.MPPI{Samples: 50, Sigma: 5, Beta: 1}},
		{"RandomShooting", &control.RandomShooting{Samples: 50}},
	}
}

func TestPlannersStayInBounds(t *testing.T) {
	const horizon, dim = 7, 3
	init := make([]float64, horizon*dim)
	for i := range init {
		init[i] = 3 * math.Cos(float64(i)) // mostly outside [−1, 1]
	}
	prev := []float64{4, -4, 0.5}
	// Rewarding |x| pushes every planner against the bounds.
	obj := func(bad *int) control.Objective {
		return func(plans [][]float64, scores []float64) {
			for i, x := range plans {
				var s float64
				for _, v := range x {
					if !(v >= -1 && v <= 1) {
						*bad++
					}
					s += math.Abs(v)
				}
				scores[i] = s
			}
		}
	}
	for _, tt := range plannerZoo() {
		t.Run(tt.name, func(t *testing.T) {
			for seed := range uint64(3) {
				var bad int
				dst := make([]float64, horizon*dim)
				p := control.Problem{Horizon: horizon, Dim: dim, Objective: obj(&bad), Init: init, Prev: prev}
				tt.planner.Plan(p, newRand(seed), dst)
				assert.Zero(t, bad, "seed %d: sampled values outside [-1, 1]", seed)
				for i, v := range dst {
					assert.True(t, v >= -1 && v <= 1, "seed %d: Plan[%d] = %v, want in [-1, 1]", seed, i, v)
				}
			}
		})
	}
}

func TestPlannersDeterministic(t *testing.T) {
	const horizon, dim = 4, 2
	obj := quadratic(wave(horizon * dim))
	plan := func(pl control.Planner, seed uint64) []float64 {
		dst := make([]float64, horizon*dim)
		pl.Plan(control.Problem{Horizon: horizon, Dim: dim, Objective: obj, Prev: []float64{0.2, 0.1}}, newRand(seed), dst)
		return dst
	}
	for _, tt := range plannerZoo() {
		t.Run(tt.name, func(t *testing.T) {
			a := plan(tt.planner, 1)
			b := plan(tt.planner, 1) // the same value again: scratch state must not leak
			require.Equal(t, a, b, "Plan(seed 1) differs between calls")
			c := plan(tt.planner, 2)
			assert.NotEqual(t, a, c, "Plan(seed 1) = Plan(seed 2) = %v, want different plans", a)
		})
	}
}

func TestPlannersNaNScores(t *testing.T) {
	const horizon, dim = 3, 2
	target := wave(horizon * dim)
	inner := quadratic(target)
	tests := []struct {
		name string
		nan  func(i int) bool
	}{
		{"some", func(i int) bool { return i%3 == 0 }},
		{"all", func(int) bool { return true }},
	}
	for _, tt := range tests {
		for _, pl := range plannerZoo() {
			t.Run(tt.name+"/"+pl.name, func(t *testing.T) {
				obj := func(plans [][]float64, scores []float64) {
					inner(plans, scores)
					for i := range scores {
						if tt.nan(i) {
							scores[i] = math.NaN()
						}
					}
				}
				dst := make([]float64, horizon*dim)
				pl.planner.Plan(control.Problem{Horizon: horizon, Dim: dim, Objective: obj}, newRand(3), dst)
				for i, v := range dst {
					assert.True(t, v >= -1 && v <= 1, "Plan[%d] = %v, want in [-1, 1]", i, v)
				}
			})
		}
	}
}

// CEM's five rounds of 400 should beat 2000 uniform samples on a 10-D
// quadratic, where uniform sampling is hopeless.
func TestCEMBeatsRandomShooting(t *testing.T) {
	const horizon, dim = 10, 1
	target := wave(horizon * dim)
	obj := quadratic(target)
	score := func(x []float64) float64 {
		s := make([]float64, 1)
		obj([][]float64{x}, s)
		return s[0]
	}
	for seed := range uint64(5) {
		p := control.Problem{Horizon: horizon, Dim: dim, Objective: obj}
		cem := make([]float64, horizon*dim)
		(&control.CEM{}).Plan(p, newRand(seed), cem)
		rs := make([]float64, horizon*dim)
		(&control.RandomShooting{Samples: 5 * 400}).Plan(p, newRand(seed), rs)
		assert.Greater(t, score(cem), score(rs), "seed %d: score(CEM) = %v, want > score(RandomShooting) = %v", seed, score(cem), score(rs))
	}
}

func TestPlannersPanicOnBadProblem(t *testing.T) {
	obj := quadratic(make([]float64, 4))
	tests := []struct {
		name string
		p    control.Problem
		dst  int
	}{
		{"zero horizon", control.Problem{Horizon: 0, Dim: 2, Objective: obj}, 0},
		{"nil objective", control.Problem{Horizon: 2, Dim: 2}, 4},
		{"short dst", control.Problem{Horizon: 2, Dim: 2, Objective: obj}, 3},
		{"short init", control.Problem{Horizon: 2, Dim: 2, Objective: obj, Init: make([]float64, 3)}, 4},
		{"long prev", control.Problem{Horizon: 2, Dim: 2, Objective: obj, Prev: make([]float64, 3)}, 4},
	}
	for _, tt := range tests {
		for _, pl := range plannerZoo() {
			t.Run(fmt.Sprintf("%s/%s", tt.name, pl.name), func(t *testing.T) {
				assert.Panics(t, func() { pl.planner.Plan(tt.p, newRand(1), make([]float64, tt.dst)) })
			})
		}
	}
}

package control_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/control"
)

// TestCEMRefit checks one round's update of the mean against a hand
// computation from the recorded samples: μ ← αμ + (1−α) mean(elites).
func TestCEMRefit(t *testing.T) {
	const alpha = 0.25
	init := []float64{0.2, -0.3}
	rec := &recorder{scores: []float64{3, -1, 2, 0}}
	got := make([]float64, 2)
	c := &control.CEM{Population: 4, Elites: 2, Iterations: 1, Alpha: alpha, ReturnMean: true}
	c.Plan(control.Problem{Horizon: 1, Dim: 2, Objective: rec.objective, Init: init}, newRand(1), got)
	require.Len(t, rec.plans, 4)

	e0, e1 := rec.plans[0], rec.plans[2] // scores 3 and 2
	want := make([]float64, 2)
	for j := range want {
		want[j] = alpha*init[j] + (1-alpha)*(e0[j]+e1[j])/2
	}
	assert.InDeltaSlice(t, want, got, 1e-12, "CEM.Plan = %v, want %v", got, want)
}

// TestCEMReturnsBestSample checks that without ReturnMean the result is the
// best plan scored in any iteration, not the last iteration's best.
func TestCEMReturnsBestSample(t *testing.T) {
	// Population 3 over 3 iterations: the best score, 9, is in iteration 2.
	rec := &recorder{scores: []float64{1, 0, 0, 0, 9, 0, 5, 0, 0}}
	got := make([]float64, 3)
	c := &control.CEM{Population: 3, Elites: 1, Iterations: 3}
	c.Plan(control.Problem{Horizon: 3, Dim: 1, Objective: rec.objective}, newRand(2), got)
	require.Len(t, rec.plans, 9)
	assert.Equal(t, rec.plans[4], got, "CEM.Plan = %v, want the sample scored 9", got)
}

// TestCEMPETSSampling checks that PETS's truncated, bound-constrained
// sampling stays within μ ± 2·min(σ, (1−|μ|)/2) in the first iteration.
func TestCEMPETSSampling(t *testing.T) {
	init := []float64{0.9, -0.5, 0}
	const std = 0.5
	rec := &recorder{scores: []float64{0}}
	c := &control.CEM{Population: 200, Iterations: 1, InitStd: std}
	c.Plan(control.Problem{Horizon: 3, Dim: 1, Objective: rec.objective, Init: init}, newRand(3), make([]float64, 3))
	for j, mu := range init {
		s := min(std, (1-mu)/2, (mu+1)/2)
		lo, hi := 1.0, -1.0
		for _, x := range rec.plans {
			lo, hi = min(lo, x[j]), max(hi, x[j])
		}
		assert.GreaterOrEqual(t, lo, mu-2*s, "min sample[%d] = %v, want ≥ %v", j, lo, mu-2*s)
		assert.LessOrEqual(t, hi, mu+2*s, "max sample[%d] = %v, want ≤ %v", j, hi, mu+2*s)
		// 200 draws of a truncated normal reach beyond ±1.5 s with
		// probability 1 − (1 − 0.09)^200 ≈ 1.
		assert.Greater(t, hi-lo, 3*s, "sample[%d] range = %v, want > %v", j, hi-lo, 3*s)
	}
}

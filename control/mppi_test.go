package control_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/control"
)

// recorder is an Objective that returns fixed scores and keeps copies of the
// plans it was asked to score.
type recorder struct {
	scores []float64 // cycled through
	plans  [][]float64
}

func (r *recorder) objective(plans [][]float64, scores []float64) {
	for i, x := range plans {
		r.plans = append(r.plans, append([]float64(nil), x...))
		scores[i] = r.scores[(len(r.plans)-1)%len(r.scores)]
	}
}

// TestMPPIFiltering checks one MPPI round against PDDM's formulas computed
// by hand from the same random stream.
func TestMPPIFiltering(t *testing.T) {
	const (
		horizon, dim = 3, 2
		gamma, beta  = 0.5, 0.7
		sigma        = 2.0 // large, so that some samples need clipping
		seed         = 7
	)
	mean := []float64{0.1, -0.2, 0.3, 0.9, -0.5, 0}
	prev := []float64{0.5, -1}
	scores := []float64{1, -0.5, 0.25}
	rec := &recorder{scores: scores}
	got := make([]float64, horizon*dim)
	m := &control.MPPI{Samples: len(scores), Gamma: gamma, Beta: beta, Sigma: sigma}
	m.Plan(control.Problem{Horizon: horizon, Dim: dim, Objective: rec.objective, Init: mean, Prev: prev}, newRand(seed), got)

	// u_t = β(μ_t + σ z) + (1−β) u_{t−1} on unclipped values, then clip.
	rng := newRand(seed)
	want := make([][]float64, len(scores))
	clippedAny := false
	for i := range want {
		want[i] = make([]float64, horizon*dim)
		last := append([]float64(nil), prev...)
		for t := range horizon {
			for d := range dim {
				j := t*dim + d
				last[d] = beta*(mean[j]+sigma*rng.NormFloat64()) + (1-beta)*last[d]
				want[i][j] = max(-1, min(1, last[d]))
				clippedAny = clippedAny || math.Abs(last[d]) > 1
			}
		}
	}
	require.True(t, clippedAny, "the hand computation should exercise clipping")
	require.Len(t, rec.plans, len(scores))
	for i := range want {
		// Same operations in the same order: equal up to rounding.
		assert.InDeltaSlice(t, want[i], rec.plans[i], 1e-12, "sample %d = %v, want %v", i, rec.plans[i], want[i])
	}

	// w_i = exp(γ(R_i − max R)), μ = Σ w_i u_i / Σ w_i.
	var sum float64
	wantMean := make([]float64, horizon*dim)
	for i, r := range scores {
		w := math.Exp(gamma * (r - 1))
		sum += w
		for j := range wantMean {
			wantMean[j] += w * want[i][j]
		}
	}
	for j := range wantMean {
		wantMean[j] /= sum
	}
	assert.InDeltaSlice(t, wantMean, got, 1e-12, "MPPI.Plan = %v, want %v", got, wantMean)
}

// TestMPPIIterations checks that later rounds sample around the updated
// mean: with Sigma tiny, the second round's samples are the first round's
// weighted mean filtered from Prev.
func TestMPPIIterations(t *testing.T) {
	const beta = 0.5
	prev := []float64{0.2}
	rec := &recorder{scores: []float64{0, -1}}
	got := make([]float64, 2)
	m := &control.MPPI{Samples: 2, Iterations: 2, Beta: beta, Sigma: 1e-9, Gamma: 1}
	m.Plan(control.Problem{Horizon: 2, Dim: 1, Objective: rec.objective, Init: []float64{0.6, -0.4}, Prev: prev}, newRand(1), got)
	require.Len(t, rec.plans, 4)

	// Round 1 samples the filtered Init: u0 = 0.5·0.6 + 0.5·0.2, u1 = 0.5·(−0.4) + 0.5·u0.
	u0 := beta*0.6 + (1-beta)*prev[0]
	round1 := []float64{u0, beta*-0.4 + (1-beta)*u0}
	// Round 2 filters round 1's mean, which equals round1 as all samples agree.
	v0 := beta*round1[0] + (1-beta)*prev[0]
	round2 := []float64{v0, beta*round1[1] + (1-beta)*v0}
	const tol = 1e-8 // Sigma·|z| with |z| < 10
	assert.InDeltaSlice(t, round1, rec.plans[0], tol, "round 1 sample = %v, want %v", rec.plans[0], round1)
	assert.InDeltaSlice(t, round2, rec.plans[2], tol, "round 2 sample = %v, want %v", rec.plans[2], round2)
	assert.InDeltaSlice(t, round2, got, tol, "MPPI.Plan = %v, want %v", got, round2)
}

package control_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/control"
)

// scripted is a Planner that records its problems and returns plans whose
// value at step t, dimension d of call k is (10k + t + d/10)/100.
type scripted struct {
	inits, prevs [][]float64
	obs          []float64
}

func (s *scripted) Plan(p control.Problem, _ *rand.Rand, dst []float64) {
	s.inits = append(s.inits, append([]float64(nil), p.Init...))
	s.prevs = append(s.prevs, append([]float64(nil), p.Prev...))
	scores := make([]float64, 1)
	p.Objective([][]float64{dst}, scores)
	s.obs = append(s.obs, scores[0])
	k := float64(len(s.inits))
	for t := range p.Horizon {
		for d := range p.Dim {
			dst[t*p.Dim+d] = (10*k + float64(t) + float64(d)/10) / 100
		}
	}
}

func TestMPCWarmStart(t *testing.T) {
	const horizon, dim = 3, 2
	// The objective reports obs[0] as every score, so that the test can see
	// which observation the planner was given.
	objective := func(obs []float64) control.Objective {
		o := obs[0]
		return func(_ [][]float64, scores []float64) {
			for i := range scores {
				scores[i] = o
			}
		}
	}
	tests := []struct {
		name     string
		zeroFill bool
		// init2 is the warm start of the second call: plan 1 = steps
		// (0.10, 0.101), (0.11, 0.111), (0.12, 0.121) shifted by one.
		init2 []float64
	}{
		{"repeat last", false, []float64{0.11, 0.111, 0.12, 0.121, 0.12, 0.121}},
		{"zero fill", true, []float64{0.11, 0.111, 0.12, 0.121, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := &scripted{}
			m := &control.MPC{Planner: pl, Horizon: horizon, Dim: dim, Objective: objective, ZeroFill: tt.zeroFill}
			m.Reset(newRand(1))
			assert.Nil(t, m.Plan(), "Plan() after Reset = %v, want nil", m.Plan())

			act := make([]float64, dim)
			m.Act([]float64{7}, act)
			assert.InDeltaSlice(t, []float64{0.10, 0.101}, act, 1e-15, "first Act = %v, want plan 1 step 0", act)
			assert.InDeltaSlice(t, []float64{0.10, 0.101, 0.11, 0.111, 0.12, 0.121}, m.Plan(), 1e-15, "Plan() = %v, want plan 1", m.Plan())
			m.Act([]float64{8}, act)
			assert.InDeltaSlice(t, []float64{0.20, 0.201}, act, 1e-15, "second Act = %v, want plan 2 step 0", act)

			require.Len(t, pl.inits, 2)
			assert.Equal(t, make([]float64, horizon*dim), pl.inits[0], "Init after Reset = %v, want zeros", pl.inits[0])
			assert.Equal(t, []float64{0, 0}, pl.prevs[0], "Prev after Reset = %v, want zeros", pl.prevs[0])
			assert.InDeltaSlice(t, tt.init2, pl.inits[1], 1e-15, "second Init = %v, want %v", pl.inits[1], tt.init2)
			assert.InDeltaSlice(t, []float64{0.10, 0.101}, pl.prevs[1], 1e-15, "second Prev = %v, want the first action", pl.prevs[1])
			assert.Equal(t, []float64{7, 8}, pl.obs, "objectives built from obs %v, want [7 8]", pl.obs)

			m.Reset(newRand(1))
			assert.Nil(t, m.Plan(), "Plan() after second Reset = %v, want nil", m.Plan())
			m.Act([]float64{9}, act)
			assert.Equal(t, make([]float64, horizon*dim), pl.inits[2], "Init after second Reset = %v, want zeros", pl.inits[2])
			assert.Equal(t, []float64{0, 0}, pl.prevs[2], "Prev after second Reset = %v, want zeros", pl.prevs[2])
		})
	}
}

// integrator returns the MPC objective of the system x' = x + 0.1·a driven
// to 0: the negated sum of x² over the horizon.
func integrator(obs []float64) control.Objective {
	x0 := obs[0]
	return func(plans [][]float64, scores []float64) {
		for i, plan := range plans {
			x, s := x0, 0.0
			for _, a := range plan {
				x += 0.1 * a
				s -= x * x
			}
			scores[i] = s
		}
	}
}

// TestMPCRegulates closes the loop on the integrator: every planner should
// bring x from 1 to near 0 in 30 steps (full throttle needs 10).
func TestMPCRegulates(t *testing.T) {
	tests := []struct {
		name    string
		planner control.Planner
		tol     float64 // |x| after 30 steps: about twice the worst over seeds 0–9
	}{
		{"CEM", &control.CEM{Population: 100, Elites: 10, Iterations: 3}, 0.06},
		{"MPPI", &control.MPPI{Samples: 100, Gamma: 10}, 0.05},
		{"RandomShooting", &control.RandomShooting{Samples: 100}, 0.15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &control.MPC{Planner: tt.planner, Horizon: 10, Dim: 1, Objective: integrator}
			m.Reset(newRand(4))
			x, act := 1.0, make([]float64, 1)
			for range 30 {
				m.Act([]float64{x}, act)
				x += 0.1 * act[0]
			}
			assert.InDelta(t, 0, x, tt.tol, "x after 30 steps = %v, want 0", x)
		})
	}
}

func TestMPCActAllocations(t *testing.T) {
	obj := integrator([]float64{1})
	m := &control.MPC{
		Planner:   &control.CEM{Population: 50, Iterations: 2},
		Horizon:   10,
		Dim:       1,
		Objective: func([]float64) control.Objective { return obj },
	}
	m.Reset(newRand(1))
	obs, act := []float64{1}, make([]float64, 1)
	m.Act(obs, act) // sizes the scratch buffers
	allocs := testing.AllocsPerRun(10, func() { m.Act(obs, act) })
	assert.Zero(t, allocs, "allocations per MPC.Act = %v, want 0", allocs)
}

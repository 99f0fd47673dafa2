package control_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"sandbox/control"
)

func TestZero(t *testing.T) {
	var z control.Zero
	z.Reset(newRand(1))
	act := []float64{3, -2, 1}
	z.Act(nil, act)
	assert.Equal(t, []float64{0, 0, 0}, act, "Zero.Act = %v, want zeros", act)
}

func TestRandom(t *testing.T) {
	run := func(seed uint64) []float64 {
		var r control.Random
		r.Reset(newRand(seed))
		out := make([]float64, 0, 300)
		act := make([]float64, 3)
		for range 100 {
			r.Act(nil, act)
			out = append(out, act...)
		}
		return out
	}
	a := run(1)
	assert.Equal(t, a, run(1), "Random actions differ for the same seed")
	assert.NotEqual(t, a, run(2), "Random actions equal for seeds 1 and 2")
	lo, hi := 1.0, -1.0
	for _, v := range a {
		lo, hi = min(lo, v), max(hi, v)
	}
	assert.GreaterOrEqual(t, lo, -1.0, "min Random action = %v, want ≥ -1", lo)
	assert.LessOrEqual(t, hi, 1.0, "max Random action = %v, want ≤ 1", hi)
	// 300 uniform draws leave a gap of 0.2 at either end with probability 0.9^300.
	assert.Less(t, lo, -0.8, "min Random action = %v, want < -0.8", lo)
	assert.Greater(t, hi, 0.8, "max Random action = %v, want > 0.8", hi)
}

func TestActBeforeResetPanics(t *testing.T) {
	assert.Panics(t, func() { (&control.Random{}).Act(nil, make([]float64, 1)) }, "Random.Act before Reset")
	m := &control.MPC{Planner: &control.RandomShooting{}, Horizon: 2, Dim: 1, Objective: integrator}
	assert.Panics(t, func() { m.Act([]float64{0}, make([]float64, 1)) }, "MPC.Act before Reset")
}

var (
	_ control.Controller = control.Zero{}
	_ control.Controller = (*control.Random)(nil)
	_ control.Controller = (*control.MPC)(nil)
	_ control.Planner    = (*control.CEM)(nil)
	_ control.Planner    = (*control.MPPI)(nil)
	_ control.Planner    = (*control.RandomShooting)(nil)
)

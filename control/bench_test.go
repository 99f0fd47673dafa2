package control_test

import (
	"testing"

	"sandbox/control"
)

// benchPlan measures planning a 30-step, 2-D quadratic at the planner's
// default budget; the objective is cheap, so this is the planner's own cost.
func benchPlan(b *testing.B, pl control.Planner) {
	const horizon, dim = 30, 2
	p := control.Problem{Horizon: horizon, Dim: dim, Objective: quadratic(smooth(horizon, dim))}
	dst := make([]float64, horizon*dim)
	rng := newRand(1)
	b.ReportAllocs()
	for b.Loop() {
		pl.Plan(p, rng, dst)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "plans/s")
}

func BenchmarkCEM(b *testing.B)            { benchPlan(b, &control.CEM{}) }
func BenchmarkCEMColored(b *testing.B)     { benchPlan(b, &control.CEM{Beta: 2}) }
func BenchmarkMPPI(b *testing.B)           { benchPlan(b, &control.MPPI{}) }
func BenchmarkRandomShooting(b *testing.B) { benchPlan(b, &control.RandomShooting{}) }

func BenchmarkMPCAct(b *testing.B) {
	m := &control.MPC{Planner: &control.CEM{}, Horizon: 30, Dim: 1, Objective: integrator}
	m.Reset(newRand(1))
	obs, act := []float64{1}, make([]float64, 1)
	b.ReportAllocs()
	for b.Loop() {
		m.Act(obs, act)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

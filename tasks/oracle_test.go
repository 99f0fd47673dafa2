package tasks_test

import (
	"testing"

	"sandbox/internal/seed"
	"sandbox/tasks"
)

// BenchmarkOracleRollout scores one batch of plans of the reacher's oracle
// (Population plans over its horizon) on one clone.
func BenchmarkOracleRollout(b *testing.B) {
	env, err := tasks.Make("reacher")
	if err != nil {
		b.Fatal(err)
	}
	env.Reset(seed.Stream(1, "bench-oracle"))
	o, err := tasks.NewOracle(env, 1)
	if err != nil {
		b.Fatal(err)
	}
	spec := env.Spec()
	rng := seed.Stream(2, "bench-oracle")
	plans := make([][]float64, spec.Oracle.CEM.Population)
	for i := range plans {
		plans[i] = make([]float64, spec.Oracle.Horizon*spec.ActionDim)
		for j := range plans[i] {
			plans[i][j] = 2*rng.Float64() - 1
		}
	}
	scores := make([]float64, len(plans))
	obj := o.Objective(env.Obs())
	for b.Loop() {
		obj(plans, scores)
	}
	b.ReportMetric(float64(b.N*len(plans))/b.Elapsed().Seconds(), "rollouts/s")
}

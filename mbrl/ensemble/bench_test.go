package ensemble

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkStepPETS steps the PETS planner batch: 400 candidates × 20
// particles through the default 5×(200×4) ensemble with obs 25, act 5.
func BenchmarkStepPETS(b *testing.B) {
	const obsDim, actDim, particles = 25, 5, 400 * 20
	rng := rand.New(rand.NewPCG(1, 2))
	e, err := New(obsDim+actDim, obsDim, Config{}, rng)
	if err != nil {
		b.Fatal(err)
	}
	obs := make([]float32, particles*obsDim)
	act := make([]float32, particles*actDim)
	for i := range obs {
		obs[i] = float32(rng.NormFloat64())
	}
	for i := range act {
		act[i] = float32(rng.Float64()*2 - 1)
	}
	next := make([]float32, len(obs))
	members := make([]int, particles)
	e.AssignMembers(members, rng)
	for _, mode := range []Propagation{TSInf, TS1, Expectation} {
		b.Run(mode.String(), func(b *testing.B) {
			for b.Loop() {
				e.Step(mode, obs, act, members, next, rng)
			}
			b.ReportMetric(float64(particles)*float64(b.N)/b.Elapsed().Seconds(), "particles/s")
		})
	}
}

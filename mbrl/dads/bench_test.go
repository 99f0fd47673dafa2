package dads

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// BenchmarkIntrinsicReward measures one SAC batch's relabelling (256
// transitions, L prior samples) for several skill-dynamics widths: the
// cost that dominates a DADS iteration.
func BenchmarkIntrinsicReward(b *testing.B) {
	for _, h := range []int{64, 128, 256, 512} {
		for _, l := range []int{10, 100} {
			b.Run(fmt.Sprintf("hidden=%d/L=%d", h, l), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				d, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{h, h}}, rng)
				if err != nil {
					b.Fatal(err)
				}
				const n = 256
				s, z, next, dst := randRows(rng, n*2), randRows(rng, n*2), randRows(rng, n*2), make([]float64, n)
				for b.Loop() {
					if _, err := IntrinsicReward(d, s, z, next, n, l, rng, dst); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "transitions/s")
			})
		}
	}
}

// BenchmarkTrain measures one skill-dynamics step on a batch of 256.
func BenchmarkTrain(b *testing.B) {
	for _, h := range []int{128, 512} {
		b.Run(fmt.Sprintf("hidden=%d", h), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			d, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{h, h}}, rng)
			if err != nil {
				b.Fatal(err)
			}
			const n = 256
			s, z, next := randRows(rng, n*2), randRows(rng, n*2), randRows(rng, n*2)
			for b.Loop() {
				if _, err := d.Train(s, z, next, n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

func randRows(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	return x
}

// BenchmarkPlannerReplan measures one replan of the latent-space planner
// with the DADS setting (K = 50, R = 10, H_P = 1, H_Z = 10) on the reacher.
func BenchmarkPlannerReplan(b *testing.B) {
	for _, h := range []int{128, 512} {
		b.Run(fmt.Sprintf("hidden=%d", h), func(b *testing.B) {
			env, err := tasks.Make("reacher")
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			d, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{h, h}}, rng)
			if err != nil {
				b.Fatal(err)
			}
			_, view, err := skillView(env, View{})
			if err != nil {
				b.Fatal(err)
			}
			pol, err := sac.New(len(view)+2, env.Spec().ActionDim, sac.Config{}, rng)
			if err != nil {
				b.Fatal(err)
			}
			p, err := NewPlanner(env, d, pol, View{}, PlannerConfig{})
			if err != nil {
				b.Fatal(err)
			}
			obs := env.Reset(rng)
			act := make([]float64, env.Spec().ActionDim)
			p.Reset(rng)
			for b.Loop() {
				p.t = 0 // replan at every Act
				p.Act(obs, act)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replans/s")
		})
	}
}

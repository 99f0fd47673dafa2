package tasks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/seed"
	"sandbox/tasks"
)

// BenchmarkStep measures, for every registered task, bare Box2D stepping of
// the task's world, sim.World.Step, and Env.Step with random actions. The
// Env figure is in physics steps/s (control steps × sub-steps) so the three
// compare directly; `sandbox bench` reports the same.
func BenchmarkStep(b *testing.B) {
	for _, id := range tasks.IDs() {
		env, err := tasks.Make(id)
		if err != nil {
			b.Fatal(err)
		}
		rng := seed.Stream(1, "bench")
		act := make([]float64, env.Spec().ActionDim)
		world := env.Robot().World
		sub := int(env.Spec().ControlDt/world.Dt() + 0.5)
		physics := func(b *testing.B, bare bool) {
			env.Reset(rng)
			n := 0
			for b.Loop() {
				if n%sub == 0 {
					for i := range act {
						act[i] = 2*rng.Float64() - 1
					}
					env.Robot().Command(act, env.Spec().ControlDt)
				}
				if n%(sub*env.Spec().Steps) == 0 {
					env.Reset(rng)
				}
				if bare {
					world.StepBox2D()
				} else if world.Step() != nil {
					env.Reset(rng)
				}
				n++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		}
		b.Run(id+"/box2d", func(b *testing.B) { physics(b, true) })
		b.Run(id+"/physics", func(b *testing.B) { physics(b, false) })
		b.Run(id+"/env", func(b *testing.B) {
			env.Reset(rng)
			for b.Loop() {
				for i := range act {
					act[i] = 2*rng.Float64() - 1
				}
				st, err := env.Step(act)
				if err != nil || st.Terminated || st.Truncated {
					env.Reset(rng)
				}
			}
			b.ReportMetric(float64(b.N*sub)/b.Elapsed().Seconds(), "physics-steps/s")
		})
	}
}

// A snapshot replay predicts the live Env exactly on the reacher (no
// contacts, no warm starts) and almost exactly on the claw, whose world
// does not warm-start its solver, and on the quadruped, whose world
// warm-starts only within a control step: with warm starts carried across
// control steps their gaps were 0.79 and 0.21 (sandbox bench).
func TestReplayGap(t *testing.T) {
	for _, tc := range []struct {
		id  string
		max float64
	}{{"reacher", 1e-12}, {"claw-turn", 0.05}, {"quadruped-orient", 0.1}, {"quadruped-walk", 0.1}} {
		env, err := tasks.Make(tc.id)
		require.NoError(t, err)
		gap, err := tasks.ReplayGap(env, 200, seed.Stream(1, "replay-gap"))
		require.NoError(t, err)
		t.Logf("%s: replay gap %.4f", tc.id, gap)
		assert.LessOrEqual(t, gap, tc.max, tc.id)
	}
}

package pendulum_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "sandbox/examples/pendulum"
	"sandbox/tasks"
	"sandbox/tasks/taskstest"
)

func TestConformance(t *testing.T) { taskstest.Run(t, "pendulum") }

// TestTorqueLimit checks that the task needs a swing-up: holding one
// action for a whole episode never brings the pole near upright, whether
// the servo rests (zero action: target straight down) or pushes one way
// with all its torque (a = ±1: target a full turn away).
func TestTorqueLimit(t *testing.T) {
	env, err := tasks.Make("pendulum")
	require.NoError(t, err)
	q, ok := env.Spec().Field("q")
	require.True(t, ok)
	for _, tc := range []struct {
		name string
		act  float64
		// highest |angle from hanging down| allowed, rad: 0.3 rad start
		// noise for the resting servo; for full torque, the energy bound
		// τ·θ = m·g·l·(1 − cos θ) with τ = 0.58·m·g·l gives θ ≈ 1.35 rad
		// from rest at 0 (a little more from the start noise), well short
		// of upright (π). It would go over for τ ≥ 2/π·m·g·l.
		most float64
	}{
		{"zero", 0, 0.31},
		{"full torque +", 1, 2},
		{"full torque −", -1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for seed := range uint64(5) {
				obs := env.Reset(rand.New(rand.NewPCG(seed, 1)))
				highest := 0.0
				for {
					st, err := env.Step([]float64{tc.act})
					require.NoError(t, err)
					obs = st.Obs
					highest = math.Max(highest, math.Abs(obs[q.Start]))
					assert.False(t, st.Info.Success, "seed %d: success at step %d", seed, env.StepCount())
					if st.Truncated || st.Terminated {
						break
					}
				}
				assert.Less(t, highest, tc.most, "seed %d: highest |q| = %g, want < %g", seed, highest, tc.most)
			}
		})
	}
}

// TestReward checks the reward's terms on hand-made observations.
func TestReward(t *testing.T) {
	env, err := tasks.Make("pendulum")
	require.NoError(t, err)
	task := env.Task()
	mk := func(err, last float64) []float64 {
		// cos, sin, q̇, q, goal, error, last action
		return []float64{-1, 0, 0, math.Pi, math.Pi - err, err, last}
	}
	for _, tc := range []struct {
		name      string
		obs, next []float64
		want      float64
		success   bool
	}{
		{"on target", mk(0, 0), mk(0, 0), 1, true},
		{"just outside", mk(0, 0), mk(0.1, 0), -0.1, false},
		{"hanging down", mk(0, 0), mk(-math.Pi, 0), -math.Pi, false},
		{"action change costs", mk(0, -1), mk(0.05, 0), -0.05 + 1 - 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := map[string]float64{}
			// 1e-12: exact arithmetic up to rounding
			assert.InDelta(t, tc.want, task.Reward(tc.obs, []float64{0}, tc.next, terms), 1e-12)
			assert.Equal(t, tc.success, task.Success(tc.next))
			assert.InDelta(t, tc.want, terms["angle"]+terms["bonus"]+terms["smoothness"], 1e-12, "terms add up to the reward")
		})
	}
}

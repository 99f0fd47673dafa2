package tasks_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/seed"
	"sandbox/sim"
	"sandbox/tasks"
)

var _ tasks.Drawer = &tasks.Hand{}

// handEnv returns a hand-reorient Env reset with seed s and, when goal is
// not NaN, that target angle instead of the drawn one.
func handEnv(t *testing.T, s uint64, goal float64) *tasks.Env {
	t.Helper()
	env, err := tasks.Make("hand-reorient")
	require.NoError(t, err)
	env.Reset(seed.Stream(s, "hand-test"))
	if !math.IsNaN(goal) {
		snap := env.Snapshot()
		snap.Goal = []float64{goal}
		require.NoError(t, env.Restore(snap))
	}
	return env
}

// The pen rests on the fingertips under the zero action for a whole
// episode: no drop, still horizontal, still touched.
func TestHandHoldsPenUnderZeroAction(t *testing.T) {
	for s := range uint64(3) {
		env := handEnv(t, s, math.NaN())
		act := make([]float64, env.Spec().ActionDim)
		var st tasks.Step
		for {
			var err error
			st, err = env.Step(act)
			require.NoError(t, err)
			if st.Terminated || st.Truncated {
				break
			}
		}
		assert.Equal(t, "time limit", st.Info.Reason, "seed %d", s)
		th := math.Atan2(st.Obs[27], st.Obs[26])
		// 0.05 rad: the start's joint offsets tilt the resting pen by a
		// few hundredths of a radian.
		assert.InDelta(t, 0, th, 0.05, "seed %d: pen angle after an episode at rest", s)
		assert.InDelta(t, 0.233, st.Obs[25], 0.01, "seed %d: pen height after an episode at rest", s)
		assert.Positive(t, st.Obs[33]+st.Obs[34]+st.Obs[35]+st.Obs[36], "seed %d: no fingertip touches the pen", s)
	}
}

// Finger motions rotate the pen: the scripted controller tilts it to
// targets of either sign and holds it there.
func TestHandScriptedTiltsThePen(t *testing.T) {
	for _, goal := range []float64{-0.6, -0.3, 0.3, 0.6} {
		t.Run(fmt.Sprint(goal), func(t *testing.T) {
			env := handEnv(t, 1, goal)
			ctrl, err := env.Task().(tasks.Scripter).Scripted(env)
			require.NoError(t, err)
			ctrl.Reset(seed.Stream(1, "hand-test-ctrl"))
			obs := env.Obs()
			act := make([]float64, env.Spec().ActionDim)
			var st tasks.Step
			for {
				ctrl.Act(obs, act)
				st, err = env.Step(act)
				require.NoError(t, err)
				obs = st.Obs
				if st.Terminated || st.Truncated {
					break
				}
			}
			assert.Equal(t, "time limit", st.Info.Reason)
			assert.True(t, st.Info.Success, "angle error %g rad at the end", obs[32])
		})
	}
}

// A pen pushed off the side of the hand falls below the fingertips' base
// and ends the episode as terminated.
func TestHandDropTerminates(t *testing.T) {
	env := handEnv(t, 2, 0.3)
	snap := env.Snapshot()
	pen, err := env.Robot().Body("pen")
	require.NoError(t, err)
	snap.World.Bodies[pen.Index()].Position = sim.Vec2{X: 0.4, Y: 0.3}
	require.NoError(t, env.Restore(snap))
	act := make([]float64, env.Spec().ActionDim)
	for k := 1; ; k++ {
		st, err := env.Step(act)
		require.NoError(t, err)
		if st.Terminated || st.Truncated {
			assert.True(t, st.Terminated)
			assert.Equal(t, "dropped the pen", st.Info.Reason)
			assert.Less(t, st.Reward, -50.0, "a drop carries the large penalty")
			assert.Less(t, k, 20, "a free fall from 0.3 m takes a few steps")
			return
		}
	}
}

func TestHandGoalDistribution(t *testing.T) {
	env, err := tasks.Make("hand-reorient")
	require.NoError(t, err)
	lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
	const n = 400
	for i := range uint64(n) {
		obs := env.Reset(seed.Stream(3, "hand-goals", i))
		g := obs[31]
		lo, hi, sum = math.Min(lo, g), math.Max(hi, g), sum+g
		// The start is at rest and horizontal.
		assert.InDelta(t, 0, math.Atan2(obs[27], obs[26]), 1e-9)
	}
	assert.GreaterOrEqual(t, lo, -math.Pi/4)
	assert.LessOrEqual(t, hi, math.Pi/4)
	// For U(−π/4, π/4) over 400 draws, the extremes lie within 0.02 of the
	// bounds and the mean within 4 standard errors (0.45/√400) of zero.
	assert.Less(t, lo, -math.Pi/4+0.02)
	assert.Greater(t, hi, math.Pi/4-0.02)
	assert.InDelta(t, 0, sum/n, 4*0.4534/math.Sqrt(n))
}

// handObs builds an observation with the pen at height y, angle error e
// and fingertip contacts c; everything else is zero.
func handObs(y, e float64, c ...float64) []float64 {
	obs := make([]float64, 49)
	obs[24], obs[25] = 0, y
	obs[26], obs[27] = math.Cos(0.3+e), math.Sin(0.3+e)
	obs[31], obs[32] = 0.3, e
	copy(obs[33:37], c)
	return obs
}

func TestHandRewardAndSuccess(t *testing.T) {
	task := &tasks.Hand{}
	rest := 0.233
	for _, tc := range []struct {
		name    string
		obs     []float64
		reward  float64
		success bool
		failure string
	}{
		{"on target, held", handObs(rest, 0.05, 1, 0, 0, 1), -0.05 + 1 + 5, true, ""},
		{"on target, negative error", handObs(rest, -0.05, 0, 1, 0, 0), -0.05 + 1 + 5, true, ""},
		{"on target, touching no fingertip", handObs(rest, 0.05), -0.05 + 1, false, ""},
		{"near", handObs(rest, 0.2, 1, 1, 1, 1), -0.2 + 1, false, ""},
		{"far and high", handObs(rest+0.1, 0.5, 1, 1, 1, 1), -0.5 - 0.1, false, ""},
		{"dropped", handObs(0.05, 0.05, 1, 1, 1, 1), -0.05 - (rest - 0.05) + 1 - 100, false, "dropped the pen"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := map[string]float64{}
			r := task.Reward(tc.obs, make([]float64, 12), tc.obs, terms)
			// 1e-9: sums of a few terms of order one.
			assert.InDelta(t, tc.reward, r, 1e-9, "Reward = %g, want %g", r, tc.reward)
			sum := 0.0
			for _, v := range terms {
				sum += v
			}
			assert.InDelta(t, r, sum, 1e-9, "the terms add up to the reward")
			assert.Equal(t, tc.success, task.Success(tc.obs))
			assert.Equal(t, tc.failure, task.Failure(tc.obs))
		})
	}
}

func TestHandDrawer(t *testing.T) {
	task := &tasks.Hand{}
	obs := handObs(0.25, 0.2, 1)
	obs[24] = 0.01
	m := task.GoalMarkers(obs, nil)
	require.Len(t, m, 1)
	d := m[0].B.Sub(m[0].A)
	// 1e-12: a few rounding errors on numbers of order one.
	assert.InDelta(t, 0.3, math.Atan2(d.Y, d.X), 1e-12, "the ghost pen lies at the target angle")
	assert.InDelta(t, 0.4, d.Norm(), 1e-12, "the ghost pen is as long as the pen")
	f := task.Focus(obs)
	assert.InDelta(t, 0.01+0.2*math.Cos(0.5), f.X, 1e-12)
	assert.InDelta(t, 0.25+0.2*math.Sin(0.5), f.Y, 1e-12)
}

func ExampleHand() {
	env, err := tasks.Make("hand-reorient")
	if err != nil {
		fmt.Println(err)
		return
	}
	s := env.Spec()
	obs := env.Reset(seed.Stream(1, "example"))
	fmt.Printf("%s: %d observations, %d actions, %d steps of %g s\n", s.ID, s.ObsDim(), s.ActionDim, s.Steps, s.ControlDt)
	fmt.Printf("pen angle %.2f rad, target within ±%.2f rad: %v\n", math.Atan2(obs[27], obs[26]), math.Pi/4, math.Abs(obs[31]) <= math.Pi/4)
	// Output:
	// hand-reorient: 49 observations, 12 actions, 100 steps of 0.1 s
	// pen angle 0.00 rad, target within ±0.79 rad: true
}

func BenchmarkHandStep(b *testing.B) {
	env, err := tasks.Make("hand-reorient")
	require.NoError(b, err)
	rng := seed.Stream(1, "bench")
	env.Reset(rng)
	act := make([]float64, env.Spec().ActionDim)
	for b.Loop() {
		for i := range act {
			act[i] = 2*rng.Float64() - 1
		}
		st, err := env.Step(act)
		if err != nil || st.Terminated || st.Truncated {
			env.Reset(rng)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

// Extreme observations (a model's wild prediction, a state just before a
// blow-up) are scored without panics, and a non-finite pen height counts
// as a drop.
func TestHandExtremeObservations(t *testing.T) {
	task := &tasks.Hand{}
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300} {
		obs := make([]float64, 49)
		for i := range obs {
			obs[i] = x
		}
		assert.NotPanics(t, func() {
			task.Reward(obs, make([]float64, 12), obs, map[string]float64{})
			task.GoalMarkers(obs, nil)
			task.Focus(obs)
		})
		assert.False(t, task.Success(obs), "Success of all %g", x)
		if x != 1e300 && !math.IsInf(x, 1) {
			assert.Equal(t, "dropped the pen", task.Failure(obs), "Failure of all %g", x)
		}
	}
}

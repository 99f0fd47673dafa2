package tasks_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/tasks"
)

var _ tasks.Drawer = &tasks.Quadruped{}

func quadEnv(t *testing.T) *tasks.Env {
	t.Helper()
	env, err := tasks.Make("quadruped-orient")
	require.NoError(t, err)
	return env
}

func quadPitch(obs []float64) float64 { return math.Atan2(obs[2], obs[1]) }

// The zero action (every joint to the middle of its range, the standing
// pose) keeps the robot standing, still and in place for a whole episode.
func TestQuadrupedStandsUnderZeroAction(t *testing.T) {
	env := quadEnv(t)
	act := make([]float64, env.Spec().ActionDim)
	for seed := range uint64(5) {
		obs := env.Reset(rand.New(rand.NewPCG(seed, 1)))
		for {
			st, err := env.Step(act)
			require.NoError(t, err)
			require.False(t, st.Terminated, "seed %d: fell at step %d: %s", seed, env.StepCount(), st.Info.Reason)
			obs = st.Obs
			if st.Truncated {
				require.Equal(t, "time limit", st.Info.Reason)
				break
			}
		}
		// Tolerances: a standing robot settles within a couple of degrees
		// and centimetres of its start (the start joints are offset by up
		// to 0.1 rad); rest height is 0.40 m.
		assert.InDelta(t, 0, quadPitch(obs), 0.05, "seed %d: pitch", seed)
		assert.InDelta(t, 0, obs[35], 0.05, "seed %d: x drift", seed)
		assert.InDelta(t, 0.40, obs[0], 0.03, "seed %d: height", seed)
		assert.Equal(t, []float64{1, 1, 1, 1}, obs[30:34], "seed %d: all feet on the ground", seed)
		assert.Equal(t, 0.0, obs[34], "seed %d: fallen flag", seed)
		for i, v := range obs[3:6] {
			assert.InDelta(t, 0, v, 0.05, "seed %d: torso velocity %d (m/s, rad/s): still", seed, i)
		}
	}
}

// The scripted posture controller tilts the torso to ±30° (the extremes of
// the goal range) and holds it without falling or drifting.
func TestQuadrupedScriptedTiltsToTheExtremes(t *testing.T) {
	for _, target := range []float64{-math.Pi / 6, -0.3, 0.3, math.Pi / 6} {
		env := quadEnv(t)
		env.Reset(rand.New(rand.NewPCG(3, 1)))
		snap := env.Snapshot()
		snap.Goal = []float64{target}
		require.NoError(t, env.Restore(snap))
		ctrl, err := env.Task().(tasks.Scripter).Scripted(env)
		require.NoError(t, err)
		ctrl.Reset(rand.New(rand.NewPCG(4, 1)))
		obs := env.Obs()
		act := make([]float64, env.Spec().ActionDim)
		var st tasks.Step
		for !st.Terminated && !st.Truncated {
			ctrl.Act(obs, act)
			st, err = env.Step(act)
			require.NoError(t, err)
			obs = st.Obs
		}
		assert.Equal(t, "time limit", st.Info.Reason, "target %.3f: did not fall", target)
		assert.True(t, st.Info.Success, "target %.3f: pitch %.3f, x %.3f", target, quadPitch(obs), obs[35])
		assert.InDelta(t, target, quadPitch(obs), 0.087, "target %.3f: final pitch within the 5° tolerance", target)
		assert.Equal(t, []float64{1, 1, 1, 1}, obs[30:34], "target %.3f: all feet on the ground", target)
	}
}

func TestQuadrupedScriptedSucceeds(t *testing.T) {
	env := quadEnv(t)
	ctrl, err := env.Task().(tasks.Scripter).Scripted(env)
	require.NoError(t, err)
	act := make([]float64, env.Spec().ActionDim)
	const episodes = 10
	wins := 0
	for seed := range uint64(episodes) {
		rng := rand.New(rand.NewPCG(1000+seed, 2))
		obs := env.Reset(rng)
		ctrl.Reset(rng)
		var st tasks.Step
		for !st.Terminated && !st.Truncated {
			ctrl.Act(obs, act)
			st, err = env.Step(act)
			require.NoError(t, err)
			obs = st.Obs
		}
		if st.Info.Success {
			wins++
		}
	}
	// It succeeded on every seed tried; allow one miss.
	assert.GreaterOrEqual(t, wins, episodes-1, "scripted successes out of %d", episodes)
}

func TestQuadrupedGoalDistribution(t *testing.T) {
	env := quadEnv(t)
	rng := rand.New(rand.NewPCG(7, 7))
	const n = 2000
	pos, sum := 0, 0.0
	lo, hi := math.Inf(1), 0.0
	for range n {
		obs := env.Reset(rng)
		g := obs[36]
		a := math.Abs(g)
		lo, hi = math.Min(lo, a), math.Max(hi, a)
		sum += a
		if g > 0 {
			pos++
		}
		// The error starts as the start pitch (a hair) minus the target.
		require.InDelta(t, -g, obs[37], 0.02)
	}
	deg := math.Pi / 180
	assert.GreaterOrEqual(t, lo, 10*deg, "no target within 10° of level")
	assert.LessOrEqual(t, hi, 30*deg)
	assert.InDelta(t, 10*deg, lo, 0.5*deg, "the range is covered down to 10°")
	assert.InDelta(t, 30*deg, hi, 0.5*deg, "the range is covered up to 30°")
	// Binomial and uniform means: 4 standard errors.
	assert.InDelta(t, 0.5, float64(pos)/n, 4*0.5/math.Sqrt(n), "fraction of nose-up targets")
	assert.InDelta(t, 20*deg, sum/n, 4*(20*deg/math.Sqrt(3))/math.Sqrt(n), "mean |target|")
}

// quadObs builds an observation with the fields the reward reads.
func quadObs(height, pitch, x, target float64, fallen bool) []float64 {
	obs := make([]float64, 50)
	obs[0] = height
	obs[1], obs[2] = math.Cos(pitch), math.Sin(pitch)
	if fallen {
		obs[34] = 1
	}
	obs[35], obs[36] = x, target
	obs[37] = math.Remainder(pitch-target, 2*math.Pi)
	return obs
}

func TestQuadrupedRewardAndSuccess(t *testing.T) {
	task := &tasks.Quadruped{}
	act := make([]float64, 12)
	for _, c := range []struct {
		name                     string
		height, pitch, x, target float64
		fallen                   bool
		feet                     int // feet on the ground
		reward                   float64
		success                  bool
		failure                  string
	}{
		{"on target", 0.40, 0.3, 0, 0.3, false, 0, 2 + 15, true, ""},
		{"within 5°", 0.40, 0.35, 0, 0.3, false, 0, 2 - 4*0.05 + 15, true, ""},
		{"within the small bonus only", 0.40, 0.4, 0, 0.3, false, 0, 2 - 4*0.1 + 5, false, ""},
		{"far", 0.40, 0, 0, 0.5, false, 0, 2 - 4*0.5, false, ""},
		{"crouched", 0.225, 0.3, 0, 0.3, false, 0, 1 + 15, true, ""},
		{"drifted", 0.40, 0.3, -0.3, 0.3, false, 0, 2 - 1.2 + 15, false, ""},
		{"drift within tolerance", 0.40, 0.3, 0.2, 0.3, false, 0, 2 - 0.8 + 15, true, ""},
		{"foot contacts do not score", 0.40, 0.3, 0, 0.3, false, 4, 2 + 15, true, ""},
		{"fallen", 0.40, 0.3, 0, 0.3, true, 0, 2 + 15 - 100, false, "fell"},
		{"tipped over", 0.40, 1.2, 0, 0.3, false, 0, 2 - 4*0.9 - 100, false, "fell"},
		{"upside down, wrapped error", 0.10, math.Pi - 0.1, 0, -0.5, false, 0, -4*(math.Pi-0.4) - 100, false, "fell"},
	} {
		t.Run(c.name, func(t *testing.T) {
			next := quadObs(c.height, c.pitch, c.x, c.target, c.fallen)
			for k := range c.feet {
				next[30+k] = 1
			}
			terms := map[string]float64{}
			r := task.Reward(next, act, next, terms)
			assert.InDelta(t, c.reward, r, 1e-9, "Reward = %v, want %v (terms %v)", r, c.reward, terms)
			sum := 0.0
			for _, v := range terms {
				sum += v
			}
			assert.InDelta(t, r, sum, 1e-9, "the terms add up to the reward")
			assert.Equal(t, c.success, task.Success(next), "Success")
			assert.Equal(t, c.failure, task.Failure(next), "Failure")
		})
	}
}

// Extreme states (a flipped, flying robot) observe finitely and fail.
func TestQuadrupedExtremeStateObservesAndFails(t *testing.T) {
	env := quadEnv(t)
	env.Reset(rand.New(rand.NewPCG(1, 1)))
	snap := env.Snapshot()
	for i := range snap.World.Bodies {
		if env.Robot().World.Bodies()[i].Name() == "torso" {
			snap.World.Bodies[i].Angle = math.Pi
			snap.World.Bodies[i].Position.Y = 50
			snap.World.Bodies[i].Velocity.X = 30
		}
	}
	require.NoError(t, env.Restore(snap))
	st, err := env.Step(make([]float64, env.Spec().ActionDim))
	require.NoError(t, err)
	for i, x := range st.Obs {
		require.False(t, math.IsNaN(x) || math.IsInf(x, 0), "obs[%d] = %g", i, x)
	}
	if !st.Truncated {
		assert.True(t, st.Terminated)
		assert.Equal(t, "fell", st.Info.Reason)
	}
}

func TestQuadrupedGoalMarkers(t *testing.T) {
	task := &tasks.Quadruped{}
	obs := quadObs(0.4, 0, 0.1, math.Pi/6, false)
	ms := task.GoalMarkers(obs, nil)
	require.Len(t, ms, 2)
	line := ms[0]
	assert.InDelta(t, math.Pi/6, math.Atan2(line.B.Y-line.A.Y, line.B.X-line.A.X), 1e-12, "the line is at the target pitch")
	mid := line.A.Add(line.B).Scale(0.5)
	focus := task.Focus(obs)
	assert.Equal(t, 0.1, focus.X, "Focus is the torso's centre")
	assert.Equal(t, 0.4, focus.Y, "Focus is the torso's centre")
	assert.InDelta(t, focus.X, mid.X, 1e-12, "the line goes through the torso's centre")
	assert.InDelta(t, focus.Y, mid.Y, 1e-12, "the line goes through the torso's centre")
}

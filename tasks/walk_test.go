package tasks_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/tasks"
)

var (
	_ tasks.Drawer    = &tasks.QuadrupedWalk{}
	_ tasks.GoalPoser = &tasks.QuadrupedWalk{}
)

// Targets lie ±U(0.5, 2.0) m from the start, on both sides; standing
// still (the zero action) keeps the robot up for the whole episode and
// fails every one of them.
func TestQuadrupedWalkGoalsAndStanding(t *testing.T) {
	env, err := tasks.Make("quadruped-walk")
	require.NoError(t, err)
	act := make([]float64, env.Spec().ActionDim)
	var neg, pos int
	for seed := range uint64(40) {
		obs := env.Reset(rand.New(rand.NewPCG(seed, 3)))
		target := obs[36]
		require.GreaterOrEqual(t, math.Abs(target), 0.5, "seed %d", seed)
		require.LessOrEqual(t, math.Abs(target), 2.0, "seed %d", seed)
		assert.InDelta(t, obs[35]-target, obs[37], 1e-12, "seed %d: err = x − x*", seed)
		if target < 0 {
			neg++
		} else {
			pos++
		}
		if seed >= 3 {
			continue
		}
		for {
			st, err := env.Step(act)
			require.NoError(t, err)
			require.False(t, st.Terminated, "seed %d: fell at step %d", seed, env.StepCount())
			if st.Truncated {
				assert.Equal(t, 200, env.StepCount())
				assert.False(t, st.Info.Success, "seed %d: standing still succeeded", seed)
				assert.InDelta(t, 0, st.Obs[35], 0.1, "seed %d: x drift", seed)
				break
			}
		}
	}
	assert.Positive(t, neg)
	assert.Positive(t, pos)
}

// The reward's terms, by name, on hand-made observations: standing
// upright on the target earns every bonus; 1 m away it pays 4 per metre
// and no bonus; a fall costs 100.
func TestQuadrupedWalkReward(t *testing.T) {
	env, err := tasks.Make("quadruped-walk")
	require.NoError(t, err)
	task := env.Task()
	obs := env.Reset(rand.New(rand.NewPCG(1, 1)))
	at := func(x float64) []float64 {
		o := append([]float64(nil), obs...)
		o[0], o[1], o[2], o[34] = 0.40, 1, 0, 0
		o[35], o[37] = x, x-o[36]
		return o
	}
	terms := map[string]float64{}
	on := at(obs[36] + 0.1)
	r := task.Reward(on, nil, on, terms)
	assert.Equal(t, map[string]float64{"standing": 2, "upright": 2, "distance": -0.4, "bonus": 15, "fall": 0}, roundTerms(terms))
	assert.InDelta(t, 2+2-0.4+15, r, 1e-9)
	assert.True(t, task.Success(on))

	far := at(obs[36] - 1)
	task.Reward(far, nil, far, terms)
	assert.InDelta(t, -4, terms["distance"], 1e-9)
	assert.Equal(t, 0.0, terms["bonus"])
	assert.False(t, task.Success(far))

	fallen := at(obs[36])
	fallen[34] = 1
	task.Reward(fallen, nil, fallen, terms)
	assert.Equal(t, -100.0, terms["fall"])
	assert.Equal(t, "fell", task.Failure(fallen))
	assert.False(t, task.Success(fallen))
}

func roundTerms(m map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for k, v := range m {
		out[k] = math.Round(v*1e9) / 1e9
	}
	return out
}

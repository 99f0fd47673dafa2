package modelenv

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/ensemble"
	"sandbox/tasks"
)

func TestLayoutReacher(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := NewLayout(env.Task(), false)
	require.NoError(t, err)
	// 34 = 21 joint values + tip 2 + goal 2 + tip−goal 2 + last action 7.
	assert.Equal(t, 25, l.StateDim(), "the model predicts everything but the goal and the last action")
	assert.Equal(t, 14, l.InputActDim(), "last action and action")
	for _, i := range l.State {
		assert.False(t, i == 23 || i == 24 || i >= 27, "index %d is a goal or action part", i)
	}
}

// With derive, the reacher's model predicts its 21 joint values only and a
// predicted observation gets its fingertip from the task's kinematics.
func TestLayoutDerived(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := NewLayout(env.Task(), true)
	require.NoError(t, err)
	assert.Equal(t, 21, l.StateDim())
	for _, i := range l.State {
		assert.Less(t, i, 21, "index %d is not a joint value", i)
	}
	obs := env.Reset(rand.New(rand.NewPCG(1, 2)))
	act := []float64{0.1, -0.2, 0.3, 0, 0, 0, 0.5}
	st, err := env.Step(act)
	require.NoError(t, err)
	state, in := make([]float32, l.StateDim()), make([]float32, l.InputActDim())
	l.Split(st.Obs, act, state, in)
	pred := append([]float64(nil), obs...) // predicted from obs: a perfect model's state
	l.Predicted(pred, state, act)
	assert.InDeltaSlice(t, st.Obs, pred, 0.015, "joint values copied, tip and tip−goal derived, action set")
	assert.Equal(t, obs[23:25], pred[23:25], "the goal is kept")

	_, err = NewLayout(struct{ tasks.Task }{env.Task()}, true) // Derive hidden
	assert.ErrorContains(t, err, "derives no observation parts")
}

// With a model that predicts no change, every particle stays put: a plan's
// score is then the task's reward of that frozen state along the plan,
// with the goal copied and the last-action part set to each action.
func TestObjectiveFrozenModel(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := NewLayout(env.Task(), false)
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(3, 4))
	ens, err := ensemble.New(l.StateDim()+l.InputActDim(), l.StateDim(), ensemble.Config{Members: 3, Hidden: []int{8}, Deterministic: true}, rng)
	require.NoError(t, err)
	clear(ens.Net().Params) // Δ = 0

	obs := env.Reset(rng)
	const horizon = 4
	plans := make([][]float64, 3)
	for i := range plans {
		plans[i] = make([]float64, horizon*l.ActDim)
		for j := range plans[i] {
			plans[i][j] = 2*rng.Float64() - 1
		}
	}
	plans[2][0] = 3 // out of range: scored as its clipped value
	for _, prop := range []ensemble.Propagation{ensemble.TSInf, ensemble.TS1, ensemble.Expectation} {
		t.Run(prop.String(), func(t *testing.T) {
			o := &Objective{Ens: ens, Task: env.Task(), Layout: l, Particles: 3, Propagation: prop}
			o.SetRand(rand.New(rand.NewPCG(5, 6)))
			scores := make([]float64, len(plans))
			o.From(obs)(plans, scores)
			for i, plan := range plans {
				prev := append([]float64(nil), obs...)
				want := 0.0
				for s := range horizon {
					act := make([]float64, l.ActDim)
					for d := range act {
						act[d] = math.Max(-1, math.Min(1, plan[s*l.ActDim+d]))
					}
					next := append([]float64(nil), prev...)
					copy(next[27:34], act)
					want += env.Task().Reward(prev, act, next, nil)
					prev = next
				}
				// float32 model state: rewards agree to ~1e-7 per step.
				assert.InDelta(t, want, scores[i], 1e-5, "score of plan %d", i)
			}
		})
	}
}

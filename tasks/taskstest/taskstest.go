// Package taskstest is the conformance suite every task must pass. The
// tasks package runs it on every registered task; a task defined elsewhere
// runs it from its own test:
//
//	func TestConformance(t *testing.T) { taskstest.Run(t, "my-task") }
package taskstest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/sim"
	"sandbox/tasks"
)

func rng(s uint64) *rand.Rand { return rand.New(rand.NewPCG(s, 0x5eed)) }

// rollout runs one episode with random actions from actSeed and returns
// every observation and reward.
func rollout(t *testing.T, env *tasks.Env, envSeed, actSeed uint64) ([][]float64, []float64) {
	obs, rewards, _ := rolloutActs(t, env, envSeed, actSeed)
	return obs, rewards
}

func rolloutActs(t *testing.T, env *tasks.Env, envSeed, actSeed uint64) (obs [][]float64, rewards []float64, acts [][]float64) {
	r := rng(actSeed)
	obs = [][]float64{env.Reset(rng(envSeed))}
	for {
		act := make([]float64, env.Spec().ActionDim)
		for i := range act {
			act[i] = 2*r.Float64() - 1
		}
		acts = append(acts, act)
		st, err := env.Step(act)
		require.NoError(t, err)
		obs = append(obs, st.Obs)
		rewards = append(rewards, st.Reward)
		if st.Terminated || st.Truncated {
			return obs, rewards, acts
		}
	}
}

// Run checks the task registered as id.
func Run(t *testing.T, id string) {
	env, err := tasks.Make(id)
	require.NoError(t, err)
	spec := env.Spec()
	n := spec.ObsDim()

	t.Run("spec", func(t *testing.T) {
		assert.Equal(t, id, spec.ID)
		assert.NotEmpty(t, spec.Doc, "Spec.Doc is shown by `sandbox tasks`")
		_, hasGoal := firstGoal(spec)
		assert.True(t, hasGoal, "the observation must contain the goal (a slice marked Goal)")
	})

	t.Run("deterministic", func(t *testing.T) {
		o1, r1 := rollout(t, env, 1, 2)
		o2, r2 := rollout(t, env, 1, 2)
		assert.Equal(t, o1, o2, "same seeds, same observations")
		assert.Equal(t, r1, r2, "same seeds, same rewards")
		other, err := tasks.Make(id)
		require.NoError(t, err)
		o3, _ := rollout(t, other, 1, 2)
		assert.Equal(t, o1, o3, "a second Env gives the same trajectory")
	})

	t.Run("goals differ between seeds", func(t *testing.T) {
		g, _ := firstGoal(spec)
		seen := map[string]bool{}
		for s := range uint64(8) {
			obs := env.Reset(rng(100 + s))
			seen[key(obs[g.Start:g.Start+g.Len])] = true
		}
		assert.Greater(t, len(seen), 6, "8 seeds gave %d distinct goals", len(seen))
	})

	t.Run("observations", func(t *testing.T) {
		obs, _ := rollout(t, env, 3, 4)
		g, _ := firstGoal(spec)
		goal := append([]float64(nil), obs[0][g.Start:g.Start+g.Len]...)
		for k, o := range obs {
			require.Len(t, o, n, "observation %d", k)
			for i, x := range o {
				require.False(t, math.IsNaN(x) || math.IsInf(x, 0), "obs[%d][%d] = %g", k, i, x)
			}
			assert.Equal(t, goal, o[g.Start:g.Start+g.Len], "the goal is constant within an episode (step %d)", k)
		}
		for k := 1; k < len(obs); k++ {
			assert.NotSame(t, &obs[k-1][0], &obs[k][0], "observations %d and %d share memory", k-1, k)
		}
		env.Reset(rng(5))
		act := make([]float64, spec.ActionDim)
		st, err := env.Step(act)
		require.NoError(t, err)
		kept := append([]float64(nil), st.Obs...)
		st.Obs[0] = math.NaN() // the caller owns what it was given
		st2, err := env.Step(act)
		require.NoError(t, err)
		assert.False(t, math.IsNaN(st2.Obs[0]))
		assert.NotEqual(t, kept[0], st.Obs[0])
	})

	t.Run("time limit", func(t *testing.T) {
		env.Reset(rng(6))
		act := make([]float64, spec.ActionDim)
		for k := 1; ; k++ {
			st, err := env.Step(act)
			require.NoError(t, err)
			if st.Terminated {
				assert.False(t, st.Truncated, "terminated and truncated at once")
				assert.NotEmpty(t, st.Info.Reason)
				break
			}
			if k < spec.Steps {
				require.False(t, st.Truncated, "truncated at step %d of %d", k, spec.Steps)
				continue
			}
			assert.True(t, st.Truncated, "not truncated at step %d", k)
			assert.Equal(t, "time limit", st.Info.Reason)
			break
		}
		_, err := env.Step(act)
		assert.ErrorIs(t, err, tasks.ErrEpisodeOver)
	})

	t.Run("bad actions are errors", func(t *testing.T) {
		env.Reset(rng(7))
		_, err := env.Step(make([]float64, spec.ActionDim+1))
		assert.Error(t, err, "wrong length")
		bad := make([]float64, spec.ActionDim)
		bad[0] = math.NaN()
		_, err = env.Step(bad)
		assert.Error(t, err, "NaN")
		bad[0] = math.Inf(-1)
		_, err = env.Step(bad)
		assert.Error(t, err, "-Inf")
		assert.Equal(t, 0, env.StepCount(), "rejected actions change nothing")
	})

	t.Run("snapshots replay", func(t *testing.T) {
		env.Reset(rng(8))
		r := rng(9)
		act := make([]float64, spec.ActionDim)
		random := func() {
			for i := range act {
				act[i] = 2*r.Float64() - 1
			}
		}
		for range 5 {
			random()
			_, err := env.Step(act)
			require.NoError(t, err)
		}
		snap := env.Snapshot()
		replay := func() [][]float64 {
			require.NoError(t, env.Restore(snap))
			r = rng(10)
			var out [][]float64
			for range 5 {
				random()
				st, err := env.Step(act)
				require.NoError(t, err)
				out = append(out, st.Obs)
			}
			return out
		}
		first := replay()
		assert.Equal(t, first, replay(), "restoring a snapshot replays bit for bit")
	})

	t.Run("blow-up is truncation with a reason", func(t *testing.T) {
		env.Reset(rng(11))
		snap := env.Snapshot()
		moved := false
		for i := range snap.World.Bodies {
			if env.Robot().World.Bodies()[i].Type() == sim.Dynamic {
				snap.World.Bodies[i].AngularVelocity = 1e5
				moved = true
			}
		}
		require.True(t, moved, "the task has no dynamic body")
		require.NoError(t, env.Restore(snap))
		st, err := env.Step(make([]float64, spec.ActionDim))
		require.NoError(t, err)
		assert.True(t, st.Truncated)
		assert.False(t, st.Terminated)
		assert.True(t, strings.HasPrefix(st.Info.Reason, "diverged"), "reason %q", st.Info.Reason)
		for _, x := range st.Obs {
			require.False(t, math.IsNaN(x) || math.IsInf(x, 0))
		}
		_, err = env.Step(make([]float64, spec.ActionDim))
		assert.True(t, errors.Is(err, tasks.ErrEpisodeOver))
	})

	t.Run("reward and success read observations only", func(t *testing.T) {
		obs, rewards, acts := rolloutActs(t, env, 12, 13)
		task := env.Task()
		for k := 1; k < len(obs); k++ {
			terms := map[string]float64{}
			a := task.Reward(obs[k-1], acts[k-1], obs[k], terms)
			b := task.Reward(obs[k-1], acts[k-1], obs[k], nil)
			// One message for the first disagreement, not one per step.
			if !assert.Equal(t, a, b, "step %d: terms must not change the reward", k) ||
				!assert.Equal(t, rewards[k-1], a, "step %d: Env reward differs from Task.Reward on the observations", k) ||
				!assert.Equal(t, task.Success(obs[k]), task.Success(append([]float64(nil), obs[k]...)), "step %d: Success", k) {
				break
			}
		}
	})

	t.Run("near success", func(t *testing.T) { nearSuccess(t, env) })

	t.Run("derived parts follow from the others", func(t *testing.T) {
		var derived []tasks.Slice
		for _, f := range spec.Obs {
			if f.Derived {
				derived = append(derived, f)
			}
		}
		d, ok := env.Task().(tasks.Deriver)
		if len(derived) == 0 {
			assert.False(t, ok, "a Deriver must mark its derived parts in Spec.Obs")
			return
		}
		require.True(t, ok, "parts marked Derived need the task to implement tasks.Deriver")
		obs, _ := rollout(t, env, 14, 15)
		for k, o := range obs {
			got := append([]float64(nil), o...)
			for _, f := range derived { // Derive must not read what it writes
				for i := f.Start; i < f.Start+f.Len; i++ {
					got[i] = math.NaN()
				}
			}
			d.Derive(got)
			assert.InDeltaSlice(t, o, got, DeriveTolerance, "step %d: Derive disagrees with the observation", k)
		}
	})
}

// nearSuccess drives the Env into states where the task succeeds, or close
// to it, and steps there: a reward or an observation that is only broken
// near the goal (a direction normalised by a distance that goes to zero)
// fails here with the Env's one-line error. It uses the task's GoalPoser,
// else its scripted controller.
func nearSuccess(t *testing.T, env *tasks.Env) {
	task := env.Task()
	spec := env.Spec()
	if gp, ok := task.(tasks.GoalPoser); ok {
		for s := range uint64(4) {
			env.Reset(rng(20 + s))
			state := gp.GoalPose(env.Robot(), env.Goal())
			snap := env.Snapshot()
			snap.World = state
			hold := holdAction(env, state)
			snap.Last = hold
			require.NoError(t, env.Restore(snap), "seed %d: the state GoalPose returned", 20+s)
			require.True(t, task.Success(env.Obs()), "seed %d: Success is false in the state GoalPose returned", 20+s)
			r := rng(30 + s)
			act := make([]float64, spec.ActionDim)
			for range 10 {
				for i := range act {
					act[i] = hold[i] + 0.05*(2*r.Float64()-1)
				}
				st, err := env.Step(act)
				require.NoError(t, err, "seed %d: near success (from GoalPose)", 20+s)
				if st.Terminated || st.Truncated {
					break
				}
			}
		}
		return
	}
	sc, ok := task.(tasks.Scripter)
	if !ok {
		t.Skip("the task implements neither tasks.GoalPoser nor tasks.Scripter: states near success are not checked")
	}
	ctrl, err := sc.Scripted(env)
	require.NoError(t, err)
	ctrl.Reset(rng(21))
	obs := env.Reset(rng(20))
	act := make([]float64, spec.ActionDim)
	for {
		ctrl.Act(obs, act)
		st, err := env.Step(act)
		require.NoError(t, err, "under the scripted controller")
		if st.Terminated || st.Truncated {
			return
		}
		obs = st.Obs
	}
}

// holdAction is the action whose targets are the servo targets of state.
func holdAction(env *tasks.Env, state sim.State) []float64 {
	var act []float64
	for _, a := range env.Robot().Actuators() {
		act = append(act, a.TargetToAction(state.Targets[a.Joint.Index()]))
	}
	return act
}

// DeriveTolerance is how far a task's Derive may be from the simulator's
// own values under random actions: Box2D's joints are soft, so geometry
// computed from joint angles is off by the joints' stretch (the reacher's
// fingertip: up to 1.2 cm while all seven servos race, 1 mm at rest).
const DeriveTolerance = 0.015

func firstGoal(s tasks.Spec) (tasks.Slice, bool) {
	for _, f := range s.Obs {
		if f.Goal {
			return f, true
		}
	}
	return tasks.Slice{}, false
}

func key(xs []float64) string { return fmt.Sprint(xs) }

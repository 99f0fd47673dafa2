package dads

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// reacherPolicy returns a reacher Env, the observation indices a skill
// policy sees there, and a small untrained skill policy for 2-D skills.
func reacherPolicy(t *testing.T) (*tasks.Env, []int, *sac.Agent) {
	t.Helper()
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	_, view, err := skillView(env, View{})
	require.NoError(t, err)
	pol, err := sac.New(len(view)+2, env.Spec().ActionDim, sac.Config{Hidden: []int{8}}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	return env, view, pol
}

// TestPlannerPicksTheSkillToTheGoal: with skill dynamics Δtip = 0.1·z
// per step and one-step skills, the reacher's reward −‖tip − goal‖ is
// best for z* = (goal − tip)/0.1, which the planner must find.
func TestPlannerPicksTheSkillToTheGoal(t *testing.T) {
	env, _, pol := reacherPolicy(t)
	dyn := linearDynamics(t, 0.1)

	for _, tc := range []struct {
		name string
		want []float64 // z*
	}{
		{"right and down", []float64{0.5, -0.3}},
		{"left", []float64{-0.8, 0.1}},
		{"up", []float64{0.05, 0.7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// γ = 1000 turns MPPI's weighting almost into an argmax: the
			// rewards of nearby skills differ by centimetres. The proposal
			// does not narrow, so the plan is as good as the best of the
			// last round's candidates: 2000 of them put one within about
			// 0.04 of z*.
			p, err := NewPlanner(env, dyn, pol, View{}, PlannerConfig{SkillSteps: 1, Gamma: 1000, Candidates: 2000})
			require.NoError(t, err)
			obs := env.Reset(rand.New(rand.NewPCG(3, 4)))
			goal := []float64{obs[21] + 0.1*tc.want[0], obs[22] + 0.1*tc.want[1]}
			obs[23], obs[24] = goal[0], goal[1]
			obs[25], obs[26] = obs[21]-goal[0], obs[22]-goal[1]
			p.Reset(rand.New(rand.NewPCG(5, 6)))
			act := make([]float64, env.Spec().ActionDim)
			p.Act(obs, act)
			// 0.1: a centimetre of tip motion, a fifth of the success radius.
			assert.InDeltaSlice(t, tc.want, p.Skill(), 0.1, "planned skill %v, want %v", p.Skill(), tc.want)
		})
	}
}

// TestPlannerReplansEverySkillSteps checks the plan is held for H_Z steps.
func TestPlannerReplansEverySkillSteps(t *testing.T) {
	env, _, pol := reacherPolicy(t)
	p, err := NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{SkillSteps: 3, Skills: 2, Candidates: 10, Refinements: 2})
	require.NoError(t, err)
	obs := env.Reset(rand.New(rand.NewPCG(3, 4)))
	p.Reset(rand.New(rand.NewPCG(5, 6)))
	act := make([]float64, env.Spec().ActionDim)
	var skills [][]float64
	for range 7 {
		p.Act(obs, act)
		skills = append(skills, p.Skill())
	}
	assert.Equal(t, skills[0], skills[1])
	assert.Equal(t, skills[0], skills[2])
	assert.NotEqual(t, skills[2], skills[3], "no replan after H_Z = 3 steps")
	assert.Equal(t, skills[3], skills[5])
	assert.NotEqual(t, skills[5], skills[6])

	// With ReplanEvery 1 it replans every step, each plan warm-started.
	p, err = NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{SkillSteps: 3, ReplanEvery: 1, Skills: 2, Candidates: 10, Refinements: 2})
	require.NoError(t, err)
	p.Reset(rand.New(rand.NewPCG(5, 6)))
	prev := p.Skill()
	for i := range 4 {
		p.Act(obs, act)
		assert.NotEqual(t, prev, p.Skill(), "step %d: no replan", i)
		prev = p.Skill()
	}
	_, err = NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{SkillSteps: 3, ReplanEvery: 4})
	assert.ErrorContains(t, err, "replan_every 4, want 1…skill_steps (3)")

	// The imagined futures (of the last plan): one path of H_P·H_Z predicted observations per
	// candidate, whose tips move as the linear skill dynamics say.
	im := p.Imagined()
	require.Len(t, im, 10)
	for _, path := range im {
		require.Len(t, path, 6)
		for _, o := range path {
			require.Len(t, o, env.Spec().ObsDim())
		}
		assert.NotEqual(t, path[0][21], path[5][21], "the tip moves along a candidate")
	}
}

func TestNewPlannerErrors(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	pol, err := sac.New(5, env.Spec().ActionDim, sac.Config{Hidden: []int{8}}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	_, err = NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{})
	assert.ErrorContains(t, err, "policy of 5→7 values")
	_, err = NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{Smoothing: 1})
	assert.ErrorContains(t, err, "smoothing")
	// 65536 × 100 × 10 predicted states of at least one value: 524 MB.
	_, err = NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{Candidates: 1 << 16, Skills: 100})
	assert.ErrorContains(t, err, "65536 × 100 × 10 × 1 values, take 524 MB, more than control.MaxBatchMB = 256 MB")
	_, err = NewPlanner(nil, nil, nil, View{}, PlannerConfig{})
	assert.Error(t, err)
	_, view, err := skillView(env, View{})
	require.NoError(t, err)
	fit, err := sac.New(len(view)+2, env.Spec().ActionDim, sac.Config{Hidden: []int{8}}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	dyn, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{8}, Horizon: 3}, rand.New(rand.NewPCG(3, 4)))
	require.NoError(t, err)
	_, err = NewPlanner(env, dyn, fit, View{}, PlannerConfig{SkillSteps: 10})
	assert.ErrorContains(t, err, "skill steps 10 are not a multiple of the skill-dynamics horizon 3")
	_, err = NewPlanner(env, dyn, fit, View{Hide: []string{"elbow"}}, PlannerConfig{SkillSteps: 9})
	assert.ErrorContains(t, err, `policy_hide names "elbow"`)
	_, err = NewPlanner(env, dyn, fit, View{}, PlannerConfig{SkillSteps: 9})
	assert.NoError(t, err)
	// The reacher's 34 observation values in 65536 × 2 × 3 predictions: 107 MB.
	_, err = NewPlanner(env, dyn, fit, View{}, PlannerConfig{SkillSteps: 9, Candidates: 1 << 16, Skills: 2})
	assert.NoError(t, err)
	// And in 65536 × 2 × 10 predictions (one-step dynamics): 357 MB.
	_, err = NewPlanner(env, linearDynamics(t, 0.1), fit, View{}, PlannerConfig{Candidates: 1 << 16, Skills: 2})
	assert.ErrorContains(t, err, "65536 × 2 × 10 × 34 values, take 357 MB")
}

// TestPlannerSimulateOn: on the true simulator, each candidate's imagined
// path and score are those of the deterministic policy run with its skill
// on a copy of the live Env, and the live Env is left where it was.
func TestPlannerSimulateOn(t *testing.T) {
	env, view, pol := reacherPolicy(t)
	p, err := NewPlanner(env, linearDynamics(t, 0.1), pol, View{}, PlannerConfig{SkillSteps: 4, Candidates: 3, Refinements: 1})
	require.NoError(t, err)
	other, err := tasks.Make("quadruped-walk")
	require.NoError(t, err)
	assert.Error(t, p.SimulateOn(other), "an Env of another task")
	require.NoError(t, p.SimulateOn(env))

	obs := env.Reset(rand.New(rand.NewPCG(3, 4)))
	snap := env.Snapshot()
	p.Reset(rand.New(rand.NewPCG(5, 6)))
	act := make([]float64, env.Spec().ActionDim)
	p.Act(obs, act)
	assert.Equal(t, obs, env.Obs(), "planning stepped the live Env")

	im := p.Imagined()
	require.Len(t, im, 3)
	replay, err := env.Clone()
	require.NoError(t, err)
	in := make([]float64, len(view)+2)
	rets := make([]float64, len(im))
	for c, path := range im {
		require.NoError(t, replay.Restore(snap))
		o, ret := replay.Obs(), 0.0
		for step := range 4 {
			for i, j := range view {
				in[i] = o[j]
			}
			copy(in[len(view):], p.cand[2*c:2*c+2])
			pol.Act(in, act, nil)
			st, err := replay.Step(act)
			require.NoError(t, err)
			o, ret = st.Obs, ret+st.Reward
			assert.Equal(t, o, path[step], "candidate %d, step %d", c, step)
		}
		rets[c] = ret
	}
	// The scores have become MPPI's weights exp(γ(R − max R)).
	best := slices.Max(rets)
	for c, r := range rets {
		assert.InDelta(t, math.Exp(10*(r-best)), p.score[c], 1e-12, "candidate %d's weight", c)
	}
}

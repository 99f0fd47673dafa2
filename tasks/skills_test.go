package tasks_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/tasks"
)

// TestSkillSpacer checks, for every task with a skill space, that
// SetSkillState with the skill state of a later observation of the same
// episode reproduces that observation's skill state and every goal-derived
// field, which is what the DADS planner relies on when it scores predicted
// states with Task.Reward.
func TestSkillSpacer(t *testing.T) {
	for _, id := range []string{"reacher", "quadruped-orient", "quadruped-walk", "claw-turn"} {
		t.Run(id, func(t *testing.T) {
			env, err := tasks.Make(id)
			require.NoError(t, err)
			sp, ok := env.Task().(tasks.SkillSpacer)
			require.True(t, ok, "%s does not implement SkillSpacer", id)
			dim := len(sp.SkillSpace())
			require.Positive(t, dim)
			for _, name := range sp.GoalDependent() {
				_, ok := env.Spec().Field(name)
				assert.True(t, ok, "GoalDependent names %q, not in the observation", name)
			}

			rng := rand.New(rand.NewPCG(1, 2))
			first := env.Reset(rng)
			later := first
			act := make([]float64, env.Spec().ActionDim)
			for range 8 {
				for i := range act {
					act[i] = 2*rng.Float64() - 1
				}
				st, err := env.Step(act)
				require.NoError(t, err)
				later = st.Obs
			}
			s0, s1 := make([]float64, dim), make([]float64, dim)
			sp.SkillState(first, s0)
			sp.SkillState(later, s1)
			require.NotEqual(t, s0, s1, "the skill state did not move in 8 random steps")

			// Writing an observation's own state back changes nothing.
			same := slices.Clone(first)
			sp.SetSkillState(same, s0)
			assert.InDeltaSlice(t, first, same, 1e-12)

			moved := slices.Clone(first)
			sp.SetSkillState(moved, s1)
			got := make([]float64, dim)
			sp.SkillState(moved, got)
			// 1e-12: only rounding in sin/cos and atan2 separates them.
			assert.InDeltaSlice(t, s1, got, 1e-12, "SkillState(SetSkillState(obs, s)) = %v, want %v", got, s1)
			for _, name := range sp.GoalDependent() {
				f, _ := env.Spec().Field(name)
				assert.InDeltaSlice(t, later[f.Start:f.Start+f.Len], moved[f.Start:f.Start+f.Len], 1e-12,
					"field %q after SetSkillState", name)
			}
		})
	}
}

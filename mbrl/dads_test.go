package mbrl

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/dads"
	"sandbox/mbrl/eval"
	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// A tiny DADS run through the trainer: metrics with the intrinsic reward
// and skill likelihood, the skills plot, exact resume, and the checkpoint
// as a zero-shot planner.
func TestTrainTinyDADS(t *testing.T) {
	cfg := Config{Task: "reacher", Algo: "dads", Steps: 300, Seed: 2, EvalEvery: 150, EvalEpisodes: 1,
		DADS: dads.Config{InitialSteps: 50, CollectSteps: 50, PolicySteps: 4, DynamicsSteps: 4, DynamicsBatch: 32,
			PriorSamples: 4, Dynamics: dads.DynamicsConfig{Hidden: []int{16, 16}},
			Policy:  sac.Config{Hidden: []int{16, 16}, BatchSize: 32},
			Planner: dads.PlannerConfig{Candidates: 8, Refinements: 2}}}
	whole := t.TempDir()
	res, err := Train(cfg, RunOptions{Dir: whole})
	require.NoError(t, err)
	require.Len(t, res.Metrics, 2)
	for _, m := range res.Metrics {
		require.NotNil(t, m.IntrinsicReward)
		require.NotNil(t, m.SkillLogLik)
		require.NotNil(t, m.SkillSpread)
	}
	for _, f := range []string{"config.json", "metrics.jsonl", "curve.png", "skills.png", checkpointFile} {
		assert.FileExists(t, filepath.Join(whole, f))
	}

	cut := t.TempDir()
	_, err = Train(cfg, RunOptions{Dir: cut, StopAfterEvals: 1})
	require.ErrorIs(t, err, ErrStopped)
	_, err = Train(cfg, RunOptions{Dir: cut, Resume: true})
	require.NoError(t, err)
	assert.Equal(t, metricsWithoutWall(t, whole), metricsWithoutWall(t, cut))

	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	ctrl, err := NewController("ckpt:"+whole, env)
	require.NoError(t, err)
	_, err = eval.Run(env, ctrl, 1, 5, nil)
	require.NoError(t, err)

	// The same skills under another planner, from a config file.
	plan := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(plan, []byte(`{"dads": {"planner": {"skills": 2, "skill_steps": 20}}}`), 0o644))
	other, err := NewControllerWith("ckpt:"+whole, env, ControllerOptions{Planner: plan})
	require.NoError(t, err)
	assert.Equal(t, 8, ctrl.(*dads.Planner).Config().Candidates)
	pc := other.(*dads.Planner).Config()
	assert.Equal(t, []int{2, 20, 50}, []int{pc.Skills, pc.SkillSteps, pc.Candidates}, "the file's settings, the defaults for the rest")
	_, err = eval.Run(env, other, 1, 5, nil)
	require.NoError(t, err)
}

// A DADS iteration collects whole episodes until it has CollectSteps, so a
// run may end more than one episode past its budget; its checkpoint still
// loads.
func TestDADSCheckpointPastItsBudgetLoads(t *testing.T) {
	cfg := Config{Task: "reacher", Algo: "dads", Steps: 100, Seed: 2, EvalEvery: 100, EvalEpisodes: 1,
		DADS: dads.Config{InitialSteps: 60, CollectSteps: 120, PolicySteps: 1, DynamicsSteps: 1, DynamicsBatch: 16,
			PriorSamples: 2, Dynamics: dads.DynamicsConfig{Hidden: []int{8}},
			Policy:  sac.Config{Hidden: []int{8}, BatchSize: 16},
			Planner: dads.PlannerConfig{Candidates: 4, Refinements: 1}}}
	dir := t.TempDir()
	res, err := Train(cfg, RunOptions{Dir: dir})
	require.NoError(t, err)
	require.Greater(t, res.EnvSteps, cfg.Steps+50, "the run did not overshoot by more than an episode")
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	_, err = NewController("ckpt:"+dir, env)
	assert.NoError(t, err)
}

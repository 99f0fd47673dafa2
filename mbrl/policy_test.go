package mbrl

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/eval"
	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// tinyPolicyConfig is a policy-algorithm run on the reacher small enough
// for a unit test: 2×32 SAC networks, a 3-member 2×24 ensemble.
func tinyPolicyConfig(algo string) Config {
	return Config{
		Task: "reacher", Algo: algo, Steps: 400, Seed: 5,
		RandomEpisodes: 2, RetrainEvery: 100, EvalEvery: 200, EvalEpisodes: 2,
		Model:  ensemble.Config{Members: 3, Elites: 2, Hidden: []int{24, 24}},
		Fit:    ensemble.TrainConfig{BatchSize: 32},
		Policy: sac.Config{Hidden: []int{32, 32}, BatchSize: 32},
	}
}

func TestScheduleDefaults(t *testing.T) {
	for _, algo := range Algos {
		cfg := Config{Task: "reacher", Algo: algo}
		require.NoError(t, cfg.Validate(), algo)
		d := cfg.WithDefaults()
		assert.Equal(t, PolicyAlgo(algo), d.Schedule != Schedule{}, "%s has a schedule iff it learns a policy", algo)
		assert.Equal(t, d, d.WithDefaults(), "%s: defaults are idempotent (resume relies on it)", algo)
	}
	d := Config{Algo: "mbpo"}.WithDefaults().Schedule
	for _, tc := range []struct{ step, k int }{{0, 1}, {5000, 1}, {15000, 5}, {25000, 10}, {90000, 10}} {
		assert.Equal(t, tc.k, d.rolloutLength(tc.step), "k at step %d", tc.step)
	}
	// A checkpoint written before a default existed resumes under it.
	mal := Config{Task: "reacher", Algo: "mal", Steps: 1000}.WithDefaults()
	old := mal
	old.Schedule.ConvergePatience = 0
	assert.NoError(t, sameRun(old, mal))
	old.Schedule.ConvergePatience = 3
	assert.ErrorContains(t, sameRun(old, mal), "another config")

	bad := Config{Task: "reacher", Algo: "mbpo", Schedule: Schedule{UpdatesPerStep: 1, RealRatio: 0.5}}
	assert.ErrorContains(t, bad.Validate(), "rollouts")
	bad.Schedule = Schedule{RealRatio: 1}
	assert.ErrorContains(t, bad.Validate(), "not both zero")
	bad.Schedule = Schedule{UpdatesPerFit: 10, RealRatio: 1, PolicyConverge: true, ConvergePatience: -1}
	assert.ErrorContains(t, bad.Validate(), "converge_patience -1")
}

// fitLog trains cfg and returns every model fit's FitInfo and the run's
// metrics.
func fitLog(t *testing.T, cfg Config) ([]FitInfo, []Metric) {
	var fits []FitInfo
	res, err := Train(cfg, RunOptions{AfterFit: func(f FitInfo) { fits = append(fits, f) }})
	require.NoError(t, err)
	require.NotEmpty(t, fits)
	for i := range res.Metrics {
		res.Metrics[i].WallS = 0
	}
	return fits, res.Metrics
}

// The game-theoretic schedules: PAL optimises the model to convergence on
// recent data only and takes a fixed, small policy step; MAL takes a small
// model step on all data and optimises the policy to convergence.
func TestPALAndMALSchedules(t *testing.T) {
	pal := tinyPolicyConfig("pal")
	pal.Fit.Epochs, pal.Fit.Patience = 200, 3
	pal.Schedule = Schedule{UpdatesPerFit: 40, ModelWindow: 150, RealRatio: 0.1, Rollouts: 2, RolloutLength: [4]int{2, 2, 0, 0}}
	palFits, _ := fitLog(t, pal)
	for _, f := range palFits {
		assert.Equal(t, min(150, f.EnvSteps), f.Rows, "PAL fits on the 150 most recent transitions")
		assert.Equal(t, f.EnvSteps-f.Rows, f.FirstRow, "… which are the newest")
		assert.True(t, f.EarlyStopped, "PAL's model fit runs to convergence (%d epochs)", f.Epochs)
		assert.Equal(t, 40, f.PolicyUpdates, "PAL's policy step is the fixed, conservative one")
		assert.False(t, f.PolicyConverged)
	}

	mal := tinyPolicyConfig("mal")
	mal.Fit.Epochs = 2
	mal.Schedule = Schedule{UpdatesPerFit: 4000, PolicyConverge: true, ChunkUpdates: 20, ConvergePatience: 3,
		RealRatio: 0.1, Rollouts: 2, RolloutLength: [4]int{2, 2, 0, 0}}
	fits, metrics := fitLog(t, mal)
	converged := 0
	for _, f := range fits {
		assert.Equal(t, 0, f.FirstRow, "MAL's model sees all the data")
		assert.Equal(t, f.EnvSteps, f.Rows)
		assert.Equal(t, 2, f.Epochs, "MAL's model step is the conservative one")
		assert.False(t, f.EarlyStopped)
		assert.Greater(t, f.PolicyUpdates, 40, "MAL's policy is optimised far longer than PAL's")
		assert.Len(t, f.ModelReturns, f.PolicyUpdates/20, "a convergence check every chunk")
		n, stopped := convergedAt(f.ModelReturns, 0.01, 3)
		assert.Equal(t, len(f.ModelReturns), n, "stops after 3 chunks without a 1%% gain")
		assert.Equal(t, stopped, f.PolicyConverged)
		if f.PolicyConverged {
			converged++
			assert.Less(t, f.PolicyUpdates, 4000)
		}
	}
	assert.Positive(t, converged, "MAL's policy optimisation stops at convergence")

	// Same seed, same run: model fits, rollouts and bursts included.
	again, metricsAgain := fitLog(t, mal)
	assert.Equal(t, metrics, metricsAgain)
	for i := range fits {
		fits[i].Seconds, again[i].Seconds = 0, 0
	}
	assert.Equal(t, fits, again)
}

// convergedAt returns the number of convergence checks after which the
// rule of Schedule.PolicyConverge stops and true, or len(returns) and false
// if it never does.
func convergedAt(returns []float64, tol float64, patience int) (int, bool) {
	best, stale := returns[0], 0
	for i, j := range returns[1:] {
		if j > best+tol*math.Abs(best) {
			best, stale = j, 0
		} else if stale++; stale == patience {
			return i + 2, true
		}
	}
	return len(returns), false
}

// A run killed after its first evaluation and resumed ends exactly as one
// that was not: SAC, and MBPO with its model-rollout buffer.
func TestPolicyResume(t *testing.T) {
	mb := tinyPolicyConfig("mbpo")
	mb.Schedule = Schedule{UpdatesPerStep: 1, RealRatio: 0.5, Rollouts: 2, RolloutLength: [4]int{1, 3, 0, 400}}
	var dir string
	for _, cfg := range []Config{tinyPolicyConfig("sac"), mb} {
		whole := t.TempDir()
		_, err := Train(cfg, RunOptions{Dir: whole})
		require.NoError(t, err)
		dir = t.TempDir()
		_, err = Train(cfg, RunOptions{Dir: dir, StopAfterEvals: 1})
		require.ErrorIs(t, err, ErrStopped)
		res, err := Train(cfg, RunOptions{Dir: dir, Resume: true})
		require.NoError(t, err)
		assert.Equal(t, 400, res.EnvSteps)
		require.Len(t, res.Metrics, 2)
		assert.Equal(t, metricsWithoutWall(t, whole), metricsWithoutWall(t, dir), cfg.Algo)
	}

	// The checkpoint is a controller: the deterministic policy.
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	ctrl, err := NewController("ckpt:"+dir, env)
	require.NoError(t, err)
	ev, err := eval.Run(env, ctrl, 1, 3, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, ev.Episodes)
	// A policy has no planner to swap.
	plan := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(plan, []byte(`{"planner": {"horizon": 5}}`), 0o644))
	_, err = NewControllerWith("ckpt:"+dir, env, ControllerOptions{Planner: plan})
	assert.ErrorContains(t, err, "has no planner to replace")
	for _, f := range []string{"config.json", "metrics.jsonl", "curve.png", checkpointFile} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
}

package mbrl

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/eval"
	"sandbox/mbrl/modelenv"
	"sandbox/mbrl/replay"
	"sandbox/tasks"
)

// tinyConfig is a PETS run on the reacher small enough for a unit test:
// 8 episodes, a 2×24 ensemble, a 20-plan CEM over 3 steps.
func tinyConfig() Config {
	return Config{
		Task: "reacher", Algo: "pets", Steps: 400, Seed: 7,
		RandomEpisodes: 2, RetrainEvery: 100, EvalEvery: 200, EvalEpisodes: 2,
		Model:   ensemble.Config{Members: 3, Hidden: []int{24, 24}},
		Fit:     ensemble.TrainConfig{Epochs: 40, BatchSize: 16, Patience: 20},
		Planner: PlannerConfig{Horizon: 3, Particles: 2, CEM: controlCEM(20, 4, 2)},
	}
}

// metricsWithoutWall reads DIR/metrics.jsonl with wall times zeroed.
func metricsWithoutWall(t *testing.T, dir string) []Metric {
	data, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	require.NoError(t, err)
	var ms []Metric
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m Metric
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		m.WallS = 0
		ms = append(ms, m)
	}
	return ms
}

func TestTrainTinyPETS(t *testing.T) {
	dir := t.TempDir()
	res, err := Train(tinyConfig(), RunOptions{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, 400, res.EnvSteps)
	assert.Equal(t, 8, res.Episodes)
	require.Len(t, res.Metrics, 2, "evaluations at 200 and 400 steps")
	for _, f := range []string{"config.json", "metrics.jsonl", "curve.png", "model.png", "model.json", checkpointFile} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	// Learning: with more data the held-out error of normalized Δobs falls,
	// and ends well below 1, the error of predicting the mean change.
	first, last := res.Metrics[0].ModelLoss, res.Metrics[1].ModelLoss
	require.NotNil(t, first)
	require.NotNil(t, last)
	assert.Less(t, *last, *first, "held-out model MSE after 400 steps vs after 200")
	assert.Less(t, *last, 0.8, "held-out model MSE after 400 steps")
	t.Logf("held-out model MSE %.3f after 200 steps, %.3f after 400", *first, *last)
	var diag modelenv.Diagnostics
	data, err := os.ReadFile(filepath.Join(dir, "model.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &diag))
	assert.Len(t, diag.MemberValMSE, 3)
	require.NotEmpty(t, diag.RMSE)
	assert.Greater(t, diag.RMSE[len(diag.RMSE)-1], diag.RMSE[0], "open-loop error grows with the horizon")

	// Same seed, same metrics.
	dir2 := t.TempDir()
	_, err = Train(tinyConfig(), RunOptions{Dir: dir2})
	require.NoError(t, err)
	assert.Equal(t, metricsWithoutWall(t, dir), metricsWithoutWall(t, dir2))

	// The checkpoint plans like the trained agent.
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	agent, err := NewController("ckpt:"+dir, env)
	require.NoError(t, err)
	r, err := eval.Run(env, agent, 2, 99, nil)
	require.NoError(t, err)
	assert.Equal(t, 100, r.EnvSteps)

	// The same model under another planner: the file's horizon, the rest
	// of the planner the algorithm's defaults.
	plan := filepath.Join(t.TempDir(), "plan.json")
	require.NoError(t, os.WriteFile(plan, []byte(`{"planner": {"horizon": 5, "particles": 2}}`), 0o644))
	other, err := NewControllerWith("ckpt:"+dir, env, ControllerOptions{Planner: plan})
	require.NoError(t, err)
	assert.Equal(t, 3, agent.(*Agent).mpc.Horizon)
	assert.Equal(t, 5, other.(*Agent).mpc.Horizon)
	_, err = NewControllerWith("zero", env, ControllerOptions{Planner: plan})
	assert.ErrorContains(t, err, "applies only to ckpt:DIR")
	require.NoError(t, os.WriteFile(plan, []byte(`{"algo": "pddm"}`), 0o644))
	_, err = NewControllerWith("ckpt:"+dir, env, ControllerOptions{Planner: plan})
	assert.ErrorContains(t, err, "a pddm config for a pets checkpoint")
	require.NoError(t, os.WriteFile(plan, []byte(`{"planner": {"horizon": -1}}`), 0o644))
	_, err = NewControllerWith("ckpt:"+dir, env, ControllerOptions{Planner: plan})
	assert.Error(t, err, "an invalid planner is refused")
}

func TestTrainResume(t *testing.T) {
	full := t.TempDir()
	_, err := Train(tinyConfig(), RunOptions{Dir: full})
	require.NoError(t, err)

	dir := t.TempDir()
	_, err = Train(tinyConfig(), RunOptions{Dir: dir, StopAfterEvals: 1})
	require.ErrorIs(t, err, ErrStopped)
	require.Len(t, metricsWithoutWall(t, dir), 1)
	_, err = Train(tinyConfig(), RunOptions{Dir: dir})
	require.Error(t, err, "starting over a run without --resume")
	res, err := Train(tinyConfig(), RunOptions{Dir: dir, Resume: true})
	require.NoError(t, err)
	assert.Equal(t, 400, res.EnvSteps)
	assert.Equal(t, metricsWithoutWall(t, full), metricsWithoutWall(t, dir), "a resumed run continues exactly")

	other := tinyConfig()
	other.Planner.Horizon = 4
	_, err = Train(other, RunOptions{Dir: dir, Resume: true})
	assert.ErrorContains(t, err, "another config")
}

func TestCheckpointErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 100, 100
	_, err := Train(cfg, RunOptions{Dir: dir})
	require.NoError(t, err)
	ck, err := LoadCheckpoint(dir)
	require.NoError(t, err)
	assert.Equal(t, 100, ck.EnvSteps())
	buf, err := replay.Load(bytes.NewReader(ck.Part("buffer")))
	require.NoError(t, err)
	assert.Equal(t, 100, buf.Len())
	assert.Equal(t, cfg.WithDefaults(), ck.Config)

	_, err = LoadCheckpoint(t.TempDir())
	assert.ErrorIs(t, err, ErrNoCheckpoint)
	_, err = Train(cfg, RunOptions{Dir: t.TempDir(), Resume: true})
	assert.ErrorIs(t, err, ErrNoCheckpoint)

	idx, err := readIndex(dir)
	require.NoError(t, err)
	file := func(part string) string {
		for _, p := range idx.Parts {
			if p.Part == part {
				return p.File
			}
		}
		t.Fatalf("no %s part in %+v", part, idx.Parts)
		return ""
	}
	corrupt := func(name string, f func([]byte) []byte) string {
		d := t.TempDir()
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			require.NoError(t, err)
			if e.Name() == name {
				b = f(b)
			}
			require.NoError(t, os.WriteFile(filepath.Join(d, e.Name()), b, 0o644))
		}
		return d
	}
	flip := func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 1; return b }
	for _, tc := range []struct {
		name string
		dir  string
	}{
		{"model bit flip", corrupt(file("model"), flip)},
		{"buffer truncated", corrupt(file("buffer"), func(b []byte) []byte { return b[:len(b)/2] })},
		{"index garbage", corrupt(checkpointFile, func([]byte) []byte { return []byte("{not json") })},
		{"model missing", corrupt(file("model"), func(b []byte) []byte { return b })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "model missing" {
				require.NoError(t, os.Remove(filepath.Join(tc.dir, file("model"))))
			}
			_, err := LoadCheckpoint(tc.dir)
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrCorruptCheckpoint), "error %v does not wrap ErrCorruptCheckpoint", err)
			env, _ := tasks.Make("reacher")
			_, err = NewController("ckpt:"+tc.dir, env)
			assert.Error(t, err)
		})
	}
}

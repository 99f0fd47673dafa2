package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl"
	"sandbox/tasks"
)

func TestTrainUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"train"},
		{"train", "--task", "claw-turn"}, // no recommended learner yet
		{"train", "--task", "reacher", "--algo", "sarsa"},
		{"train", "--task", "no-such-task", "--algo", "pets"},
		{"train", "--task", "reacher", "--algo", "pets", "--steps", "-5"},
		{"train", "--task", "reacher", "--algo", "pets", "--resume"},
		{"train", "--task", "reacher", "--algo", "pets", "--config", "/no/such/file.json"},
		{"train", "--task", "reacher", "--algo", "sac", "--config", "../../assets/configs/experiments/pal-reacher-anneal.json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := sandbox(args...)
			assert.Equal(t, 2, code)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
		})
	}
}

// Every task's recommended learner is a registered model-based algorithm
// with a config shipped for that task, which is what train runs without
// --algo.
func TestRecommendedLearners(t *testing.T) {
	for _, id := range tasks.IDs() {
		newTask, err := tasks.Lookup(id)
		require.NoError(t, err)
		algo := newTask().Spec().Learner
		if algo == "" {
			continue
		}
		assert.Contains(t, mbrl.Algos, algo, id)
		assert.NotEqual(t, "sac", algo, "%s: the recommended learner is model-based", id)
		_, from, err := defaultConfig(algo, id)
		require.NoError(t, err)
		assert.Equal(t, "assets/configs/"+algo+"-"+id+".json", from, "%s: its shipped config", id)
	}
	_, _, stderr := sandbox("train", "--task", "claw-turn")
	assert.Contains(t, stderr, "no recommended learner")
}

func TestDefaultConfigsParse(t *testing.T) {
	for _, tc := range []struct{ algo, task string }{{"pets", "reacher"}, {"pddm", "reacher"}, {"sac", "reacher"}, {"mbpo", "reacher"}, {"dyna", "reacher"}, {"pal", "reacher"}, {"mal", "reacher"}} {
		cfg, from, err := defaultConfig(tc.algo, tc.task)
		require.NoError(t, err)
		if !mbrl.PolicyAlgo(tc.algo) {
			assert.True(t, strings.HasPrefix(from, "assets/configs/"), "%s-%s from %s", tc.algo, tc.task, from)
		}
		cfg.Task, cfg.Algo = tc.task, tc.algo
		assert.NoError(t, cfg.Validate())
	}
	// The game's "both aggressive" setting: PAL's model fit to convergence
	// on recent data with MAL's policy optimisation to convergence.
	cfg, _, err := loadConfig("../../assets/configs/experiments/both-aggressive.json", "pal", "reacher", 1, 0)
	require.NoError(t, err)
	assert.True(t, cfg.Schedule.PolicyConverge)
	assert.Equal(t, 10000, cfg.Schedule.ModelWindow)
}

// Every config shipped in assets/configs and its experiments/ (the README's commands pass them
// with --config) loads and validates for the algorithm and task it names.
func TestShippedConfigsLoad(t *testing.T) {
	files, err := filepath.Glob("../../assets/configs/*.json")
	require.NoError(t, err)
	experiments, err := filepath.Glob("../../assets/configs/experiments/*.json")
	require.NoError(t, err)
	files = append(files, experiments...)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			require.NoError(t, err)
			named, err := mbrl.ParseConfig(data)
			require.NoError(t, err)
			require.NotEmpty(t, named.Algo, "the file names its algorithm")
			task := named.Task
			if task == "" {
				task = "reacher"
			}
			_, _, err = loadConfig(f, named.Algo, task, 1, 0)
			assert.NoError(t, err)
		})
	}
}

// A tiny run end to end: train, JSON summary, resume of a finished run,
// ckpt: evaluation, and a clear error for a corrupt checkpoint.
func TestTrainTinyAndCheckpoint(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "tiny.json")
	require.NoError(t, os.WriteFile(cfgPath, []byte(`{"random_episodes": 2, "retrain_every": 100, "eval_every": 100, "eval_episodes": 2,
		"model": {"Members": 2, "Hidden": [16]}, "fit": {"Epochs": 5},
		"planner": {"horizon": 2, "particles": 2, "cem": {"Population": 10, "Elites": 2, "Iterations": 1}}}`), 0o644))
	run := filepath.Join(dir, "run")
	code, out, stderr := sandbox("train", "--task", "reacher", "--algo", "pets", "--steps", "150", "--seed", "3",
		"--out", run, "--config", cfgPath, "--json")
	require.Equal(t, 0, code, stderr)
	var sum map[string]any
	require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &sum))
	for _, k := range []string{"task", "algo", "seed", "episodes", "successes", "success_rate", "mean_return", "env_steps", "wall_s"} {
		assert.Contains(t, sum, k)
	}
	assert.EqualValues(t, 150, sum["env_steps"])
	for _, f := range []string{"config.json", "metrics.jsonl", "curve.png", "model.png", "model.json", "checkpoint.json"} {
		assert.FileExists(t, filepath.Join(run, f))
	}

	code, _, stderr = sandbox("eval", "--task", "reacher", "--controller", "ckpt:"+run, "--episodes", "1")
	assert.Equal(t, 0, code, stderr)

	require.NoError(t, os.WriteFile(filepath.Join(run, "checkpoint.json"), []byte("{"), 0o644))
	code, _, stderr = sandbox("eval", "--task", "reacher", "--controller", "ckpt:"+run, "--episodes", "1")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, "corrupt checkpoint")
	code, _, stderr = sandbox("eval", "--task", "reacher", "--controller", "ckpt:"+filepath.Join(dir, "nothing"), "--episodes", "1")
	assert.NotEqual(t, 0, code)
	assert.Contains(t, stderr, "no checkpoint")
}

func TestCompareUsageErrors(t *testing.T) {
	noAlgo := filepath.Join(t.TempDir(), "no-algo.json")
	require.NoError(t, os.WriteFile(noAlgo, []byte(`{"policy": {"gamma": 0.9}}`), 0o644))
	pal := "../../assets/configs/experiments/pal-reacher-anneal.json"
	for _, args := range [][]string{
		{"compare", "--task", "reacher", "--out", "x"},
		{"compare", "--algos", "sac", "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac"},
		{"compare", "--task", "reacher", "--algos", "sac,sarsa", "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac,sac", "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac", "--seeds", "0", "--out", "x"},
		{"compare", "--task", "nope", "--algos", "sac", "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac", "--config", pal, "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac,pal", "--config", pal + "," + pal, "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac", "--config", noAlgo, "--out", "x"},
		{"compare", "--task", "reacher", "--algos", "sac", "--config", "/no/such/file.json", "--out", "x"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := sandbox(args...)
			assert.Equal(t, 2, code, stderr)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
		})
	}
}

// compare end to end on runs too short to leave the random episodes: the
// table, the plot, the JSON line with null for never-reached thresholds, and
// a --config file reaching the runs of the algorithm it names only.
func TestCompareTiny(t *testing.T) {
	dir := t.TempDir()
	sacCfg := filepath.Join(t.TempDir(), "sac.json")
	require.NoError(t, os.WriteFile(sacCfg, []byte(`{"algo": "sac", "policy": {"gamma": 0.5}}`), 0o644))
	code, out, stderr := sandbox("compare", "--task", "reacher", "--algos", "sac,dyna", "--steps", "100", "--seeds", "2",
		"--seed", "4", "--config", sacCfg, "--out", dir, "--json")
	require.Equal(t, 0, code, stderr)
	var sum struct {
		Task  string
		Algos []map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &sum))
	assert.Equal(t, "reacher", sum.Task)
	require.Len(t, sum.Algos, 2)
	for _, a := range sum.Algos {
		for _, k := range []string{"algo", "final_success_rate", "steps_to_50", "steps_to_90", "wall_s"} {
			assert.Contains(t, a, k)
		}
		assert.Nil(t, a["steps_to_90"])
	}
	for _, f := range []string{"curve.png", "summary.md", "sac/seed-5/checkpoint.json"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	code, _, stderr = sandbox("eval", "--task", "reacher", "--controller", "ckpt:"+filepath.Join(dir, "dyna", "seed-4"), "--episodes", "1")
	assert.Equal(t, 0, code, stderr)
	for algo, gamma := range map[string]float64{"sac": 0.5, "dyna": 0.99} {
		data, err := os.ReadFile(filepath.Join(dir, algo, "seed-5", "config.json"))
		require.NoError(t, err)
		cfg, err := mbrl.ParseConfig(data)
		require.NoError(t, err)
		assert.Equal(t, gamma, cfg.Policy.Gamma, algo)
	}
}

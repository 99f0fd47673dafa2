package compare

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/sac"
)

// tinyConfig is a policy-algorithm run on the reacher small enough for a
// unit test: 2×32 SAC networks, a 3-member 2×24 ensemble.
func tinyConfig(algo string) mbrl.Config {
	return mbrl.Config{
		Task: "reacher", Algo: algo, Steps: 400, Seed: 5,
		RandomEpisodes: 2, RetrainEvery: 100, EvalEvery: 200, EvalEpisodes: 2,
		Model:  ensemble.Config{Members: 3, Elites: 2, Hidden: []int{24, 24}},
		Fit:    ensemble.TrainConfig{BatchSize: 32},
		Policy: sac.Config{Hidden: []int{32, 32}, BatchSize: 32},
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	var cfgs []mbrl.Config
	for _, a := range []string{"sac", "dyna"} {
		c := tinyConfig(a)
		c.Steps = 200
		c.EvalEvery = 100
		if a == "dyna" {
			c.Schedule = mbrl.Schedule{UpdatesPerStep: 1, RealRatio: 0.5, Rollouts: 2, RolloutLength: [4]int{1, 1, 0, 0}}
		}
		cfgs = append(cfgs, c)
	}
	res, err := Run(Options{Configs: cfgs, Seeds: 2, Seed: 3, Dir: dir, Jobs: 2})
	require.NoError(t, err)
	assert.Equal(t, "reacher", res.Task)
	require.Len(t, res.Algos, 2)
	for _, a := range res.Algos {
		assert.Equal(t, []uint64{3, 4}, a.Seeds)
		assert.Len(t, a.curve, 2)
		assert.InDelta(t, a.curve[1].mean, a.FinalSuccessRate, 1e-12)
	}
	for _, f := range []string{"curve.png", "summary.md", "sac/seed-3/metrics.jsonl", "dyna/seed-4/metrics.jsonl"} {
		assert.FileExists(t, filepath.Join(dir, f))
	}
	// A rerun reuses the finished runs.
	again, err := Run(Options{Configs: cfgs, Seeds: 2, Seed: 3, Dir: dir, Jobs: 1})
	require.NoError(t, err)
	assert.Equal(t, res.Algos[0].FinalSuccessRate, again.Algos[0].FinalSuccessRate)
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "| dyna |")
}

// tinyPair is a sac and a dyna config of 200 steps, evaluated every 100.
func tinyPair() []mbrl.Config {
	var cfgs []mbrl.Config
	for _, a := range []string{"sac", "dyna"} {
		c := tinyConfig(a)
		c.Steps = 200
		c.EvalEvery = 100
		if a == "dyna" {
			c.Schedule = mbrl.Schedule{UpdatesPerStep: 1, RealRatio: 0.5, Rollouts: 2, RolloutLength: [4]int{1, 1, 0, 0}}
		}
		cfgs = append(cfgs, c)
	}
	return cfgs
}

// summaryWithoutWall returns summary.md without its last column, the wall
// time per run.
func summaryWithoutWall(t *testing.T, dir string) string {
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err)
	lines := strings.Split(string(md), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "| ") {
			cells := strings.Split(l, " | ")
			lines[i] = strings.Join(cells[:len(cells)-1], " | ")
		}
	}
	return strings.Join(lines, "\n")
}

// Collect summarises finished runs as Run did, refuses unfinished ones by
// name, and copied run directories collect to the same table.
func TestCollect(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Configs: tinyPair(), Seeds: 1, Seed: 3, Dir: dir, Jobs: 2}
	// Before any run, every run is reported.
	_, err := Collect(opt)
	require.Error(t, err)
	for _, d := range []string{"sac/seed-3", "dyna/seed-3"} {
		assert.Contains(t, err.Error(), filepath.Join(dir, d)+" (")
	}
	res, err := Run(opt)
	require.NoError(t, err)
	want := summaryWithoutWall(t, dir)
	require.NoError(t, os.Remove(filepath.Join(dir, "summary.md")))
	got, err := Collect(opt)
	require.NoError(t, err)
	assert.Equal(t, res.Algos, got.Algos)
	assert.Equal(t, want, summaryWithoutWall(t, dir))
	assert.FileExists(t, filepath.Join(dir, "curve.png"))

	// Another config for the same directories is refused, naming the run.
	other := opt
	other.Configs = tinyPair()
	other.Configs[0].EvalEpisodes = 3
	_, err = Collect(other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "sac/seed-3")+" was trained with another config")
}

// A rerun with a smaller budget is refused before training anything; the
// same budget, or a larger one, summarises consistently.
func TestRerunWithFewerSteps(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Configs: tinyPair()[:1], Seeds: 1, Seed: 3, Dir: dir}
	_, err := Run(opt)
	require.NoError(t, err)
	before, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err)
	config, err := os.ReadFile(filepath.Join(dir, "sac/seed-3/config.json"))
	require.NoError(t, err)
	for _, steps := range []int{100, 150} {
		short := opt
		short.Configs = tinyPair()[:1]
		short.Configs[0].Steps = steps
		_, err = Run(short)
		require.ErrorIs(t, err, ErrPastBudget, "--steps %d", steps)
		assert.Contains(t, err.Error(), "has trained to 200 env steps")
		_, err = Collect(short)
		assert.ErrorIs(t, err, ErrPastBudget, "collect --steps %d", steps)
	}
	after, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "summary.md untouched")
	again, err := os.ReadFile(filepath.Join(dir, "sac/seed-3/config.json"))
	require.NoError(t, err)
	assert.Equal(t, string(config), string(again), "the run's config.json untouched")
	assert.Contains(t, string(after), "# reacher: 200 env steps, 1 seed(s) from 3")
	assert.Contains(t, string(after), "| sac | 200 | ")
}

// Configs with different budgets give a header naming each and rows with
// their own env steps.
func TestSummaryOfDifferentBudgets(t *testing.T) {
	dir := t.TempDir()
	cfgs := tinyPair()
	cfgs[1].Steps = 100
	_, err := Run(Options{Configs: cfgs, Seeds: 1, Seed: 3, Dir: dir, Jobs: 2})
	require.NoError(t, err)
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	require.NoError(t, err)
	assert.Contains(t, string(md), "# reacher: 1 seed(s) from 3\n")
	assert.Contains(t, string(md), "sac: 200 env steps, 2 held-out goals per evaluation, every 100 env steps; dyna: 100 env steps")
	assert.Contains(t, string(md), "| sac | 200 | ")
	assert.Contains(t, string(md), "| dyna | 100 | ")
}

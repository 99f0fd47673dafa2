package compare

import (
	"os"
	"path/filepath"
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

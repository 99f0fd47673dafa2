package mbrl_test

import (
	"math"
	"os"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/assets"
	"sandbox/mbrl"
	"sandbox/mbrl/eval"
	"sandbox/tasks"
	_ "sandbox/tasks/all"
)

// zooLimit bounds the embedded zoo: it ships inside both binaries.
const zooLimit = 20 << 20

// TestZooIndex checks the shipped index against the files: every agent's
// task and algorithm exist, its recorded size is its directory's, and the
// whole zoo stays small.
func TestZooIndex(t *testing.T) {
	z, err := mbrl.OpenZoo(assets.Zoo())
	require.NoError(t, err)
	total := int64(0)
	for _, a := range z.Agents {
		_, err := tasks.Make(a.Task)
		require.NoError(t, err, a.Name)
		assert.Contains(t, mbrl.Algos, a.Algo, a.Name)
		n, err := z.Size(a)
		require.NoError(t, err, a.Name)
		assert.Equal(t, a.Bytes, n, "%s: recorded size", a.Name)
		assert.Positive(t, a.Episodes, a.Name)
		assert.NotEmpty(t, a.TrainArgs, a.Name)
		total += n
	}
	assert.Less(t, total, int64(zooLimit), "the zoo's bytes")
}

// TestZooAgentsSucceed runs every agent of the zoo on held-out goals of a
// seed its figure was not recorded on: a few goals in the suite, where
// the success count may fall one short of the recorded rate;
// SANDBOX_ZOO_EPISODES=20 is the acceptance check, within 0.1 of it.
func TestZooAgentsSucceed(t *testing.T) {
	z, err := mbrl.OpenZoo(assets.Zoo())
	require.NoError(t, err)
	episodes, full := 3, false
	if s := os.Getenv("SANDBOX_ZOO_EPISODES"); s != "" {
		episodes, err = strconv.Atoi(s)
		require.NoError(t, err, "SANDBOX_ZOO_EPISODES")
		full = true
	}
	if testing.Short() && !full {
		t.Skip("evaluates trained agents")
	}
	for _, a := range z.Agents {
		t.Run(a.Name, func(t *testing.T) {
			env, err := tasks.Make(a.Task)
			require.NoError(t, err)
			ctrl, err := z.Controller(a.Name, env)
			require.NoError(t, err)
			res, err := eval.Run(env, ctrl, episodes, a.EvalSeed+1, nil)
			require.NoError(t, err)
			t.Logf("%s: %d/%d on seed %d (recorded %.2f on %d goals of seed %d)", a.Name, res.Successes, episodes,
				a.EvalSeed+1, a.SuccessRate, a.Episodes, a.EvalSeed)
			if full {
				assert.InDelta(t, a.SuccessRate, res.SuccessRate, 0.1, "success rate on %d new goals", episodes)
				return
			}
			want := int(math.Round(a.SuccessRate*float64(episodes))) - 1
			assert.GreaterOrEqual(t, res.Successes, want, "successes on %d new goals", episodes)
		})
	}
}

// A zoo's agents are reached by name, zoo:best picks a task's best, and
// unknown names, foreign tasks and a missing zoo are errors.
func TestZooController(t *testing.T) {
	z, err := mbrl.OpenZoo(fstest.MapFS{"zoo.json": {Data: []byte(`{"agents": [
		{"name": "a", "task": "reacher", "algo": "pets", "success_rate": 0.5, "dir": "a"},
		{"name": "b", "task": "reacher", "algo": "pets", "success_rate": 0.9, "dir": "b"},
		{"name": "c", "task": "pendulum", "algo": "sac", "success_rate": 1, "dir": "c"}]}`)}})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "a"}, names(z.ForTask("reacher")))
	mbrl.UseZoo(z)
	defer mbrl.UseZoo(nil)
	assert.Equal(t, "zoo:b", mbrl.ResolveZooBest("zoo:best", "reacher"))
	assert.Equal(t, "oracle", mbrl.ResolveZooBest("oracle", "reacher"))
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	for spec, want := range map[string]string{
		"zoo:nobody": `no zoo agent "nobody"`,
		"zoo:c":      `trained on task "pendulum"`,
		"zoo:":       "names no agent",
		"zoo:b":      "no checkpoint", // the test zoo has no files
	} {
		_, err := mbrl.NewController(spec, env)
		require.Error(t, err, spec)
		assert.Contains(t, err.Error(), want, spec)
	}
	mbrl.UseZoo(nil)
	_, err = mbrl.NewController("zoo:b", env)
	assert.ErrorContains(t, err, "no zoo")

	for _, bad := range []string{`{"agents": [{"name": "a b", "dir": "x"}]}`, `{"agents": [{"name": "a", "dir": "../x"}]}`,
		`{"agents": [{"name": "a", "dir": "x"}, {"name": "a", "dir": "y"}]}`, `{"agents": [], "extra": 1}`} {
		_, err := mbrl.OpenZoo(fstest.MapFS{"zoo.json": {Data: []byte(bad)}})
		assert.Error(t, err, bad)
	}
}

func names(as []mbrl.ZooAgent) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

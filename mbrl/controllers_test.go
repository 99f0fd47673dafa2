package mbrl

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/tasks"
)

// TestConfigOracle checks that oracle:FILE plans over the true simulator
// with the planner of a training config, and that bad specs give errors.
func TestConfigOracle(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}

	// A PDDM config without a kind plans with MPPI, as its training does.
	good := write("pddm.json", `{"task": "reacher", "algo": "pddm", "planner": {"horizon": 3, "mppi": {"Samples": 16}}}`)
	ctrl, err := NewController("oracle:"+good, env)
	require.NoError(t, err)
	mpc, ok := ctrl.(*control.MPC)
	require.True(t, ok, "got %T", ctrl)
	assert.IsType(t, &control.MPPI{}, mpc.Planner)
	assert.Equal(t, 3, mpc.Horizon)

	// It plans on the true simulator: five steps bring the fingertip
	// closer than the zero controller does.
	obs := env.Reset(seed.Stream(1, "config-oracle"))
	ctrl.Reset(seed.Stream(1, "config-oracle-plan"))
	dist := func(o []float64) float64 { return math.Hypot(o[25], o[26]) } // tip − goal
	start := dist(obs)
	act := make([]float64, env.Spec().ActionDim)
	for range 5 {
		ctrl.Act(obs, act)
		st, err := env.Step(act)
		require.NoError(t, err)
		obs = st.Obs
	}
	// 2.11 m → 0.43 m; the zero controller ends at 1.16 m.
	assert.Less(t, dist(obs), start/2, "five planned steps did not halve the fingertip's distance")

	for _, tc := range []struct{ spec, want string }{
		{"oracle:", "names no file"},
		{"oracle:" + filepath.Join(dir, "missing.json"), "missing.json"},
		{"oracle:" + write("bad.json", `{"planner": `), "config"},
		{"oracle:" + write("unknown.json", `{"planner": {"horizon": 3}, "colour": 1}`), "colour"},
		{"oracle:" + write("kind.json", `{"algo": "pets", "planner": {"kind": "newton"}}`), "unknown planner"},
	} {
		_, err := NewController(tc.spec, env)
		require.Error(t, err, tc.spec)
		assert.Contains(t, err.Error(), tc.want, tc.spec)
	}
}

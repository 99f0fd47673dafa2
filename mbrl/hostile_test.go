package mbrl

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/replay"
)

// editIndex rewrites dir's checkpoint.json through edit, on its JSON as a
// generic map.
func editIndex(t *testing.T, dir string, edit func(m map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, checkpointFile)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	edit(m)
	b, err = json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
}

// copyRun copies the files of a run directory into a new one.
func copyRun(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644))
	}
	return dst
}

// TestCheckpointIndexChecked edits the index of a finished run as a user
// might, and checks each edit is refused as a corrupt checkpoint, while an
// index from before checksums (version 2) still loads if consistent.
func TestCheckpointIndexChecked(t *testing.T) {
	run := t.TempDir()
	cfg := tinyConfig()
	cfg.Steps, cfg.EvalEvery = 100, 100
	_, err := Train(cfg, RunOptions{Dir: run})
	require.NoError(t, err)

	old := func(m map[string]any) { m["version"] = 2.0; delete(m, "checksum") }
	state := func(f func(st map[string]any)) func(m map[string]any) {
		return func(m map[string]any) { old(m); f(m["state"].(map[string]any)) }
	}
	for _, tc := range []struct {
		name string
		edit func(m map[string]any)
		want string // in the error; "" loads
	}{
		{"version 2 without checksum", old, ""},
		{"edited counter", func(m map[string]any) { m["state"].(map[string]any)["env_steps"] = 99.0 }, "does not match its own checksum"},
		{"checksum removed", func(m map[string]any) { delete(m, "checksum") }, "no checksum"},
		{"null state", func(m map[string]any) { m["state"] = nil }, "no state (null or missing)"},
		{"negative env_steps", state(func(st map[string]any) { st["env_steps"] = -5.0 }), "state.env_steps -5 is negative"},
		{"huge env_steps", state(func(st map[string]any) { st["env_steps"] = 99999999.0 }), "state.env_steps 99999999 beyond the config's steps 100"},
		{"env_steps vs buffer", state(func(st map[string]any) {
			st["env_steps"] = 120.0
			st["next_eval"] = 200.0
			st["metrics"].([]any)[0].(map[string]any)["env_steps"] = 120.0
		}), "state.env_steps 120 disagrees with the buffer part: 100 transitions added"},
		{"episodes beyond steps", state(func(st map[string]any) { st["episodes"] = 1000.0 }), "state.episodes 1000 > env_steps 100"},
		{"metric beyond steps", state(func(st map[string]any) {
			st["metrics"] = append(st["metrics"].([]any), map[string]any{"env_steps": 500.0, "episodes": 2.0, "success_rate": 0.0, "mean_return": 0.0, "model_loss": nil, "fit_epochs": 0.0, "wall_s": 1.0})
		}), "state.metrics[1].env_steps 500: want increasing values ≤ env_steps 100"},
		{"two objects", nil, "data after the JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyRun(t, run)
			if tc.edit != nil {
				editIndex(t, dir, tc.edit)
			} else {
				path := filepath.Join(dir, checkpointFile)
				b, err := os.ReadFile(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(path, append(b, "{}"...), 0o644))
			}
			ck, err := LoadCheckpoint(dir)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, 100, ck.EnvSteps())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrCorruptCheckpoint)
			assert.Contains(t, err.Error(), tc.want)
			_, err = Train(cfg, RunOptions{Dir: dir, Resume: true})
			assert.ErrorIs(t, err, ErrCorruptCheckpoint)
		})
	}
}

// TestDivergedFitFails fits the ensemble on transitions holding a NaN, as
// a diverged fit leaves its weights, and checks the fit fails at once
// instead of training on and failing at the next checkpoint.
func TestDivergedFitFails(t *testing.T) {
	cfg := tinyConfig().WithDefaults()
	r, err := newRun(cfg)
	require.NoError(t, err)
	r.buf, err = replay.New(r.layout.ObsDim, r.layout.ActDim, 0)
	require.NoError(t, err)
	obs, act := make([]float64, r.layout.ObsDim), make([]float64, r.layout.ActDim)
	for i := range 64 {
		next := make([]float64, len(obs))
		next[0] = float64(i)
		if i == 10 {
			next[0] = math.NaN()
		}
		require.NoError(t, r.buf.Add(replay.Transition{Obs: obs, Act: act, Next: next}))
	}
	d, err := newDynamics(r)
	require.NoError(t, err)
	err = d.fit(r)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mbrl: model fit 0 diverged: training loss NaN")
	assert.Nil(t, r.st.LastFit, "a diverged fit is not recorded")
}

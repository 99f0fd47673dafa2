package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sandbox(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"eval", "--task", "no-such-task", "--controller", "zero"},
		{"eval", "--task", "reacher"},
		{"eval", "--task", "reacher", "--controller", "telepathy"},
		{"eval", "--task", "reacher", "--controller", "zero", "--episodes", "0"},
		{"eval", "--task", "reacher", "--controller", "zero", "--seed", "-1"},
		{"eval", "--bogus"},
		{"tasks", "extra"},
		{"bench", "--seconds", "NaN"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, stderr := sandbox(args...)
			assert.Equal(t, 2, code)
			if len(args) > 0 {
				assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
			}
		})
	}
	_, _, stderr := sandbox("eval", "--task", "no-such-task", "--controller", "zero")
	assert.Contains(t, stderr, "reacher", "names the known tasks")
}

func TestEvalJSONIsTheLastLineAndReproducible(t *testing.T) {
	args := []string{"eval", "--task", "reacher", "--controller", "scripted", "--episodes", "3", "--seed", "5", "--json"}
	code, out1, _ := sandbox(args...)
	require.Equal(t, 0, code)
	_, out2, _ := sandbox(args...)
	var a, b map[string]any
	require.NoError(t, json.Unmarshal([]byte(lastLine(out1)), &a))
	require.NoError(t, json.Unmarshal([]byte(lastLine(out2)), &b))
	for _, k := range []string{"task", "controller", "seed", "episodes", "successes", "success_rate", "mean_return", "env_steps", "wall_s"} {
		assert.Contains(t, a, k)
	}
	delete(a, "wall_s")
	delete(b, "wall_s")
	assert.Equal(t, a, b, "same seed, same summary")
	assert.Equal(t, "reacher", a["task"])
	assert.EqualValues(t, 150, a["env_steps"])
	// The scripted arm ends inside the 5 cm radius: the final distance
	// term is minus that distance.
	d := a["final_terms"].(map[string]any)["distance"].(float64)
	assert.True(t, d <= 0 && d > -0.05, "final distance term %v", d)
	// Each episode is listed, and their successes add up to the total.
	eps := a["per_episode"].([]any)
	require.Len(t, eps, 3)
	n, steps := 0.0, 0.0
	for _, e := range eps {
		e := e.(map[string]any)
		if e["success"].(bool) {
			n++
		}
		steps += e["steps"].(float64)
		assert.Equal(t, "time limit", e["end_reason"])
	}
	assert.Equal(t, a["successes"], n)
	assert.Equal(t, a["env_steps"], steps)
}

func TestTasksJSON(t *testing.T) {
	code, out, _ := sandbox("tasks", "--json")
	require.Equal(t, 0, code)
	var v struct {
		Tasks []struct {
			ID string `json:"id"`
		} `json:"tasks"`
	}
	require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &v))
	require.NotEmpty(t, v.Tasks)
	assert.Equal(t, "reacher", v.Tasks[len(v.Tasks)-1].ID)
}

func TestHelpExits0(t *testing.T) {
	code, out, _ := sandbox("eval", "-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "--controller")
	code, out, _ = sandbox("help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "eval")
}

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/robots"
)

// hostileDoc is the table TestHostileInputs writes (UPDATE_HOSTILE=1) or
// checks against.
const hostileDoc = "../../docs/hostile-inputs.md"

// hostileCase is one hostile input: a command line (run in-process), or a
// call of a loader for inputs no command reads directly.
type hostileCase struct {
	name string
	args []string          // sandbox ARGS; "$D" is the case's directory
	env  map[string]string // environment for the case
	call func(dir string) error
	// exit is the status wanted: 2 for bad input, 1 for a run failure.
	exit int
	// setup writes the case's files into its directory.
	setup func(t *testing.T, dir string)
}

// file returns a setup writing name with content.
func file(name, content string) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
}

// trainWith returns the command line training pets on the reacher with the
// config c.json.
func trainWith(algo string, extra ...string) []string {
	return append([]string{"train", "--task", "reacher", "--algo", algo, "--steps", "100", "--config", "$D/c.json"}, extra...)
}

// tinyRun is a config small enough to train 100 steps in a second or two.
const tinyRun = `{"random_episodes": 2, "retrain_every": 100, "eval_every": 100, "eval_episodes": 1,
 "model": {"Members": 2, "Hidden": [16]}, "fit": {"Epochs": 2, "BatchSize": 16},
 "planner": {"horizon": 2, "particles": 1, "cem": {"Population": 8, "Elites": 2, "Iterations": 1}}}`

// editedRun returns a setup that copies the trained run into DIR/run and
// edits its checkpoint.json with edit (on the JSON as a map), as version 2
// (no checksum) if old.
func editedRun(base *string, old bool, edit func(idx map[string]any)) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		run := filepath.Join(dir, "run")
		require.NoError(t, os.MkdirAll(run, 0o755))
		entries, err := os.ReadDir(*base)
		require.NoError(t, err)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(*base, e.Name()))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(run, e.Name()), b, 0o644))
		}
		path := filepath.Join(run, "checkpoint.json")
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		var idx map[string]any
		require.NoError(t, json.Unmarshal(b, &idx))
		if old {
			idx["version"] = 2
			delete(idx, "checksum")
		}
		edit(idx)
		b, err = json.MarshalIndent(idx, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, b, 0o644))
	}
}

func parseModel(name, content string) func(dir string) error {
	return func(string) error {
		_, err := robots.Parse(name, []byte(content))
		return err
	}
}

func model(bodies ...string) string {
	return `{"name": "m", "bodies": [` + strings.Join(bodies, ", ") + `]}`
}

func disc(name, extra string) string {
	return `{"name": "` + name + `", ` + extra + `"shapes": [{"circle": {"radius": 0.1}}]}`
}

func hostileCases(base *string) []hostileCase {
	state := func(key string, v any) func(idx map[string]any) {
		return func(idx map[string]any) { idx["state"].(map[string]any)[key] = v }
	}
	var overlapping, sites []string
	for i := range 64 {
		overlapping = append(overlapping, disc(fmt.Sprintf("b%d", i), ""))
	}
	for i := range 300 {
		sites = append(sites, fmt.Sprintf(`"s%d": [0, 0]`, i))
	}
	return []hostileCase{
		// Configs.
		{name: "CEM population 1e9", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"planner": {"cem": {"Population": 1000000000}}}`)},
		{name: "MPPI samples 1e9", args: trainWith("pddm"), exit: 2, setup: file("c.json", `{"planner": {"kind": "mppi", "mppi": {"Samples": 1000000000}}}`)},
		{name: "random-shooting samples 1e9", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"planner": {"kind": "random", "shooting": {"Samples": 1000000000}}}`)},
		{name: "CEM iterations 1e9", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"planner": {"cem": {"Iterations": 1000000000}}}`)},
		{name: "fit batch 1e9", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"fit": {"BatchSize": 1000000000}}`)},
		{name: "ensemble of 100 000 layers", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"model": {"Hidden": [`+strings.Repeat("8, ", 99_999)+`8]}}`)},
		{name: "1 M-entry hidden list (2 MB file)", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"model": {"Hidden": [`+strings.Repeat("8,", 999_999)+`8]}}`)},
		{name: "ensemble 5 × 4096⁴", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"model": {"Hidden": [4096, 4096, 4096, 4096]}}`)},
		{name: "ensemble of 100 000 members", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"model": {"Members": 100000}}`)},
		{name: "SAC hidden 65536 × 2", args: trainWith("sac"), exit: 2, setup: file("c.json", `{"policy": {"hidden": [65536, 65536]}}`)},
		{name: "SAC batch 1e6 × 4096²", args: trainWith("sac"), exit: 2, setup: file("c.json", `{"policy": {"hidden": [4096, 4096], "batch_size": 1000000}}`)},
		{name: "MBPO rollouts 1e5", args: trainWith("mbpo"), exit: 2, setup: file("c.json", `{"schedule": {"updates_per_step": 1, "real_ratio": 0.05, "rollouts": 100000, "rollout_length": [1000, 1000, 0, 0]}}`)},
		{name: "DADS prior samples 1e4 × batch 1e6", args: trainWith("dads"), exit: 2, setup: file("c.json", `{"dads": {"prior_samples": 10000, "dynamics_batch": 1000000}}`)},
		{name: "steps 1e8 keeping every transition", args: []string{"train", "--task", "reacher", "--algo", "pets", "--steps", "100000000", "--config", "$D/c.json"}, exit: 2, setup: file("c.json", `{}`)},
		{name: "buffer_capacity 1", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"buffer_capacity": 1}`)},
		{name: "fit learning rate −1", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"fit": {"LearningRate": -1}}`)},
		{name: "fit learning rate 1e30", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"fit": {"LearningRate": 1e30}}`)},
		{name: "SAC learning rate 1e30", args: trainWith("sac"), exit: 2, setup: file("c.json", `{"policy": {"lr": 1e30}}`)},
		{name: "fit weight decay 1e30", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"fit": {"WeightDecay": [1e30]}}`)},
		{name: "elites 5 of 3 members", args: trainWith("pets"), exit: 2, setup: file("c.json", `{"model": {"Members": 3, "Elites": 5}}`)},
		{name: "config null", args: trainWith("pets"), exit: 2, setup: file("c.json", `null`)},
		{name: "config `{} garbage`", args: trainWith("pets"), exit: 2, setup: file("c.json", `{} garbage`)},
		{name: "config `{}{}`", args: trainWith("pets"), exit: 2, setup: file("c.json", `{}{}`)},
		{name: "config truncated", args: trainWith("pets"), exit: 2, setup: file("c.json", "{\n  \"fit\": {\"Epochs\": 3,\n")},
		{name: "config unknown field", args: trainWith("pets"), exit: 2, setup: file("c.json", "{\n  \"fit\": {\"Epoch\": 3}}")},
		{name: "oracle:FILE of null", args: []string{"eval", "--task", "reacher", "--controller", "oracle:$D/c.json", "--episodes", "1"}, exit: 2, setup: file("c.json", `null`)},
		{name: "--planner with the zero controller", args: []string{"eval", "--task", "reacher", "--controller", "zero", "--planner", "$D/c.json", "--episodes", "1"}, exit: 2, setup: file("c.json", `{}`)},
		{name: "compare --config \"a,b.json\"", args: []string{"compare", "--task", "reacher", "--algos", "pets,sac", "--config", "a,b.json", "--out", "cmp"}, exit: 2, setup: file("a,b.json", `{}`)},
		{name: "--seed 0x10", args: []string{"eval", "--task", "reacher", "--controller", "zero", "--seed", "0x10"}, exit: 2},
		{name: "unknown task", args: []string{"eval", "--task", "no-such-task", "--controller", "zero"}, exit: 2},

		// Checkpoints (a 100-step pets run, edited).
		{name: "checkpoint env_steps edited to −5", args: []string{"train", "--task", "reacher", "--algo", "pets", "--steps", "200", "--config", "$D/c.json", "--out", "$D/run", "--resume"}, exit: 2,
			setup: both(file("c.json", tinyRun), editedRun(base, false, state("env_steps", -5)))},
		{name: "checkpoint env_steps 99 999 999 (version 2, no checksum)", args: []string{"eval", "--task", "reacher", "--controller", "ckpt:$D/run", "--episodes", "1"}, exit: 2,
			setup: editedRun(base, true, state("env_steps", 99_999_999))},
		{name: "--planner with horizon −1 for a checkpoint", args: []string{"eval", "--task", "reacher", "--controller", "ckpt:$D/run", "--planner", "$D/p.json", "--episodes", "1"}, exit: 2,
			setup: both(file("p.json", `{"planner": {"horizon": -1}}`), editedRun(base, false, func(map[string]any) {}))},
		{name: "checkpoint env_steps −5 (version 2)", args: []string{"eval", "--task", "reacher", "--controller", "ckpt:$D/run", "--episodes", "1"}, exit: 2,
			setup: editedRun(base, true, state("env_steps", -5))},
		{name: "checkpoint episodes > env_steps (version 2)", args: []string{"eval", "--task", "reacher", "--controller", "ckpt:$D/run", "--episodes", "1"}, exit: 2,
			setup: editedRun(base, true, state("episodes", 1000))},
		{name: "checkpoint state null", args: []string{"eval", "--task", "reacher", "--controller", "ckpt:$D/run", "--episodes", "1"}, exit: 2,
			setup: editedRun(base, false, func(idx map[string]any) { idx["state"] = nil })},

		// Display, files, numbers.
		{name: "view on DISPLAY=:4711 without a server", args: []string{"view", "--task", "reacher", "--controller", "zero"}, exit: 1, env: map[string]string{"DISPLAY": ":4711", "PATH": "$D"},
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "sandbox-view"), []byte("#!/bin/sh\nexit 0\n"), 0o755))
			}},
		{name: "view without DISPLAY", args: []string{"view", "--task", "reacher", "--controller", "zero"}, exit: 1, env: map[string]string{"DISPLAY": ""}},
		{name: "view --screenshot v.jpg", args: []string{"view", "--task", "reacher", "--controller", "zero", "--frames", "5", "--screenshot", "v.jpg"}, exit: 2},
		{name: "record --out v.png", args: []string{"record", "--task", "reacher", "--controller", "zero", "--out", "v.png"}, exit: 2},
		{name: "bench --seconds 1e-300", args: []string{"bench", "--seconds", "1e-300"}, exit: 2},

		// Robot model files (robots.Parse: no command reads one directly).
		{name: "model pos of three values", call: parseModel("m.json", model(disc("b", `"pos": [1, 2, 3], `)))},
		{name: "model pos 1e6 m", call: parseModel("m.json", model(disc("b", `"pos": [1e6, 0], `)))},
		{name: "model density 1e300", call: parseModel("m.json", model(`{"name": "b", "shapes": [{"circle": {"radius": 0.1}, "density": 1e300}]}`))},
		{name: "model damping 1e300", call: parseModel("m.json", model(disc("b", `"linear_damping": 1e300, `)))},
		{name: "model friction 1e300", call: parseModel("m.json", model(`{"name": "b", "shapes": [{"circle": {"radius": 0.1}, "friction": 1e300}]}`))},
		{name: "model max_speed 1e308", call: parseModel("m.json", `{"name": "m", "world": {"max_speed": 1e308}, "bodies": [`+disc("b", "")+`]}`)},
		{name: "model with 300 sites", call: parseModel("m.json", model(disc("b", `"sites": {`+strings.Join(sites, ", ")+`}, `)))},
		{name: "model of 64 overlapping bodies", call: parseModel("m.json", model(overlapping...))},
		{name: "model truncated", call: parseModel("m.json", model(disc("b", ""))[:40])},
		{name: "model `{}{}`", call: parseModel("m.json", model(disc("b", ""))+"{}")},
	}
}

func both(fs ...func(t *testing.T, dir string)) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		for _, f := range fs {
			f(t, dir)
		}
	}
}

// dirSum is a digest of every file name and content under dir.
func dirSum(t *testing.T, dir string) string {
	h := sha256.New()
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return err
	}))
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestHostileInputs runs every hostile input of docs/hostile-inputs.md
// and checks that each ends in one line, without a panic or a stack
// trace, with the status wanted, allocating little, and leaving its files
// as they were. UPDATE_HOSTILE=1 rewrites the table; without it the test
// fails if the table is stale.
func TestHostileInputs(t *testing.T) {
	base := filepath.Join(t.TempDir(), "base")
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(base), "tiny.json"), []byte(tinyRun), 0o644))
	code, out, errOut := sandbox("train", "--task", "reacher", "--algo", "pets", "--steps", "100", "--config", filepath.Join(filepath.Dir(base), "tiny.json"), "--out", base)
	require.Equal(t, 0, code, "training the base run: %s %s", out, errOut)

	var rows []string
	for _, tc := range hostileCases(&base) {
		t.Run(tc.name, func(t *testing.T) { rows = append(rows, runHostile(t, tc)) })
	}
	rows = append(rows, viewerBinaryRows(t)...)

	doc := hostileHeader + strings.Join(rows, "\n") + "\n"
	if os.Getenv("UPDATE_HOSTILE") != "" {
		require.NoError(t, os.WriteFile(hostileDoc, []byte(doc), 0o644))
		return
	}
	have, err := os.ReadFile(hostileDoc)
	require.NoError(t, err)
	assert.Equal(t, doc, string(have), "docs/hostile-inputs.md is stale: rerun with UPDATE_HOSTILE=1")
}

// runHostile runs one case, checks it and returns its row of the table.
func runHostile(t *testing.T, tc hostileCase) string {
	dir := t.TempDir()
	t.Chdir(dir) // relative names in messages
	if tc.setup != nil {
		tc.setup(t, dir)
	}
	for k, v := range tc.env {
		t.Setenv(k, strings.ReplaceAll(v, "$D", dir))
	}
	args := make([]string, len(tc.args))
	for i, a := range tc.args {
		args[i] = strings.ReplaceAll(a, "$D", dir)
	}
	before := dirSum(t, dir)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	alloc := ms.TotalAlloc
	var msg, command, exit string
	if tc.call != nil {
		err := tc.call(dir)
		require.Error(t, err, tc.name)
		msg, command, exit = err.Error(), "robots.Parse", "error"
	} else {
		var stdout, stderr bytes.Buffer
		status := run(args, &stdout, &stderr)
		// train names its config on a line of its own first.
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if !strings.HasPrefix(l, "train: ") {
				lines = append(lines, l)
			}
		}
		msg = strings.Join(lines, "\n")
		assert.Equal(t, tc.exit, status, "%s: sandbox %s: %s", tc.name, strings.Join(args, " "), msg)
		command, exit = "sandbox "+strings.Join(tc.args, " "), fmt.Sprint(status)
		assert.Empty(t, stdout.String(), tc.name)
	}
	runtime.ReadMemStats(&ms)
	mb := float64(ms.TotalAlloc-alloc) / 1e6
	assert.NotContains(t, msg, "\n", "%s: one line", tc.name)
	assert.NotContains(t, msg, "goroutine", tc.name)
	assert.NotContains(t, msg, "panic", tc.name)
	assert.Less(t, mb, 64.0, "%s: MB allocated before the refusal", tc.name)
	assert.Equal(t, before, dirSum(t, dir), "%s: its files changed", tc.name)
	return fmt.Sprintf("| %s | `%s` | %s | %s |", tc.name, strings.ReplaceAll(shorten(command), "|", `\|`), exit, cell(msg, dir))
}

// viewerBinaryRows runs the sandbox-view binary itself without a usable
// display: its probe runs before the window library's init (which would
// panic), so this needs the binary, built here.
func viewerBinaryRows(t *testing.T) []string {
	bin := filepath.Join(t.TempDir(), "sandbox-view")
	if out, err := exec.Command("go", "build", "-o", bin, "sandbox/cmd/sandbox-view").CombinedOutput(); err != nil {
		t.Fatalf("building sandbox-view: %v\n%s", err, out)
	}
	var rows []string
	for _, display := range []string{":4711", ""} {
		cmd := exec.Command(bin, "--task", "reacher", "--controller", "zero")
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		status := cmd.ProcessState.ExitCode()
		msg := strings.TrimSpace(stderr.String())
		assert.Error(t, err)
		assert.Equal(t, 1, status, msg)
		assert.NotContains(t, msg, "\n")
		assert.NotContains(t, msg, "panic")
		name := "sandbox-view run directly on DISPLAY=" + display + " without a server"
		if display == "" {
			name = "sandbox-view run directly without DISPLAY"
		}
		rows = append(rows, fmt.Sprintf("| %s | `DISPLAY=%s sandbox-view --task reacher --controller zero` | %d | %s |", name, display, status, cell(msg, "")))
	}
	return rows
}

// shorten cuts a long command line for the table.
func shorten(s string) string {
	s = strings.ReplaceAll(s, "$D/", "")
	if len(s) > 110 {
		return s[:107] + "..."
	}
	return s
}

// cell is msg for the table: the case's directory as DIR, pipes escaped.
func cell(msg, dir string) string {
	if dir != "" {
		msg = strings.ReplaceAll(msg, dir+"/", "")
		msg = strings.ReplaceAll(msg, dir, "DIR")
	}
	return strings.ReplaceAll(msg, "|", `\|`)
}

const hostileHeader = `# Hostile inputs

What the sandbox says to inputs meant to break it: huge sizes, bad rates,
broken JSON, edited checkpoints, unusable displays. Every case ends in one
line, without a panic or a stack trace, with exit status 2 for bad input
and 1 for a run failure; checks run before anything large is allocated
(the test asserts under 64 MB allocated per case; measured with
/usr/bin/time -v, the process peaks at 13 MB resident for a CEM
population, a fit batch or 100 000 members, and for a 100 MB config of
50 M hidden widths, refused by its size unread), and no case changes the
files it was given (a refused resume leaves its run directory as it was).

The table is produced by ` + "`TestHostileInputs`" + ` in cmd/sandbox, which runs each
case in-process (and the sandbox-view binary, built for it):
` + "`UPDATE_HOSTILE=1 go test -run TestHostileInputs ./cmd/sandbox`" + ` rewrites it,
and the test fails when it is stale. The limits behind the messages are
in mbrl/limits.go (memory: MaxModelMB, MaxBufferMB; time: MaxPlanFLOP),
package control (planner options, MaxBatchMB) and
[model-format.md](model-format.md#limits) (robot models).

A display that cannot be used is a run failure (1). ` + "`sandbox view`" + ` checks its
flags, then connects to the X server; ` + "`sandbox-view`" + ` run directly opens the
display before anything else (the window library would panic while the
program starts), so there even -h needs a display.

Checkpoint indexes carry their own checksum since version 3, so an edited
counter is refused as a mismatch; a version-2 index (from before, without
a checksum) still loads, and its state is checked for consistency with its
config and its buffer part, which is what the version-2 rows show.

| input | command | exit | message |
| --- | --- | --- | --- |
`

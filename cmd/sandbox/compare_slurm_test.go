package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tinyConfigs writes sac and dyna configs of 400 env steps, evaluated
// every 100, small enough for a sweep in a test (a few seconds a run), and
// returns them as a --config list.
func tinyConfigs(t *testing.T) string {
	dir := t.TempDir()
	common := `"steps": 400, "random_episodes": 2, "retrain_every": 100, "eval_every": 100, "eval_episodes": 2,
 "model": {"members": 3, "elites": 2, "hidden": [24, 24]}, "fit": {"BatchSize": 32},
 "policy": {"hidden": [32, 32], "batch_size": 32}`
	files := map[string]string{
		"sac.json":  `{"algo": "sac", ` + common + `}`,
		"dyna.json": `{"algo": "dyna", ` + common + `, "schedule": {"updates_per_step": 1, "real_ratio": 0.5, "rollouts": 2, "rollout_length": [1, 1, 0, 0]}}`,
	}
	var paths []string
	for _, name := range []string{"sac.json", "dyna.json"} {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(files[name]), 0o644))
		paths = append(paths, p)
	}
	return strings.Join(paths, ",")
}

// fakeSandbox has compare name a sandbox binary that exists, in place of
// the test binary.
func fakeSandbox(t *testing.T) string {
	exe := filepath.Join(t.TempDir(), "sandbox")
	require.NoError(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	old := executable
	executable = func() (string, error) { return exe, nil }
	t.Cleanup(func() { executable = old })
	return exe
}

// fakeSbatch puts an sbatch that runs body first on PATH, alone.
func fakeSbatch(t *testing.T, body string) string {
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\n"+body), 0o755))
	t.Setenv("PATH", bin)
	return bin
}

func TestCompareSlurmUsageErrors(t *testing.T) {
	base := []string{"compare", "--task", "reacher", "--algos", "sac", "--out", t.TempDir()}
	for _, extra := range [][]string{
		{"--partition", "gpu"}, // needs --launcher slurm
		{"--launcher", "pbs"},
		{"--launcher", "slurm", "--time", "1h"},
		{"--launcher", "slurm", "--time", "01:00:00\n#SBATCH --x"},
		{"--launcher", "slurm", "--partition", "a b"},
		{"--launcher", "slurm", "--mem", "lots"},
		{"--launcher", "slurm", "--cpus-per-task", "0"},
		{"--launcher", "slurm", "--sbatch-arg", "account=rl"},
		{"--status", "--collect"},
	} {
		t.Run(strings.Join(extra, " "), func(t *testing.T) {
			code, _, stderr := sandbox(append(base, extra...)...)
			assert.Equal(t, 2, code, stderr)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %q", stderr)
		})
	}
}

// Submitting writes a script that names the binary and every config by
// absolute path, passes the flags as #SBATCH lines and hands sbatch the
// array; its errors are passed on.
func TestCompareSlurmSubmit(t *testing.T) {
	exe := fakeSandbox(t)
	configs := tinyConfigs(t)
	record := filepath.Join(t.TempDir(), "args")
	fakeSbatch(t, `echo "$@" >`+record+"\necho 42\n")
	dir := filepath.Join(t.TempDir(), "sweep")
	args := []string{"compare", "--task", "reacher", "--algos", "sac,dyna", "--seeds", "2", "--seed", "3", "--config", configs,
		"--out", dir, "--launcher", "slurm", "--partition", "short", "--time", "00:30:00", "--cpus-per-task", "2", "--mem", "2G",
		"--sbatch-arg=--account=rl", "--sbatch-arg=--qos=low", "--jobs", "3", "--json"}
	code, out, stderr := sandbox(args...)
	require.Equal(t, 0, code, stderr)
	var sub struct {
		JobID     string   `json:"job_id"`
		Runs      []string `json:"runs"`
		Submitted []string `json:"submitted"`
	}
	require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &sub))
	assert.Equal(t, "42", sub.JobID)
	want := []string{"sac/seed-3", "sac/seed-4", "dyna/seed-3", "dyna/seed-4"}
	for i, w := range want {
		want[i] = filepath.Join(dir, w)
	}
	assert.Equal(t, want, sub.Runs)
	assert.Equal(t, want, sub.Submitted)
	got, err := os.ReadFile(record)
	require.NoError(t, err)
	assert.Equal(t, "--parsable --array=0,1,2,3%3 "+filepath.Join(dir, "sweep.sbatch")+"\n", string(got))

	script, err := os.ReadFile(filepath.Join(dir, "sweep.sbatch"))
	require.NoError(t, err)
	for _, line := range []string{
		"sandbox='" + exe + "'",
		"#SBATCH --array=0-3", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@120",
		"#SBATCH --chdir=" + dir, "#SBATCH --output=" + dir + "/logs/%a.out",
		"#SBATCH --partition=short", "#SBATCH --time=00:30:00", "#SBATCH --cpus-per-task=2", "#SBATCH --mem=2G",
		"#SBATCH --account=rl", "#SBATCH --qos=low",
		"# sac: " + dir + "/configs/sac.json, from " + strings.Split(configs, ",")[0],
		"3) algo=dyna seed=4 steps=400 ;;",
		"--config '" + dir + "/configs'/\"$algo\".json",
	} {
		assert.Contains(t, string(script), line)
	}
	for _, a := range []string{"sac", "dyna"} {
		assert.FileExists(t, filepath.Join(dir, "configs", a+".json"))
	}
	// The script is valid shell.
	require.NoError(t, exec.Command("/bin/bash", "-n", filepath.Join(dir, "sweep.sbatch")).Run())

	// A resubmission asks squeue which runs still run; without it, it
	// says so rather than submit them twice.
	code, _, stderr = sandbox(args...)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "cannot tell whether sac seed 3 (job 42_0) still runs: no squeue on PATH")
}

func TestCompareSlurmErrors(t *testing.T) {
	fakeSandbox(t)
	configs := tinyConfigs(t)
	args := func(dir string) []string {
		return []string{"compare", "--task", "reacher", "--algos", "sac", "--config", strings.Split(configs, ",")[0], "--out", dir, "--launcher", "slurm"}
	}
	t.Run("no sbatch", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, _, stderr := sandbox(args(t.TempDir())...)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "no sbatch on PATH")
	})
	t.Run("sbatch refuses", func(t *testing.T) {
		fakeSbatch(t, "echo 'sbatch: error: invalid partition specified: nosuch' >&2\nexit 1\n")
		code, _, stderr := sandbox(args(t.TempDir())...)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "sbatch refused")
		assert.Contains(t, stderr, "sbatch: error: invalid partition specified: nosuch")
	})
	t.Run("unwritable directory", func(t *testing.T) {
		fakeSbatch(t, "echo 42\n")
		file := filepath.Join(t.TempDir(), "file")
		require.NoError(t, os.WriteFile(file, nil, 0o644))
		code, _, stderr := sandbox(args(filepath.Join(file, "sweep"))...)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "cannot write the sweep to "+filepath.Join(file, "sweep"))
	})
	t.Run("go run binary", func(t *testing.T) {
		fakeSbatch(t, "echo 42\n")
		executable = func() (string, error) { return "/tmp/go-build123/b001/exe/sandbox", nil }
		code, _, stderr := sandbox(args(t.TempDir())...)
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "go run's temporary binary")
	})
}

func TestSlurmState(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"PENDING", statePending}, {"REQUEUED", statePending}, {"RUNNING", stateRunning}, {"COMPLETING", stateRunning},
		{"COMPLETED", stateFailed}, {"FAILED", stateFailed}, {"CANCELLED by 0", stateFailed}, {"TIMEOUT", stateFailed},
		{"OUT_OF_MEMORY", stateFailed}, {"NODE_FAIL", stateFailed}, {"PREEMPTED", stateFailed},
	} {
		assert.Equal(t, tc.want, slurmState(tc.in), "slurmState(%q)", tc.in)
	}
}

// The sweep tests run on a real Slurm: `eval "$(scripts/slurm-local.sh
// start DIR)"` starts one on this machine (make test under .ci/run does).
// The run directories are under the test's temporary directory, which a
// cluster of several nodes must share (TMPDIR).

// slurmOrSkip skips the test unless a Slurm answers sinfo.
func slurmOrSkip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no Slurm sweeps")
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		t.Skip("no Slurm: no sbatch on PATH (start one with: eval \"$(scripts/slurm-local.sh start DIR)\")")
	}
	if os.Getenv("SLURM_CONF") == "" {
		if _, err := os.Stat("/etc/slurm/slurm.conf"); err != nil {
			t.Skip("no Slurm: SLURM_CONF unset and no /etc/slurm/slurm.conf (start one with: eval \"$(scripts/slurm-local.sh start DIR)\")")
		}
	}
	out, err := exec.Command("sinfo", "--noheader", "--format=%T").CombinedOutput()
	require.NoError(t, err, "SLURM_CONF=%s names a cluster, but sinfo fails: %s", os.Getenv("SLURM_CONF"), out)
}

// buildSandbox builds the sandbox binary for the cluster's jobs.
func buildSandbox(t *testing.T) string {
	exe := filepath.Join(t.TempDir(), "sandbox")
	out, err := exec.Command("go", "build", "-o", exe, "sandbox/cmd/sandbox").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return exe
}

// runBinary runs the built sandbox and returns its stdout; a failure
// fails the test with its stderr.
func runBinary(t *testing.T, exe string, args ...string) string {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(exe, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "sandbox %s: %s", strings.Join(args, " "), stderr.String())
	return stdout.String()
}

type statusJSON struct {
	Runs []struct {
		Algo  string `json:"algo"`
		Seed  uint64 `json:"seed"`
		State string `json:"state"`
		Job   string `json:"job"`
		Slurm string `json:"slurm"`
	} `json:"runs"`
	Counts map[string]int `json:"counts"`
}

// waitSweep polls --status until every run is done; a failed run or a
// minute and a half fail the test.
func waitSweep(t *testing.T, exe string, args []string) statusJSON {
	deadline := time.Now().Add(90 * time.Second)
	for {
		var st statusJSON
		out := runBinary(t, exe, append(args, "--status", "--json")...)
		require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &st))
		require.Zero(t, st.Counts[stateFailed], "a run failed:\n%s", out)
		if st.Counts[stateDone] == len(st.Runs) {
			return st
		}
		require.True(t, time.Now().Before(deadline), "the sweep is not done after 90 s:\n%s", out)
		time.Sleep(300 * time.Millisecond)
	}
}

// metricsWithoutWall returns DIR/metrics.jsonl with the wall times taken out.
func metricsWithoutWall(t *testing.T, dir string) []map[string]any {
	data, err := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
	require.NoError(t, err)
	var ms []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		delete(m, "wall_s")
		ms = append(ms, m)
	}
	return ms
}

// summaryWithoutWall returns summary.md without the wall-time column.
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

// A sweep on Slurm gives what compare gives here: the same summary and
// the same metrics for every run; an element cancelled after its first
// evaluation and resubmitted resumes to the same metrics.
func TestCompareOnSlurm(t *testing.T) {
	slurmOrSkip(t)
	exe := buildSandbox(t)
	root := t.TempDir()
	configs := tinyConfigs(t)
	common := func(dir, algos, seeds string) []string {
		var cfgs []string
		for _, c := range strings.Split(configs, ",") {
			for _, a := range strings.Split(algos, ",") {
				if strings.HasSuffix(c, "/"+a+".json") {
					cfgs = append(cfgs, c)
				}
			}
		}
		return []string{"compare", "--task", "reacher", "--algos", algos, "--seeds", seeds, "--seed", "3",
			"--config", strings.Join(cfgs, ","), "--out", dir}
	}
	local := filepath.Join(root, "local")
	runBinary(t, exe, append(common(local, "sac,dyna", "2"), "--jobs", "2")...)

	t.Run("sweep equals local", func(t *testing.T) {
		swept := filepath.Join(root, "swept")
		args := append(common(swept, "sac,dyna", "2"), "--launcher", "slurm")
		var sub struct {
			JobID string   `json:"job_id"`
			Runs  []string `json:"runs"`
		}
		require.NoError(t, json.Unmarshal([]byte(lastLine(runBinary(t, exe, append(args, "--json")...))), &sub))
		require.NotEmpty(t, sub.JobID)
		require.Len(t, sub.Runs, 4)
		waitSweep(t, exe, args)
		runBinary(t, exe, append(args, "--collect")...)
		assert.Equal(t, summaryWithoutWall(t, local), summaryWithoutWall(t, swept))
		for _, run := range []string{"sac/seed-3", "sac/seed-4", "dyna/seed-3", "dyna/seed-4"} {
			assert.Equal(t, metricsWithoutWall(t, filepath.Join(local, run)), metricsWithoutWall(t, filepath.Join(swept, run)), run)
		}
	})

	t.Run("cancelled element resumes", func(t *testing.T) {
		dir := filepath.Join(root, "cancelled")
		args := append(common(dir, "dyna", "1"), "--launcher", "slurm")
		var sub struct {
			JobID string `json:"job_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(lastLine(runBinary(t, exe, append(args, "--json")...))), &sub))
		run := filepath.Join(dir, "dyna", "seed-3")
		// The checkpoint follows the first evaluation's metrics line.
		deadline := time.Now().Add(60 * time.Second)
		for _, err := os.Stat(filepath.Join(run, "checkpoint.json")); err != nil; _, err = os.Stat(filepath.Join(run, "checkpoint.json")) {
			require.True(t, time.Now().Before(deadline), "no checkpoint after 60 s")
			time.Sleep(20 * time.Millisecond)
		}
		out, err := exec.Command("scancel", sub.JobID+"_0").CombinedOutput()
		require.NoError(t, err, "scancel: %s", out)
		var st statusJSON
		for {
			out := runBinary(t, exe, append(args, "--status", "--json")...)
			require.NoError(t, json.Unmarshal([]byte(lastLine(out)), &st))
			if st.Runs[0].State != stateRunning && st.Runs[0].State != statePending {
				break
			}
			require.True(t, time.Now().Before(deadline), "still running after scancel:\n%s", out)
			time.Sleep(200 * time.Millisecond)
		}
		require.Equal(t, stateFailed, st.Runs[0].State, "cancelled after %d evaluations (the run finished before scancel?)", len(metricsWithoutWall(t, run)))
		assert.Contains(t, st.Runs[0].Slurm, "CANCELLED")
		evals := len(metricsWithoutWall(t, run))
		require.Less(t, evals, 4, "evaluations before the cancel")
		t.Logf("cancelled after %d of 4 evaluations", evals)
		// --collect refuses, naming the failed run.
		cmd := exec.Command(exe, append(args, "--collect")...)
		msg, err := cmd.CombinedOutput()
		require.Error(t, err)
		assert.Contains(t, string(msg), "dyna seed 3: failed (job "+sub.JobID+"_0)")

		runBinary(t, exe, args...) // resubmits the failed run
		waitSweep(t, exe, args)
		assert.Equal(t, metricsWithoutWall(t, filepath.Join(local, "dyna/seed-3")), metricsWithoutWall(t, run))
		log, err := os.ReadFile(filepath.Join(dir, "logs", "0.out"))
		require.NoError(t, err)
		assert.Contains(t, string(log), "(resuming)")
	})
}

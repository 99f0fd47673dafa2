package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"sandbox/internal/cli"
	"sandbox/internal/safefile"
	"sandbox/mbrl"
	"sandbox/mbrl/compare"
)

// slurmFlags are compare's options for --launcher slurm: each becomes an
// #SBATCH line of DIR/sweep.sbatch.
type slurmFlags struct {
	partition, time, mem string
	cpus                 int
	args                 []string
}

// Values that go into the script's #SBATCH lines: one token each, no
// newline that would add a line of shell.
var (
	partitionRE = regexp.MustCompile(`^[A-Za-z0-9_.,-]+$`)
	timeRE      = regexp.MustCompile(`^(\d+-)?\d+(:\d+){0,2}$|^(UNLIMITED|INFINITE)$`)
	memRE       = regexp.MustCompile(`^\d+[KMGT]?$`)
)

func (s *slurmFlags) flags(fs *cli.FlagSet) {
	fs.StringVar(&s.partition, "partition", "", "Slurm partition of the sweep's jobs (--launcher slurm; default: the cluster's)")
	fs.StringVar(&s.time, "time", "", "time limit of each run's job, [D-]HH:MM:SS (--launcher slurm; default: the partition's); a run near it is requeued and resumes")
	fs.IntVar(&s.cpus, "cpus-per-task", 1, "CPUs of each run's job (--launcher slurm)")
	fs.StringVar(&s.mem, "mem", "", "memory of each run's job, e.g. 4G (--launcher slurm; default: the partition's)")
	s.args = nil // each run starts from the defaults
	fs.Var(repeatedValue{&s.args}, "sbatch-arg", "an extra #SBATCH option for every run's job, e.g. --sbatch-arg=--account=rl (repeatable)")
}

// check refuses slurm options under another launcher, and values that
// are not one token of their kind.
func (s *slurmFlags) check(launcher string) error {
	given := s.partition != "" || s.time != "" || s.mem != "" || s.cpus != 1 || len(s.args) > 0
	switch {
	case launcher != "slurm" && given:
		return errors.New("--partition, --time, --cpus-per-task, --mem and --sbatch-arg need --launcher slurm")
	case s.partition != "" && !partitionRE.MatchString(s.partition):
		return fmt.Errorf("--partition %q: want a partition name (letters, digits, _ . , -)", s.partition)
	case s.time != "" && !timeRE.MatchString(s.time):
		return fmt.Errorf("--time %q: want [D-]HH:MM:SS, MM:SS or minutes", s.time)
	case s.mem != "" && !memRE.MatchString(s.mem):
		return fmt.Errorf("--mem %q: want a size such as 4096, 500M or 4G", s.mem)
	case s.cpus < 1 || s.cpus > 1024:
		return fmt.Errorf("--cpus-per-task %d outside [1, 1024]", s.cpus)
	}
	for _, a := range s.args {
		if !strings.HasPrefix(a, "-") || strings.ContainsAny(a, "\n\r\x00") {
			return fmt.Errorf("--sbatch-arg %q: want one sbatch option on one line, such as --account=rl", a)
		}
	}
	return nil
}

// repeatedValue is a flag that may be given several times.
type repeatedValue struct{ p *[]string }

func (v repeatedValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, " ")
}

func (v repeatedValue) Set(s string) error {
	*v.p = append(*v.p, s)
	return nil
}

// sweepFile records a directory's submissions, for --status and for a
// resubmission to leave alone the runs still queued.
const sweepFile = "sweep.json"

type sweepManifest struct {
	Script      string       `json:"script"`
	Submissions []submission `json:"submissions"`
}

// submission is one sbatch of the sweep: its job id and the array indices
// (elements, in compare.Elements' order) it ran.
type submission struct {
	JobID string    `json:"job_id"`
	Array []int     `json:"array"`
	At    time.Time `json:"submitted"`
}

func readManifest(dir string) (sweepManifest, error) {
	var m sweepManifest
	data, err := os.ReadFile(filepath.Join(dir, sweepFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		return m, fmt.Errorf("%s: %w", filepath.Join(dir, sweepFile), err)
	}
	return m, nil
}

// jobOf returns the array element that last ran element i ("12_3"), or "".
func (m sweepManifest) jobOf(i int) string {
	for _, s := range slices.Backward(m.Submissions) {
		if slices.Contains(s.Array, i) {
			return fmt.Sprintf("%s_%d", s.JobID, i)
		}
	}
	return ""
}

// executable is os.Executable, which tests replace: a test binary is not
// a sandbox.
var executable = os.Executable

// sandboxBinary returns the absolute path of the running sandbox binary,
// which the cluster's nodes run.
func sandboxBinary() (string, error) {
	exe, err := executable()
	if err == nil && strings.Contains(exe, string(filepath.Separator)+"go-build") {
		return "", fmt.Errorf("--launcher slurm: %s is go run's temporary binary, gone when this command ends; build one on the shared filesystem (go build -o bin/sandbox ./cmd/sandbox) and run that", exe)
	}
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		return "", fmt.Errorf("--launcher slurm: cannot find the sandbox binary: %w", err)
	}
	return exe, nil
}

// sweepScript writes the job array: element i trains elems[i] with
// sandbox train, resuming its checkpoint when it has one. configs maps each
// algorithm to its config file, sources to where the config came from.
func sweepScript(w io.Writer, exe, dir string, elems []compare.Element, configs, sources map[string]string, s slurmFlags) {
	task := elems[0].Config.Task
	fmt.Fprintf(w, "#!/bin/bash\n# sandbox compare on %s: %d runs, written by %s compare --launcher slurm.\n", task, len(elems), exe)
	fmt.Fprintf(w, "# Element i of the array trains one run with sandbox train; a requeued or\n")
	fmt.Fprintf(w, "# resubmitted element resumes its run from the last checkpoint, losing at\n# most one evaluation interval. Submit by hand with: sbatch [--array=LIST] %s\n", filepath.Join(dir, "sweep.sbatch"))
	fmt.Fprintf(w, "#SBATCH --job-name=sandbox-%s\n#SBATCH --array=0-%d\n", task, len(elems)-1)
	fmt.Fprintf(w, "#SBATCH --chdir=%s\n#SBATCH --output=%s\n#SBATCH --open-mode=append\n", dir, filepath.Join(dir, "logs", "%a.out"))
	// Preempted or near its time limit, an element goes back in the queue.
	fmt.Fprintf(w, "#SBATCH --requeue\n#SBATCH --signal=B:USR1@120\n#SBATCH --cpus-per-task=%d\n", s.cpus)
	for _, opt := range []struct{ name, v string }{{"partition", s.partition}, {"time", s.time}, {"mem", s.mem}} {
		if opt.v != "" {
			fmt.Fprintf(w, "#SBATCH --%s=%s\n", opt.name, opt.v)
		}
	}
	for _, a := range s.args {
		fmt.Fprintf(w, "#SBATCH %s\n", a)
	}
	fmt.Fprintf(w, "\nsandbox=%s\n", shellQuote(exe))
	var algos []string
	for _, e := range elems {
		if !slices.Contains(algos, e.Config.Algo) {
			algos = append(algos, e.Config.Algo)
		}
	}
	for _, a := range algos {
		fmt.Fprintf(w, "# %s: %s, from %s\n", a, configs[a], sources[a])
	}
	fmt.Fprintf(w, "case ${SLURM_ARRAY_TASK_ID:?not an array job: submit with sbatch --array=0-%d} in\n", len(elems)-1)
	for i, e := range elems {
		fmt.Fprintf(w, "%d) algo=%s seed=%d steps=%d ;;\n", i, e.Config.Algo, e.Config.Seed, e.Config.Steps)
	}
	fmt.Fprintf(w, "*) echo \"sweep: no element $SLURM_ARRAY_TASK_ID\" >&2; exit 1 ;;\nesac\n")
	// OpenBLAS would start a thread per core of the node, not of the job.
	fmt.Fprintf(w, "export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\n")
	fmt.Fprintf(w, "out=%s/$algo/seed-$seed\nresume=\n[ -e \"$out/checkpoint.json\" ] && resume=--resume\n", shellQuote(dir))
	fmt.Fprintf(w, "trap 'echo \"sweep: time limit near: requeueing\"; scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"' USR1\n")
	fmt.Fprintf(w, "echo \"sweep: $algo seed $seed, job ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname), $(date -Is) ${resume:+(resuming)}\"\n")
	fmt.Fprintf(w, "\"$sandbox\" train --task %s --algo \"$algo\" --seed \"$seed\" --steps \"$steps\" --config %s/\"$algo\".json --out \"$out\" $resume &\n",
		task, shellQuote(filepath.Join(dir, "configs")))
	fmt.Fprintf(w, "pid=$!\nwait $pid\nstatus=$?\n")
	fmt.Fprintf(w, "# A signal ends the wait, not the run.\nwhile [ $status -gt 128 ] && kill -0 $pid 2>/dev/null; do wait $pid; status=$?; done\n")
	fmt.Fprintf(w, "echo \"sweep: train exited with status $status, $(date -Is)\"\nexit $status\n")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// submit writes the configs and DIR/sweep.sbatch, and submits the runs
// that are neither done nor still queued from an earlier submission.
func (f *compareCommand) submit(inv *cli.Invocation, opt compare.Options, sources map[string]string) error {
	elems, err := compare.Elements(opt)
	if err != nil {
		return err
	}
	if strings.ContainsAny(opt.Dir, " \t\n\r'\"\\") {
		return cli.Usagef("--out %q: --launcher slurm needs a directory without spaces, quotes or backslashes (it goes into #SBATCH lines)", opt.Dir)
	}
	exe, err := sandboxBinary()
	if err != nil {
		return err
	}
	sbatch, err := exec.LookPath("sbatch")
	if err != nil {
		return errors.New("--launcher slurm: no sbatch on PATH: run this on a machine that submits to the cluster (a login node), or start a local one with scripts/slurm-local.sh (docs/cluster.md)")
	}
	for _, sub := range []string{"configs", "logs"} {
		if err := os.MkdirAll(filepath.Join(opt.Dir, sub), 0o755); err != nil {
			return fmt.Errorf("cannot write the sweep to %s: %w", opt.Dir, err)
		}
	}
	man, err := readManifest(opt.Dir)
	if err != nil {
		return err
	}
	states, err := f.states(elems, man)
	if err != nil {
		return err
	}
	var todo []int
	for i, st := range states {
		switch st.State {
		case stateDone:
		case statePending, stateRunning:
			fmt.Fprintf(inv.Stderr, "compare: %s seed %d still %s as job %s: not submitted again\n", st.Algo, st.Seed, st.State, st.Job)
		case stateUnknown:
			return fmt.Errorf("cannot tell whether %s seed %d (job %s) still runs: %s", st.Algo, st.Seed, st.Job, st.Slurm)
		default:
			if st.Error != "" {
				return errors.New(st.Error)
			}
			todo = append(todo, i)
		}
	}
	var runs []string
	for _, e := range elems {
		runs = append(runs, e.Dir)
	}
	script := filepath.Join(opt.Dir, "sweep.sbatch")
	out := struct {
		JobID     string   `json:"job_id"`
		Script    string   `json:"script"`
		Runs      []string `json:"runs"`
		Submitted []string `json:"submitted"`
	}{Script: script, Runs: runs, Submitted: []string{}}
	if len(todo) == 0 {
		fmt.Fprintf(inv.Stdout, "nothing to submit: every run is done or queued (see --status; --collect summarises finished sweeps)\n")
		if f.json {
			return cli.PrintJSON(inv.Stdout, out)
		}
		return nil
	}
	configs := map[string]string{}
	for _, c := range opt.Configs {
		path := filepath.Join(opt.Dir, "configs", c.Algo+".json")
		data, err := json.MarshalIndent(c.WithDefaults(), "", "  ")
		if err != nil {
			return err
		}
		if err := safefile.Write(path, append(data, '\n')); err != nil {
			return fmt.Errorf("cannot write the sweep to %s: %w", opt.Dir, err)
		}
		configs[c.Algo] = path
	}
	var b bytes.Buffer
	sweepScript(&b, exe, opt.Dir, elems, configs, sources, f.slurm)
	if err := safefile.Write(script, b.Bytes()); err != nil {
		return fmt.Errorf("cannot write the sweep to %s: %w", opt.Dir, err)
	}
	array := make([]string, len(todo))
	for i, k := range todo {
		array[i] = strconv.Itoa(k)
	}
	arg := "--array=" + strings.Join(array, ",")
	if f.jobsSet {
		arg += fmt.Sprintf("%%%d", f.jobs) // at most --jobs elements at once
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, sbatch, "--parsable", arg, script)
	cmd.Dir = opt.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("sbatch refused %s: %s", script, strings.ReplaceAll(msg, "\n", "; "))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(stdout.String()), ";")
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return fmt.Errorf("sbatch printed %q, not a job id", stdout.String())
	}
	man.Script = script
	man.Submissions = append(man.Submissions, submission{JobID: id, Array: todo, At: time.Now().UTC().Truncate(time.Second)})
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	if err := safefile.Write(filepath.Join(opt.Dir, sweepFile), append(data, '\n')); err != nil {
		return fmt.Errorf("job %s is submitted, but: %w", id, err)
	}
	out.JobID = id
	for _, k := range todo {
		out.Submitted = append(out.Submitted, elems[k].Dir)
	}
	fmt.Fprintf(inv.Stdout, "submitted job %s: %d of %d runs (%s, logs in %s)\nrerun this command with --status to follow them, with --collect to summarise them when done\n",
		id, len(todo), len(elems), script, filepath.Join(opt.Dir, "logs"))
	if f.json {
		return cli.PrintJSON(inv.Stdout, out)
	}
	return nil
}

// The states of a sweep's runs.
const (
	statePending     = "pending"     // queued
	stateRunning     = "running"     // training now
	stateDone        = "done"        // the final evaluation is written
	stateFailed      = "failed"      // the job ended (failed, cancelled, timed out) before the run finished
	stateUnsubmitted = "unsubmitted" // no job has run it; a local compare may have started it
	stateUnknown     = "unknown"     // not done, and Slurm cannot be asked
)

// runStatus is one run of a sweep as --status shows it.
type runStatus struct {
	Algo  string `json:"algo"`
	Seed  uint64 `json:"seed"`
	Dir   string `json:"dir"`
	State string `json:"state"`
	// Job is the array element that last ran it ("12_3"); Slurm its
	// state there (squeue's, else sacct's) with the reason, if any.
	Job   string `json:"job,omitempty"`
	Slurm string `json:"slurm,omitempty"`
	// Steps is the budget; Last the latest evaluation in metrics.jsonl.
	Steps int          `json:"steps"`
	Last  *mbrl.Metric `json:"last_evaluation"`
	// Log is the element's job output, LogTail its last line for a failed
	// run.
	Log     string `json:"log,omitempty"`
	LogTail string `json:"log_tail,omitempty"`
	// Error is why the run directory cannot be used (trained past the
	// budget, another config).
	Error string `json:"error,omitempty"`
}

// states reads every run's progress and, for those not done, asks Slurm
// about the job that last ran it.
func (f *compareCommand) states(elems []compare.Element, man sweepManifest) ([]runStatus, error) {
	sts := make([]runStatus, len(elems))
	done := make([]bool, len(elems))
	var jobs []string // not done, for sacct
	ask := false
	for i, e := range elems {
		st := runStatus{Algo: e.Config.Algo, Seed: e.Config.Seed, Dir: e.Dir, Steps: e.Config.Steps, Job: man.jobOf(i)}
		p, err := compare.ReadProgress(e)
		if err == nil {
			err = compare.SameConfig(e)
		}
		if err != nil {
			st.Error = err.Error()
		}
		st.Last = p.Last()
		done[i] = p.Done && err == nil
		switch {
		case st.Job != "":
			ask = true
			st.Log = filepath.Join(filepath.Dir(man.Script), "logs", fmt.Sprintf("%d.out", i))
			if !done[i] {
				jobs = append(jobs, st.Job)
			}
		case done[i]:
			st.State = stateDone
		default:
			st.State = stateUnsubmitted
		}
		sts[i] = st
	}
	if !ask {
		return sts, nil
	}
	q, qerr := slurmStates(jobs)
	for i := range sts {
		st := &sts[i]
		if st.State != "" {
			continue
		}
		js, ok := q[st.Job]
		switch {
		case done[i] && ok && slurmState(js.state) == stateRunning:
			// The final evaluation is written; its job still writes the
			// run's last files (plots, diagnostics).
			st.State, st.Slurm = stateRunning, js.state+" (finishing)"
		case done[i]:
			st.State = stateDone
		case ok:
			st.State, st.Slurm = slurmState(js.state), strings.TrimSpace(js.state+" "+js.reason)
		case qerr != nil:
			st.State, st.Slurm = stateUnknown, qerr.Error()
		default:
			st.State, st.Slurm = stateFailed, "no longer known to squeue or sacct"
		}
		if st.State == stateFailed {
			st.LogTail = logTail(st.Log)
		}
	}
	return sts, nil
}

// slurmState maps a Slurm job state (squeue's %T, sacct's State) to a
// run's state, for a run that is not done.
func slurmState(s string) string {
	s, _, _ = strings.Cut(s, " ") // sacct: "CANCELLED by 0"
	switch strings.TrimSuffix(s, "+") {
	case "PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "CONFIGURING", "RESIZING", "SUSPENDED":
		return statePending
	case "RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING":
		return stateRunning
	}
	// COMPLETED without a final evaluation is a failure too.
	return stateFailed
}

type jobState struct{ state, reason string }

// slurmStates asks squeue, then sacct for those squeue has forgotten,
// about the array elements jobs ("12_3"). The error is squeue's: sacct
// is optional (a cluster may keep no accounting).
func slurmStates(jobs []string) (map[string]jobState, error) {
	out, err := slurmCommand("squeue", "--me", "--noheader", "--array", "--states=all", "--format=%F|%K|%T|%r")
	if err != nil {
		return nil, err
	}
	states := map[string]jobState{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) == 4 {
			reason := f[3]
			if reason == "None" {
				reason = ""
			}
			states[f[0]+"_"+f[1]] = jobState{f[2], reason}
		}
	}
	var missing []string
	for _, j := range jobs {
		if _, ok := states[j]; !ok {
			missing = append(missing, j)
		}
	}
	if len(missing) > 0 {
		if out, err := slurmCommand("sacct", "--noheader", "--allocations", "--parsable2", "--format=JobID,State", "--jobs="+strings.Join(missing, ",")); err == nil {
			for _, line := range strings.Split(out, "\n") {
				if id, state, ok := strings.Cut(strings.TrimSpace(line), "|"); ok {
					states[id] = jobState{state, ""}
				}
			}
		}
	}
	return states, nil
}

// slurmCommand runs a Slurm client and returns its output, or an error
// with its message.
func slurmCommand(name string, args ...string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("no %s on PATH", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%s: %s", name, strings.ReplaceAll(msg, "\n", "; "))
	}
	return stdout.String(), nil
}

// logTail returns the last non-empty line of the file, or "".
func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// sweepStates returns the state of every run of the sweep in opt.Dir.
func (f *compareCommand) sweepStates(opt compare.Options) ([]runStatus, error) {
	elems, err := compare.Elements(opt)
	if err != nil {
		return nil, err
	}
	man, err := readManifest(opt.Dir)
	if err != nil {
		return nil, err
	}
	return f.states(elems, man)
}

// printStatus prints every run's state and last evaluation.
func (f *compareCommand) printStatus(inv *cli.Invocation, opt compare.Options) error {
	sts, err := f.sweepStates(opt)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	tw := tabwriter.NewWriter(inv.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "algo\tseed\tstate\tjob\tlast evaluation\tnote")
	for _, st := range sts {
		counts[st.State]++
		last := "none"
		if m := st.Last; m != nil {
			last = fmt.Sprintf("%d/%d env steps: success %.2f, return %.1f", m.EnvSteps, st.Steps, m.SuccessRate, m.MeanReturn)
		}
		note := st.Slurm
		if st.LogTail != "" {
			note = strings.TrimSpace(note + "; " + st.Log + ": " + st.LogTail)
		}
		if st.Error != "" {
			note = strings.TrimSpace(note + " " + strings.ReplaceAll(st.Error, "\n", " "))
		}
		job := st.Job
		if job == "" {
			job = "-"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", st.Algo, st.Seed, st.State, job, last, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var parts []string
	for _, s := range []string{stateDone, stateRunning, statePending, stateFailed, stateUnsubmitted, stateUnknown} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(inv.Stdout, "%d runs: %s\n", len(sts), strings.Join(parts, ", "))
	if counts[stateFailed] > 0 {
		fmt.Fprintln(inv.Stdout, "rerun the submitting command to resubmit the failed runs; each resumes from its last checkpoint")
	}
	if f.json {
		return cli.PrintJSON(inv.Stdout, struct {
			Runs   []runStatus    `json:"runs"`
			Counts map[string]int `json:"counts"`
		}{sts, counts})
	}
	return nil
}

// collect summarises a finished sweep; unfinished runs are listed with
// their states, and nothing is written.
func (f *compareCommand) collect(inv *cli.Invocation, opt compare.Options) error {
	sts, err := f.sweepStates(opt)
	if err != nil {
		return err
	}
	var bad []string
	for _, st := range sts {
		if st.State != stateDone {
			msg := fmt.Sprintf("%s seed %d: %s", st.Algo, st.Seed, st.State)
			if st.Job != "" {
				msg += " (job " + st.Job + ")"
			}
			if st.Error != "" {
				msg += ": " + strings.ReplaceAll(st.Error, "\n", " ")
			}
			bad = append(bad, msg)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("--collect: %d of %d runs are not done, so nothing was written: %s", len(bad), len(sts), strings.Join(bad, "; "))
	}
	res, err := compare.Collect(opt)
	if err != nil {
		return err
	}
	return f.printSummary(inv, res)
}

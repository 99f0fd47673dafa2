package mbrl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sandbox/control"
	"sandbox/internal/jsonfile"
	"sandbox/internal/safefile"
	"sandbox/mbrl/replay"
	"sandbox/tasks"
)

// checkpointFile is the checkpoint index in a run directory. It names the
// files of the run's parts (replay buffer, ensemble, policy, …) with their
// SHA-256, and is replaced atomically after they are written, so a run
// killed at any moment leaves either the previous checkpoint or the new one.
const checkpointFile = "checkpoint.json"

// checkpointVersion 3 added the index's own checksum. A version-2 index,
// written before, has none and still loads: its state is checked for
// consistency with its parts like any other's, which catches most edits.
const (
	checkpointVersion = 3
	oldestCheckpoint  = 2
)

// maxIndexBytes bounds checkpoint.json: it holds a config and one metric
// per evaluation, a few kB.
const maxIndexBytes = 64 << 20

// ErrNoCheckpoint is returned, wrapped, when a directory holds no checkpoint.
var ErrNoCheckpoint = errors.New("mbrl: no checkpoint")

// ErrCorruptCheckpoint is returned, wrapped, for a checkpoint that cannot
// be read back: a damaged index, a missing or altered part file.
var ErrCorruptCheckpoint = errors.New("mbrl: corrupt checkpoint")

type checkpointIndex struct {
	Version int              `json:"version"`
	Config  Config           `json:"config"`
	Parts   []checkpointPart `json:"parts"`
	State   *runState        `json:"state"`
	// Checksum is the SHA-256 of the index written with an empty
	// Checksum, so that a hand-edited counter is noticed like an altered
	// part file.
	Checksum string `json:"checksum,omitempty"`
}

// sum returns the checksum of idx: the digest of its JSON without one.
func (idx checkpointIndex) sum() (string, error) {
	idx.Checksum = ""
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return "", err
	}
	return digest(b), nil
}

// checkpointPart is one file of a checkpoint: the driver's "buffer" or a
// part of the algorithm (Algorithm.Parts).
type checkpointPart struct {
	Part   string `json:"part"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// Checkpoint is a saved training run: its config and state, and its
// algorithm restored from the parts it saved.
type Checkpoint struct {
	Config Config
	run    *Run
	parts  Parts
}

// EnvSteps returns the training env steps at the checkpoint.
func (c *Checkpoint) EnvSteps() int { return c.run.st.EnvSteps }

// Metrics returns the evaluations recorded up to the checkpoint.
func (c *Checkpoint) Metrics() []Metric { return c.run.st.Metrics }

// Part returns the saved bytes of the named part (nil if it has none).
func (c *Checkpoint) Part(name string) []byte { return c.parts[name] }

// Parts holds a checkpoint's part files by name, checksums verified.
type Parts map[string][]byte

// decode calls load with the named part's bytes, if the checkpoint has
// it; an error wraps ErrCorruptCheckpoint and names the part.
func (p Parts) decode(name string, load func([]byte) error) error {
	b, ok := p[name]
	if !ok {
		return nil
	}
	if err := load(b); err != nil {
		return fmt.Errorf("%w: part %q: %w", ErrCorruptCheckpoint, name, err)
	}
	return nil
}

// missing is the error for a part an algorithm needs and did not find.
func (p Parts) missing(name, algo string) error {
	return fmt.Errorf("%w: no %s part for %s", ErrCorruptCheckpoint, name, algo)
}

func reader(b []byte) io.Reader { return bytes.NewReader(b) }

// checkpoint saves the run's parts and state into its directory: the
// replay buffer of real transitions, then the algorithm's parts.
func (r *Run) checkpoint() error {
	var parts []Part
	if r.buf != nil {
		parts = append(parts, Part{"buffer", r.buf})
	}
	parts = append(parts, r.alg.Parts()...)
	dir, st := r.opt.Dir, r.st
	idx := checkpointIndex{Version: checkpointVersion, Config: r.cfg, State: &st}
	for _, p := range parts {
		var b bytes.Buffer
		if err := p.Saver.Save(&b); err != nil {
			return fmt.Errorf("mbrl: checkpoint %s: %w", p.Name, err)
		}
		part := checkpointPart{Part: p.Name, File: fmt.Sprintf("%s-%09d.bin", p.Name, st.EnvSteps), SHA256: digest(b.Bytes())}
		if err := safefile.Write(filepath.Join(dir, part.File), b.Bytes()); err != nil {
			return err
		}
		idx.Parts = append(idx.Parts, part)
	}
	sum, err := idx.sum()
	if err != nil {
		return fmt.Errorf("mbrl: checkpoint: %w", err)
	}
	idx.Checksum = sum
	old, _ := readIndex(dir)
	if err := writeJSON(filepath.Join(dir, checkpointFile), idx); err != nil {
		return err
	}
	if old != nil {
		for _, p := range old.Parts {
			if !slices.ContainsFunc(idx.Parts, func(q checkpointPart) bool { return q.File == p.File }) && safeName(p.File) {
				os.Remove(filepath.Join(dir, p.File))
			}
		}
	}
	return nil
}

// HasCheckpoint reports whether dir holds a checkpoint index.
func HasCheckpoint(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, checkpointFile))
	return err == nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// safeName reports whether a file name from an index stays in its directory.
func safeName(f string) bool {
	return f != "" && f == filepath.Base(f) && f != "." && f != ".." && !strings.ContainsAny(f, `/\`)
}

func readIndex(dir string) (*checkpointIndex, error) { return readIndexFS(nil, dir) }

// readFile reads a file of a checkpoint directory: from the disk when
// fsys is nil, else from fsys (a zoo's).
func readFile(fsys fs.FS, dir, file string) (path string, data []byte, err error) {
	if fsys == nil {
		path = filepath.Join(dir, file)
		data, err = os.ReadFile(path)
		return path, data, err
	}
	path = zooPath(dir, file)
	data, err = fs.ReadFile(fsys, path)
	return path, data, err
}

func readIndexFS(fsys fs.FS, dir string) (*checkpointIndex, error) {
	path, data, err := readFile(fsys, dir, checkpointFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s (no %s: was the run started with --out %s?)", ErrNoCheckpoint, dir, checkpointFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("mbrl: %w", err)
	}
	if len(data) > maxIndexBytes {
		return nil, fmt.Errorf("%w: %s holds %d bytes, more than an index's limit of %d", ErrCorruptCheckpoint, path, len(data), maxIndexBytes)
	}
	var idx checkpointIndex
	if err := jsonfile.Decode(data, &idx); err != nil {
		return nil, fmt.Errorf("%w: %s:%w", ErrCorruptCheckpoint, path, err)
	}
	if idx.Version < oldestCheckpoint || idx.Version > checkpointVersion {
		return nil, fmt.Errorf("%w: %s: version %d, want %d to %d (made by another version of sandbox?)", ErrCorruptCheckpoint, path, idx.Version, oldestCheckpoint, checkpointVersion)
	}
	if idx.State == nil {
		return nil, fmt.Errorf("%w: %s: no state (null or missing)", ErrCorruptCheckpoint, path)
	}
	if idx.Version >= 3 {
		sum, err := idx.sum()
		switch {
		case err != nil:
			return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, path, err)
		case idx.Checksum == "":
			return nil, fmt.Errorf("%w: %s: no checksum (version %d indexes carry one)", ErrCorruptCheckpoint, path, idx.Version)
		case idx.Checksum != sum:
			return nil, fmt.Errorf("%w: %s does not match its own checksum (edited by hand, or damaged)", ErrCorruptCheckpoint, path)
		}
	} else if idx.Checksum != "" {
		return nil, fmt.Errorf("%w: %s: a version-%d index has no checksum field", ErrCorruptCheckpoint, path, idx.Version)
	}
	for _, p := range idx.Parts {
		if !safeName(p.File) {
			return nil, fmt.Errorf("%w: %s: bad file name %q", ErrCorruptCheckpoint, path, p.File)
		}
	}
	return &idx, nil
}

// LoadCheckpoint reads the checkpoint of the run in dir. A directory
// without one gives an error wrapping ErrNoCheckpoint; a damaged one, an
// error wrapping ErrCorruptCheckpoint that names the bad file.
func LoadCheckpoint(dir string) (*Checkpoint, error) { return loadCheckpoint(dir, nil) }

func loadCheckpoint(dir string, want *Config) (*Checkpoint, error) {
	return loadCheckpointFS(nil, dir, loadOptions{want: want})
}

// loadOptions adjust loadCheckpointFS.
type loadOptions struct {
	// want, if not nil, is the config the run continues under, which
	// must match the saved one apart from the step budget.
	want *Config
	// evalOnly allows the replay buffer's file to be missing: a zoo's
	// checkpoint keeps only what the evaluation controller needs.
	evalOnly bool
	// plan, if not nil, is a config whose planner settings replace the
	// saved ones (AlgoSpec.Replan).
	plan *Config
}

// loadCheckpointFS reads the checkpoint in dir (of fsys, or of the disk
// when fsys is nil) and restores its run on a new env of its task.
func loadCheckpointFS(fsys fs.FS, dir string, opt loadOptions) (*Checkpoint, error) {
	idx, err := readIndexFS(fsys, dir)
	if err != nil {
		return nil, err
	}
	if err := idx.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, dir, err)
	}
	cfg, want, evalOnly := idx.Config, opt.want, opt.evalOnly
	if want != nil {
		if err := sameRun(idx.Config, *want); err != nil {
			return nil, err
		}
		cfg = *want
	}
	if opt.plan != nil {
		if cfg, err = replanned(cfg, *opt.plan); err != nil {
			return nil, err
		}
	}
	parts := Parts{}
	for _, p := range idx.Parts {
		path, b, err := readFile(fsys, dir, p.File)
		if evalOnly && p.Part == "buffer" && errors.Is(err, fs.ErrNotExist) {
			continue // an evaluation needs no replay buffer; a zoo ships none
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorruptCheckpoint, err)
		}
		if digest(b) != p.SHA256 {
			return nil, fmt.Errorf("%w: %s does not match its checksum in %s", ErrCorruptCheckpoint, path, checkpointFile)
		}
		parts[p.Part] = b
	}
	r, err := newRun(cfg)
	if err != nil {
		return nil, err
	}
	r.st = *idx.State
	if err := parts.decode("buffer", func(p []byte) (err error) {
		r.buf, err = replay.Load(reader(p))
		return err
	}); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if r.alg, err = r.spec.Load(r, parts); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if !r.spec.OwnExperience && r.buf == nil && !evalOnly {
		return nil, fmt.Errorf("%s: %w", dir, parts.missing("buffer", cfg.Algo))
	}
	if err := r.checkState(idx.Config); err != nil {
		return nil, fmt.Errorf("%w: %s: %s: %w", ErrCorruptCheckpoint, dir, checkpointFile, err)
	}
	return &Checkpoint{Config: idx.Config, run: r, parts: parts}, nil
}

// NewCheckpointController loads the checkpoint in dir and returns its
// algorithm's evaluation controller for env's task: MPC on the ensemble
// with the run's planner config (PETS, PDDM), the deterministic policy
// (SAC and the other policy algorithms), or the latent-space planner
// (DADS).
func NewCheckpointController(dir string, env *tasks.Env) (control.Controller, error) {
	return newCheckpointController(nil, dir, env, nil)
}

// NewCheckpointControllerPlanning is NewCheckpointController planning
// with the planner settings of the training config plan instead of the
// run's: its planner section for PETS and PDDM, dads.planner for DADS
// (with the checkpoint's algorithm's defaults for what plan leaves out).
// It is how a trained model is tried with other planners without
// retraining. A checkpoint of a policy learner has no planner to replace:
// an error.
func NewCheckpointControllerPlanning(dir string, env *tasks.Env, plan Config) (control.Controller, error) {
	return newCheckpointController(nil, dir, env, &plan)
}

// replanned returns the run config cfg with the planner settings of plan.
func replanned(cfg Config, plan Config) (Config, error) {
	spec, err := LookupAlgo(cfg.Algo)
	if err != nil {
		return cfg, err
	}
	if spec.Replan == nil {
		return cfg, fmt.Errorf("mbrl: a %s checkpoint has no planner to replace", cfg.Algo)
	}
	if plan.Algo != "" && plan.Algo != cfg.Algo {
		return cfg, fmt.Errorf("mbrl: planner settings of a %s config for a %s checkpoint", plan.Algo, cfg.Algo)
	}
	plan.Task, plan.Algo = cfg.Task, cfg.Algo
	spec.Replan(&cfg, plan.WithDefaults())
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("the checkpoint with the new planner: %w", err)
	}
	return cfg, nil
}

// newCheckpointController is NewCheckpointController for a checkpoint in
// fsys (the disk when nil), whose replay buffer file may be missing, with
// the planner settings of plan when not nil.
func newCheckpointController(fsys fs.FS, dir string, env *tasks.Env, plan *Config) (control.Controller, error) {
	idx, err := readIndexFS(fsys, dir)
	if err != nil {
		return nil, err
	}
	if id := env.Spec().ID; idx.Config.Task != id {
		return nil, fmt.Errorf("mbrl: checkpoint %s was trained on task %q, not %q", dir, idx.Config.Task, id)
	}
	ck, err := loadCheckpointFS(fsys, dir, loadOptions{evalOnly: true, plan: plan})
	if err != nil {
		return nil, err
	}
	return ck.run.alg.Controller(ck.run, true)
}

// checkState reports counters of a restored run that disagree with each
// other, with the config saved, or with the buffer they describe.
func (r *Run) checkState(saved Config) error {
	st, cfg := &r.st, saved.WithDefaults()
	episode := r.env.Spec().Steps
	over, past := episode, fmt.Sprintf("one %d-step episode", episode)
	if r.spec.Overshoot != nil {
		over = r.spec.Overshoot(cfg, episode)
		past = fmt.Sprintf("the %d steps %s may collect past it", over, cfg.Algo)
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"episodes", st.Episodes}, {"env_steps", st.EnvSteps}, {"fits", st.Fits}, {"last_fit_steps", st.LastFitSteps},
		{"next_eval", st.NextEval}, {"final_episodes", st.FinalEpisodes}, {"final_successes", st.FinalSuccesses},
		{"policy_updates", st.PolicyUpdates}} {
		if c.v < 0 {
			return fmt.Errorf("state.%s %d is negative", c.name, c.v)
		}
	}
	switch {
	case !(st.WallS >= 0) || math.IsInf(st.WallS, 0):
		return fmt.Errorf("state.wall_s %v, want a finite time ≥ 0", st.WallS)
	case st.EnvSteps > cfg.Steps+over:
		return fmt.Errorf("state.env_steps %d beyond the config's steps %d and %s", st.EnvSteps, cfg.Steps, past)
	case st.Episodes > st.EnvSteps:
		return fmt.Errorf("state.episodes %d > env_steps %d", st.Episodes, st.EnvSteps)
	case st.LastFitSteps > st.EnvSteps || st.Fits > st.EnvSteps:
		return fmt.Errorf("state.last_fit_steps %d, fits %d: more than env_steps %d", st.LastFitSteps, st.Fits, st.EnvSteps)
	case st.NextEval <= st.EnvSteps || st.NextEval > st.EnvSteps+cfg.EvalEvery:
		return fmt.Errorf("state.next_eval %d outside (env_steps, env_steps + eval_every] = (%d, %d]", st.NextEval, st.EnvSteps, st.EnvSteps+cfg.EvalEvery)
	case st.FinalSuccesses > st.FinalEpisodes || st.FinalEpisodes > cfg.EvalEpisodes:
		return fmt.Errorf("state.final_successes %d, final_episodes %d: want successes ≤ episodes ≤ eval_episodes %d", st.FinalSuccesses, st.FinalEpisodes, cfg.EvalEpisodes)
	case len(st.Metrics) == 0:
		return errors.New("state.metrics is empty: a checkpoint follows an evaluation")
	}
	for i, m := range st.Metrics {
		at := fmt.Sprintf("state.metrics[%d]", i)
		switch {
		case m.EnvSteps < 0 || m.EnvSteps > st.EnvSteps || i > 0 && m.EnvSteps <= st.Metrics[i-1].EnvSteps:
			return fmt.Errorf("%s.env_steps %d: want increasing values ≤ env_steps %d", at, m.EnvSteps, st.EnvSteps)
		case m.Episodes < 0 || m.Episodes > st.Episodes || i > 0 && m.Episodes < st.Metrics[i-1].Episodes:
			return fmt.Errorf("%s.episodes %d: want non-decreasing values ≤ episodes %d", at, m.Episodes, st.Episodes)
		case !(m.SuccessRate >= 0 && m.SuccessRate <= 1) || math.IsNaN(m.MeanReturn) || math.IsInf(m.MeanReturn, 0):
			return fmt.Errorf("%s: success_rate %v outside [0, 1] or mean_return %v not finite", at, m.SuccessRate, m.MeanReturn)
		}
	}
	if last := st.Metrics[len(st.Metrics)-1]; last.EnvSteps != st.EnvSteps || last.Episodes != st.Episodes {
		return fmt.Errorf("the last metric is at env_steps %d, episodes %d, the state at %d, %d: a checkpoint follows its evaluation",
			last.EnvSteps, last.Episodes, st.EnvSteps, st.Episodes)
	}
	if b := r.buf; b != nil {
		// The driver adds one transition per env step (see Run.episode).
		kept := st.EnvSteps
		if b.Capacity() > 0 {
			kept = min(kept, b.Capacity())
		}
		if b.Added() != st.EnvSteps || b.Len() != kept {
			return fmt.Errorf("state.env_steps %d disagrees with the buffer part: %d transitions added, %d kept (capacity %d)",
				st.EnvSteps, b.Added(), b.Len(), b.Capacity())
		}
	}
	return nil
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("mbrl: %s: %w", path, err)
	}
	return safefile.Write(path, append(b, '\n'))
}

// writeMetrics rewrites DIR/metrics.jsonl, one line per evaluation.
func writeMetrics(dir string, ms []Metric) error {
	var b bytes.Buffer
	for _, m := range ms {
		line, err := json.Marshal(m)
		if err != nil {
			return fmt.Errorf("mbrl: metrics: %w", err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return safefile.Write(filepath.Join(dir, "metrics.jsonl"), b.Bytes())
}

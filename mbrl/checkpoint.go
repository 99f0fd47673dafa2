package mbrl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"sandbox/control"
	"sandbox/mbrl/dads"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/replay"
	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// checkpointFile is the checkpoint index in a run directory. It names the
// files of the run's parts (ensemble, policy, replay buffer) with their
// SHA-256, and is replaced atomically after they are written, so a run
// killed at any moment leaves either the previous checkpoint or the new one.
const checkpointFile = "checkpoint.json"

const checkpointVersion = 2

// ErrNoCheckpoint is returned, wrapped, when a directory holds no checkpoint.
var ErrNoCheckpoint = errors.New("mbrl: no checkpoint")

// ErrCorruptCheckpoint is returned, wrapped, for a checkpoint that cannot
// be read back: a damaged index, a missing or altered part file.
var ErrCorruptCheckpoint = errors.New("mbrl: corrupt checkpoint")

type checkpointIndex struct {
	Version int              `json:"version"`
	Config  Config           `json:"config"`
	Parts   []checkpointPart `json:"parts"`
	State   runState         `json:"state"`
}

// checkpointPart is one file of a checkpoint: "model", "policy" or "buffer".
type checkpointPart struct {
	Part   string `json:"part"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

// Checkpoint is a saved training run: its config and the parts its
// algorithm has: an ensemble (PETS, PDDM and the model-based policy
// algorithms), a policy (the policy algorithms), a replay buffer, or a DADS
// learner (which holds its own policy and buffer).
type Checkpoint struct {
	Config Config
	Ens    *ensemble.Ensemble
	Policy *sac.Agent
	Buffer *replay.Buffer
	// Rollouts is the model-rollout buffer of MBPO-style runs (nil before
	// their first rollouts and for the other algorithms).
	Rollouts *replay.Buffer
	DADS     *dads.Learner
	state    runState
}

// EnvSteps returns the training env steps at the checkpoint.
func (c *Checkpoint) EnvSteps() int { return c.state.EnvSteps }

// Metrics returns the evaluations recorded up to the checkpoint.
func (c *Checkpoint) Metrics() []Metric { return c.state.Metrics }

// checkpoint saves the run's parts and state into its directory.
func (t *trainer) checkpoint() error {
	type saver interface{ Save(io.Writer) error }
	type named struct {
		name string
		s    saver
	}
	var parts []named
	if t.buf != nil {
		parts = append(parts, named{"buffer", t.buf})
	}
	if t.ens != nil {
		parts = append(parts, named{"model", t.ens})
	}
	if t.policy != nil {
		parts = append(parts, named{"policy", t.policy})
	}
	if t.dads != nil {
		parts = append(parts, named{"dads", t.dads})
	}
	if t.modelBuf != nil {
		parts = append(parts, named{"rollouts", t.modelBuf})
	}
	dir, st := t.opt.Dir, t.st
	idx := checkpointIndex{Version: checkpointVersion, Config: t.cfg, State: st}
	for _, p := range parts {
		var b bytes.Buffer
		if err := p.s.Save(&b); err != nil {
			return fmt.Errorf("mbrl: checkpoint %s: %w", p.name, err)
		}
		part := checkpointPart{Part: p.name, File: fmt.Sprintf("%s-%09d.bin", p.name, st.EnvSteps), SHA256: digest(b.Bytes())}
		if err := writeAtomic(filepath.Join(dir, part.File), b.Bytes()); err != nil {
			return err
		}
		idx.Parts = append(idx.Parts, part)
	}
	old, _ := readIndex(dir)
	if err := writeJSON(filepath.Join(dir, checkpointFile), idx, true); err != nil {
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

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// safeName reports whether a file name from an index stays in its directory.
func safeName(f string) bool {
	return f != "" && f == filepath.Base(f) && f != "." && f != ".." && !strings.ContainsAny(f, `/\`)
}

func readIndex(dir string) (*checkpointIndex, error) {
	path := filepath.Join(dir, checkpointFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s (no %s: was the run started with --out %s?)", ErrNoCheckpoint, dir, checkpointFile, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("mbrl: %w", err)
	}
	var idx checkpointIndex
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&idx); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, path, err)
	}
	if idx.Version != checkpointVersion {
		return nil, fmt.Errorf("%w: %s: version %d, want %d (made by another version of sandbox?)", ErrCorruptCheckpoint, path, idx.Version, checkpointVersion)
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
func LoadCheckpoint(dir string) (*Checkpoint, error) {
	idx, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	if err := idx.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, dir, err)
	}
	ck := &Checkpoint{Config: idx.Config, state: idx.State}
	for _, p := range idx.Parts {
		path := filepath.Join(dir, p.File)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorruptCheckpoint, err)
		}
		if digest(b) != p.SHA256 {
			return nil, fmt.Errorf("%w: %s does not match its checksum in %s", ErrCorruptCheckpoint, path, checkpointFile)
		}
		r := bytes.NewReader(b)
		switch p.Part {
		case "model":
			ck.Ens, err = ensemble.Load(r)
		case "policy":
			ck.Policy, err = sac.Load(r)
		case "buffer":
			ck.Buffer, err = replay.Load(r)
		case "rollouts":
			ck.Rollouts, err = replay.Load(r)
		case "dads":
			var env *tasks.Env
			if env, err = tasks.Make(ck.Config.Task); err == nil {
				ck.DADS, err = dads.LoadLearner(r, env)
			}
		default:
			err = fmt.Errorf("unknown part %q", p.Part)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, path, err)
		}
	}
	policy := PolicyAlgo(ck.Config.Algo)
	switch {
	case ck.Config.Algo == "dads":
		if ck.DADS == nil {
			return nil, fmt.Errorf("%w: %s: no DADS learner", ErrCorruptCheckpoint, dir)
		}
	case ck.Buffer == nil:
		return nil, fmt.Errorf("%w: %s: no replay buffer", ErrCorruptCheckpoint, dir)
	case policy && ck.Policy == nil:
		return nil, fmt.Errorf("%w: %s: no policy for %s", ErrCorruptCheckpoint, dir, ck.Config.Algo)
	case (!policy || ck.Config.WithDefaults().Schedule.usesModel()) && ck.Ens == nil:
		return nil, fmt.Errorf("%w: %s: no model for %s", ErrCorruptCheckpoint, dir, ck.Config.Algo)
	}
	return ck, nil
}

// NewCheckpointController loads the checkpoint in dir and returns its
// controller for env's task: MPC on the ensemble with the run's planner
// config (PETS, PDDM), or the deterministic policy (SAC and the other
// policy algorithms).
func NewCheckpointController(dir string, env *tasks.Env) (control.Controller, error) {
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	if id := env.Spec().ID; ck.Config.Task != id {
		return nil, fmt.Errorf("mbrl: checkpoint %s was trained on task %q, not %q", dir, ck.Config.Task, id)
	}
	if ck.Policy != nil {
		if ck.Policy.ObsDim() != env.Spec().ObsDim() || ck.Policy.ActDim() != env.Spec().ActionDim {
			return nil, fmt.Errorf("%w: %s: policy of %d→%d values for a task of %d→%d", ErrCorruptCheckpoint, dir,
				ck.Policy.ObsDim(), ck.Policy.ActDim(), env.Spec().ObsDim(), env.Spec().ActionDim)
		}
		return ck.Policy.Controller(true), nil
	}
	if ck.DADS != nil {
		return ck.DADS.Planner()
	}
	return NewAgent(ck.Ens, env.Task(), ck.Config)
}

// writeAtomic writes data to path through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("mbrl: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("mbrl: %w", err)
	}
	return nil
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// writeJSON writes v as indented JSON, atomically if atomic is set.
func writeJSON(path string, v any, atomic bool) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("mbrl: %s: %w", path, err)
	}
	b = append(b, '\n')
	if atomic {
		return writeAtomic(path, b)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("mbrl: %w", err)
	}
	return nil
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
	return writeAtomic(filepath.Join(dir, "metrics.jsonl"), b.Bytes())
}

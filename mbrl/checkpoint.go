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
	"sandbox/internal/safefile"
	"sandbox/mbrl/replay"
	"sandbox/tasks"
)

// checkpointFile is the checkpoint index in a run directory. It names the
// files of the run's parts (replay buffer, ensemble, policy, …) with their
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
	idx := checkpointIndex{Version: checkpointVersion, Config: r.cfg, State: st}
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
func LoadCheckpoint(dir string) (*Checkpoint, error) { return loadCheckpoint(dir, nil) }

// loadCheckpoint reads the checkpoint in dir and restores its run on a new
// env of its task. With want, the run continues under that config, which
// must match the saved one apart from the step budget.
func loadCheckpoint(dir string, want *Config) (*Checkpoint, error) {
	idx, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	if err := idx.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, dir, err)
	}
	cfg := idx.Config
	if want != nil {
		if err := sameRun(idx.Config, *want); err != nil {
			return nil, err
		}
		cfg = *want
	}
	parts := Parts{}
	for _, p := range idx.Parts {
		path := filepath.Join(dir, p.File)
		b, err := os.ReadFile(path)
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
	r.st = idx.State
	if err := parts.decode("buffer", func(p []byte) (err error) {
		r.buf, err = replay.Load(reader(p))
		return err
	}); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if r.alg, err = r.spec.Load(r, parts); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	if _, ok := r.alg.(Collector); !ok && r.buf == nil {
		return nil, fmt.Errorf("%s: %w", dir, parts.missing("buffer", cfg.Algo))
	}
	return &Checkpoint{Config: idx.Config, run: r, parts: parts}, nil
}

// NewCheckpointController loads the checkpoint in dir and returns its
// algorithm's evaluation controller for env's task: MPC on the ensemble
// with the run's planner config (PETS, PDDM), the deterministic policy
// (SAC and the other policy algorithms), or the latent-space planner
// (DADS).
func NewCheckpointController(dir string, env *tasks.Env) (control.Controller, error) {
	idx, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	if id := env.Spec().ID; idx.Config.Task != id {
		return nil, fmt.Errorf("mbrl: checkpoint %s was trained on task %q, not %q", dir, idx.Config.Task, id)
	}
	ck, err := loadCheckpoint(dir, nil)
	if err != nil {
		return nil, err
	}
	return ck.run.alg.Controller(ck.run, true)
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

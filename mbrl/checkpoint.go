package mbrl

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/replay"
	"sandbox/tasks"
)

// checkpointFile is the checkpoint index in a run directory. It names the
// model and buffer files it belongs to with their SHA-256, and is replaced
// atomically after they are written, so a run killed at any moment leaves
// either the previous checkpoint or the new one.
const checkpointFile = "checkpoint.json"

const checkpointVersion = 1

// ErrNoCheckpoint is returned, wrapped, when a directory holds no checkpoint.
var ErrNoCheckpoint = errors.New("mbrl: no checkpoint")

// ErrCorruptCheckpoint is returned, wrapped, for a checkpoint that cannot
// be read back: a damaged index, a missing or altered model or buffer file.
var ErrCorruptCheckpoint = errors.New("mbrl: corrupt checkpoint")

type checkpointIndex struct {
	Version      int      `json:"version"`
	Config       Config   `json:"config"`
	Model        string   `json:"model"`
	ModelSHA256  string   `json:"model_sha256"`
	Buffer       string   `json:"buffer"`
	BufferSHA256 string   `json:"buffer_sha256"`
	State        runState `json:"state"`
}

// Checkpoint is a saved training run: its config, ensemble and buffer.
type Checkpoint struct {
	Config Config
	Ens    *ensemble.Ensemble
	Buffer *replay.Buffer
	state  runState
}

// EnvSteps returns the training env steps at the checkpoint.
func (c *Checkpoint) EnvSteps() int { return c.state.EnvSteps }

// Metrics returns the evaluations recorded up to the checkpoint.
func (c *Checkpoint) Metrics() []Metric { return c.state.Metrics }

func saveCheckpoint(dir string, cfg Config, ens *ensemble.Ensemble, buf *replay.Buffer, st runState) error {
	var mb, bb bytes.Buffer
	if err := ens.Save(&mb); err != nil {
		return fmt.Errorf("mbrl: checkpoint: %w", err)
	}
	if err := buf.Save(&bb); err != nil {
		return fmt.Errorf("mbrl: checkpoint: %w", err)
	}
	idx := checkpointIndex{Version: checkpointVersion, Config: cfg, State: st,
		Model:  fmt.Sprintf("model-%09d.bin", st.EnvSteps),
		Buffer: fmt.Sprintf("buffer-%09d.bin", st.EnvSteps)}
	idx.ModelSHA256, idx.BufferSHA256 = digest(mb.Bytes()), digest(bb.Bytes())
	old, _ := readIndex(dir)
	if err := writeAtomic(filepath.Join(dir, idx.Model), mb.Bytes()); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, idx.Buffer), bb.Bytes()); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, checkpointFile), idx, true); err != nil {
		return err
	}
	if old != nil {
		for _, f := range []string{old.Model, old.Buffer} {
			if f != idx.Model && f != idx.Buffer && safeName(f) {
				os.Remove(filepath.Join(dir, f))
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
		return nil, fmt.Errorf("%w: %s: version %d, want %d", ErrCorruptCheckpoint, path, idx.Version, checkpointVersion)
	}
	if !safeName(idx.Model) || !safeName(idx.Buffer) {
		return nil, fmt.Errorf("%w: %s: bad file names %q, %q", ErrCorruptCheckpoint, path, idx.Model, idx.Buffer)
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
	read := func(name, sum string) ([]byte, error) {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorruptCheckpoint, err)
		}
		if digest(b) != sum {
			return nil, fmt.Errorf("%w: %s does not match its checksum in %s", ErrCorruptCheckpoint, path, checkpointFile)
		}
		return b, nil
	}
	mb, err := read(idx.Model, idx.ModelSHA256)
	if err != nil {
		return nil, err
	}
	bb, err := read(idx.Buffer, idx.BufferSHA256)
	if err != nil {
		return nil, err
	}
	ens, err := ensemble.Load(bytes.NewReader(mb))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, idx.Model, err)
	}
	buf, err := replay.Load(bytes.NewReader(bb))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCorruptCheckpoint, idx.Buffer, err)
	}
	return &Checkpoint{Config: idx.Config, Ens: ens, Buffer: buf, state: idx.State}, nil
}

// NewCheckpointAgent loads the checkpoint in dir and returns MPC planning on
// its ensemble with its saved planner config, for env's task.
func NewCheckpointAgent(dir string, env *tasks.Env) (*Agent, error) {
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	if id := env.Spec().ID; ck.Config.Task != id {
		return nil, fmt.Errorf("mbrl: checkpoint %s was trained on task %q, not %q", dir, ck.Config.Task, id)
	}
	return NewAgent(ck.Ens, env.Task(), ck.Config.Planner)
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

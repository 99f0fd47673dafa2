package compare

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sandbox/mbrl"
	"sandbox/mbrl/eval"
)

// Element is one run of a comparison: an algorithm's config on one seed,
// trained in its own directory (a train --out directory).
type Element struct {
	// Config is the run's config, with its seed and its defaults.
	Config mbrl.Config
	// Dir is DIR/ALGO/seed-S.
	Dir string
}

// Elements returns the runs of a comparison, algorithm by algorithm and
// within one by seed: element a·Seeds+k is config a on seed Seed+k. It
// checks the options: at least one config, all on one task, valid.
func Elements(opt Options) ([]Element, error) {
	if len(opt.Configs) == 0 || opt.Seeds < 1 || opt.Dir == "" {
		return nil, fmt.Errorf("compare: needs configs (%d), seeds (%d) and a directory", len(opt.Configs), opt.Seeds)
	}
	task := opt.Configs[0].Task
	var elems []Element
	for _, c := range opt.Configs {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if c.Task != task {
			return nil, fmt.Errorf("compare: runs one task, got %q and %q", task, c.Task)
		}
		for k := range opt.Seeds {
			c := c.WithDefaults()
			c.Seed = opt.Seed + uint64(k)
			elems = append(elems, Element{c, filepath.Join(opt.Dir, c.Algo, fmt.Sprintf("seed-%d", c.Seed))})
		}
	}
	return elems, nil
}

// Progress is how far an element's run has got, as its directory says.
type Progress struct {
	// Metrics are the evaluations of metrics.jsonl so far.
	Metrics []mbrl.Metric
	// Checkpointed reports a checkpoint, from which a rerun resumes.
	Checkpointed bool
	// Done reports the final evaluation: the one at the step budget.
	Done bool
}

// Last returns the latest evaluation, or nil before the first.
func (p Progress) Last() *mbrl.Metric {
	if len(p.Metrics) == 0 {
		return nil
	}
	return &p.Metrics[len(p.Metrics)-1]
}

// ErrPastBudget is returned, wrapped, for a run that has trained past the
// step budget of the config it is asked about.
var ErrPastBudget = errors.New("compare: run trained past the step budget")

// ReadProgress reads the progress of e's run from its directory; a
// directory that does not exist holds a run not started. A run that has
// trained past e's step budget (made by an earlier, longer comparison) is
// an error wrapping ErrPastBudget: it ends after the budget it would be
// summarised under.
func ReadProgress(e Element) (Progress, error) {
	var p Progress
	ms, err := readMetrics(filepath.Join(e.Dir, "metrics.jsonl"))
	if err != nil {
		return p, err
	}
	p.Metrics, p.Checkpointed = ms, mbrl.HasCheckpoint(e.Dir)
	budget := e.Config.WithDefaults().Steps
	// A run of this budget evaluates once at or past it, at its end; a
	// longer one may go past it without evaluating there, which its
	// config.json's budget tells.
	past := 0
	for _, m := range ms {
		if m.EnvSteps >= budget {
			past++
		}
	}
	last := p.Last()
	if past > 1 || last != nil && last.EnvSteps > budget && savedBudget(e.Dir) > budget {
		return p, fmt.Errorf("%w: %s has trained to %d env steps, past this comparison's %d (%s): compare with --steps %d or more, or use another directory",
			ErrPastBudget, e.Dir, last.EnvSteps, budget, e.Config.Algo, last.EnvSteps)
	}
	p.Done = past == 1 && last.EnvSteps >= budget
	return p, nil
}

// savedBudget returns the step budget in dir's config.json, or 0.
func savedBudget(dir string) int {
	cfg, err := readConfig(dir)
	if err != nil {
		return 0
	}
	return cfg.WithDefaults().Steps
}

func readConfig(dir string) (mbrl.Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		return mbrl.Config{}, fmt.Errorf("compare: %w", err)
	}
	cfg, err := mbrl.ParseConfig(data)
	if err != nil {
		return cfg, fmt.Errorf("compare: %s: %w", filepath.Join(dir, "config.json"), err)
	}
	return cfg, nil
}

// readMetrics reads a metrics.jsonl; a missing file has no evaluations.
func readMetrics(path string) ([]mbrl.Metric, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	var ms []mbrl.Metric
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var m mbrl.Metric
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			return nil, fmt.Errorf("compare: %s:%d: %w", path, n, err)
		}
		ms = append(ms, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("compare: %s: %w", path, err)
	}
	return ms, nil
}

// SameConfig checks that e's run directory, if it has started, was made
// with e's config, apart from the step budget, which a rerun may extend
// (as a resumed mbrl.Train checks).
func SameConfig(e Element) error {
	saved, err := readConfig(e.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	a, b := saved.WithDefaults(), e.Config.WithDefaults()
	a.Steps, b.Steps = 0, 0
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		return fmt.Errorf("compare: %s was trained with another config than this comparison's %s config:\n  its config.json %s\n  this comparison %s", e.Dir, e.Config.Algo, ja, jb)
	}
	return nil
}

// Collect writes DIR/curve.png and DIR/summary.md from the run directories
// of finished runs, trained elsewhere (by a cluster's jobs), exactly as Run
// would have; it trains nothing. Every run must be done and made with its
// config; the error for those that are not names each.
func Collect(opt Options) (Result, error) {
	elems, err := Elements(opt)
	if err != nil {
		return Result{}, err
	}
	results := make([]mbrl.Result, len(elems))
	var errs []error
	for i, e := range elems {
		p, err := ReadProgress(e)
		if err == nil {
			err = SameConfig(e)
		}
		switch {
		case err != nil:
			errs = append(errs, err)
			continue
		case !p.Done:
			at := "no evaluation yet"
			if last := p.Last(); last != nil {
				at = fmt.Sprintf("last evaluation at %d of %d env steps", last.EnvSteps, e.Config.Steps)
			}
			errs = append(errs, fmt.Errorf("compare: %s (%s seed %d) is not done: %s", e.Dir, e.Config.Algo, e.Config.Seed, at))
			continue
		}
		last := p.Last()
		results[i] = mbrl.Result{Config: e.Config, Metrics: p.Metrics, EnvSteps: last.EnvSteps, Episodes: last.Episodes, WallS: last.WallS,
			Final: eval.Result{SuccessRate: last.SuccessRate, MeanReturn: last.MeanReturn}}
	}
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	return write(opt, results)
}

// Package compare trains several algorithms on one task over several
// seeds and writes their learning curves side by side, with a summary
// table of final success and env steps to 50% and 90%.
package compare

import (
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"sync"

	"sandbox/internal/safefile"
	"sandbox/mbrl"
	"sandbox/mbrl/plot"
)

// Options sets a comparison of training algorithms on one task.
type Options struct {
	// Configs holds one config per algorithm, with Task and Steps set;
	// their Seed is replaced by Seed, Seed+1, … for the Seeds runs.
	Configs []mbrl.Config
	// Seeds is the number of runs per algorithm; Seed the first seed.
	Seeds int
	Seed  uint64
	// Dir receives DIR/ALGO/seed-S (each a Train run directory),
	// DIR/curve.png and DIR/summary.md. A rerun resumes unfinished runs
	// and reuses finished ones.
	Dir string
	// Jobs is the number of runs trained at once; 0 means 1.
	Jobs int
	// Log, if not nil, receives a line per finished run.
	Log io.Writer
}

// AlgoSummary is one algorithm's row of a comparison. Steps are those of
// the evaluation at which the success rate, averaged over seeds, first
// reached the threshold; nil if it never did.
type AlgoSummary struct {
	Algo             string   `json:"algo"`
	FinalSuccessRate float64  `json:"final_success_rate"`
	FinalSpread      float64  `json:"final_success_std"`
	FinalReturn      float64  `json:"final_mean_return"`
	StepsTo50        *int     `json:"steps_to_50"`
	StepsTo90        *int     `json:"steps_to_90"`
	WallS            float64  `json:"wall_s"`
	Seeds            []uint64 `json:"seeds"`
	curve            []curvePoint
}

type curvePoint struct {
	steps          int
	mean, min, max float64 // success rate over seeds
	ret            float64 // mean return, averaged over seeds
}

// Result is a comparison's outcome, in the order of the configs.
type Result struct {
	Task  string        `json:"task"`
	Algos []AlgoSummary `json:"algos"`
}

// Run trains every config on Seeds seeds (Jobs runs at a time), then
// writes the learning curves (success rate against env steps, mean and
// range over seeds) to DIR/curve.png and a table to DIR/summary.md.
func Run(opt Options) (Result, error) {
	if len(opt.Configs) == 0 || opt.Seeds < 1 || opt.Dir == "" {
		return Result{}, fmt.Errorf("compare: needs configs (%d), seeds (%d) and a directory", len(opt.Configs), opt.Seeds)
	}
	task := opt.Configs[0].Task
	for _, c := range opt.Configs {
		if err := c.Validate(); err != nil {
			return Result{}, err
		}
		if c.Task != task {
			return Result{}, fmt.Errorf("compare: runs one task, got %q and %q", task, c.Task)
		}
	}
	type job struct {
		cfg mbrl.Config
		dir string
	}
	var jobs []job
	for _, c := range opt.Configs {
		for k := range opt.Seeds {
			c := c
			c.Seed = opt.Seed + uint64(k)
			jobs = append(jobs, job{c, filepath.Join(opt.Dir, c.Algo, fmt.Sprintf("seed-%d", c.Seed))})
		}
	}
	results := make([]mbrl.Result, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	var logMu sync.Mutex
	for range max(1, min(opt.Jobs, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				j := jobs[i]
				results[i], errs[i] = trainOrResume(j.cfg, j.dir)
				if opt.Log != nil {
					logMu.Lock()
					if errs[i] != nil {
						fmt.Fprintf(opt.Log, "%s seed %d: %v\n", j.cfg.Algo, j.cfg.Seed, errs[i])
					} else {
						fmt.Fprintf(opt.Log, "%s seed %d: success %.2f after %d env steps, %.0f s\n",
							j.cfg.Algo, j.cfg.Seed, results[i].Final.SuccessRate, results[i].EnvSteps, results[i].WallS)
					}
					logMu.Unlock()
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	res := Result{Task: task}
	for a, c := range opt.Configs {
		res.Algos = append(res.Algos, summarize(c.Algo, results[a*opt.Seeds:(a+1)*opt.Seeds]))
	}
	if err := plotCompare(filepath.Join(opt.Dir, "curve.png"), res); err != nil {
		return res, err
	}
	return res, writeSummary(filepath.Join(opt.Dir, "summary.md"), opt, res)
}

// trainOrResume trains cfg in dir, resuming a checkpointed run (which
// returns at once if it had finished).
func trainOrResume(cfg mbrl.Config, dir string) (mbrl.Result, error) {
	return mbrl.Train(cfg, mbrl.RunOptions{Dir: dir, Resume: mbrl.HasCheckpoint(dir)})
}

// summarize aggregates the runs of one algorithm over seeds.
func summarize(algo string, runs []mbrl.Result) AlgoSummary {
	s := AlgoSummary{Algo: algo}
	finals := make([]float64, len(runs))
	for i, r := range runs {
		s.Seeds = append(s.Seeds, r.Config.Seed)
		finals[i] = r.Final.SuccessRate
		s.FinalReturn += r.Final.MeanReturn / float64(len(runs))
		s.WallS += r.WallS / float64(len(runs))
	}
	s.FinalSuccessRate, s.FinalSpread = meanStd(finals)
	// Runs of one config evaluate at the same env steps up to their last
	// evaluation; the curve covers the steps all seeds reached.
	n := len(runs[0].Metrics)
	for _, r := range runs {
		n = min(n, len(r.Metrics))
	}
	for i := range n {
		p := curvePoint{steps: runs[0].Metrics[i].EnvSteps, min: math.Inf(1), max: math.Inf(-1)}
		for _, r := range runs {
			v := r.Metrics[i].SuccessRate
			p.mean += v / float64(len(runs))
			p.ret += r.Metrics[i].MeanReturn / float64(len(runs))
			p.min, p.max = min(p.min, v), max(p.max, v)
		}
		s.curve = append(s.curve, p)
		if s.StepsTo50 == nil && p.mean >= 0.5 {
			s.StepsTo50 = &p.steps
		}
		if s.StepsTo90 == nil && p.mean >= 0.9 {
			s.StepsTo90 = &p.steps
		}
	}
	return s
}

func meanStd(xs []float64) (mean, std float64) {
	for _, x := range xs {
		mean += x / float64(len(xs))
	}
	for _, x := range xs {
		std += (x - mean) * (x - mean) / float64(len(xs))
	}
	return mean, math.Sqrt(std)
}

// plotCompare draws each algorithm's mean success curve with its range
// over seeds, and below it the mean return.
func plotCompare(path string, res Result) error {
	bands := make([]plot.Band, len(res.Algos))
	for i, a := range res.Algos {
		b := &bands[i]
		b.Label = a.Algo
		for _, c := range a.curve {
			b.Steps = append(b.Steps, float64(c.steps))
			b.Mean, b.Min, b.Max = append(b.Mean, c.mean), append(b.Min, c.min), append(b.Max, c.max)
			b.MeanReturn = append(b.MeanReturn, c.ret)
		}
	}
	return plot.Bands(path, fmt.Sprintf("%s: success rate on held-out goals", res.Task), bands)
}

// writeSummary writes the comparison table as Markdown.
func writeSummary(path string, opt Options, res Result) error {
	var b strings.Builder
	c := opt.Configs[0]
	fmt.Fprintf(&b, "# %s: %d env steps, %d seed(s) from %d\n\n", res.Task, c.WithDefaults().Steps, opt.Seeds, opt.Seed)
	fmt.Fprintf(&b, "Success rate on %d held-out goals per evaluation, every %d env steps; steps to 50%%/90%% are the first evaluation at which the mean over seeds reached it.\n\n",
		c.WithDefaults().EvalEpisodes, c.WithDefaults().EvalEvery)
	b.WriteString("| algo | final success (mean ± std) | final mean return | steps to 50% | steps to 90% | wall per run (s) |\n|---|---|---|---|---|---|\n")
	steps := func(p *int) string {
		if p == nil {
			return "never"
		}
		return fmt.Sprint(*p)
	}
	for _, a := range res.Algos {
		fmt.Fprintf(&b, "| %s | %.2f ± %.2f | %.1f | %s | %s | %.0f |\n", a.Algo, a.FinalSuccessRate, a.FinalSpread, a.FinalReturn,
			steps(a.StepsTo50), steps(a.StepsTo90), a.WallS)
	}
	return safefile.Write(path, []byte(b.String()))
}

package mbrl

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// CompareOptions sets a comparison of training algorithms on one task.
type CompareOptions struct {
	// Configs holds one config per algorithm, with Task and Steps set;
	// their Seed is replaced by Seed, Seed+1, … for the Seeds runs.
	Configs []Config
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

// CompareResult is a comparison's outcome, in the order of the configs.
type CompareResult struct {
	Task  string        `json:"task"`
	Algos []AlgoSummary `json:"algos"`
}

// Compare trains every config on Seeds seeds (Jobs runs at a time), then
// writes the learning curves (success rate against env steps, mean and
// range over seeds) to DIR/curve.png and a table to DIR/summary.md.
func Compare(opt CompareOptions) (CompareResult, error) {
	if len(opt.Configs) == 0 || opt.Seeds < 1 || opt.Dir == "" {
		return CompareResult{}, fmt.Errorf("mbrl: compare needs configs (%d), seeds (%d) and a directory", len(opt.Configs), opt.Seeds)
	}
	task := opt.Configs[0].Task
	for _, c := range opt.Configs {
		if err := c.Validate(); err != nil {
			return CompareResult{}, err
		}
		if c.Task != task {
			return CompareResult{}, fmt.Errorf("mbrl: compare runs one task, got %q and %q", task, c.Task)
		}
	}
	type job struct {
		cfg Config
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
	results := make([]Result, len(jobs))
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
		return CompareResult{}, err
	}
	res := CompareResult{Task: task}
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
func trainOrResume(cfg Config, dir string) (Result, error) {
	_, err := os.Stat(filepath.Join(dir, checkpointFile))
	return Train(cfg, RunOptions{Dir: dir, Resume: err == nil})
}

// summarize aggregates the runs of one algorithm over seeds.
func summarize(algo string, runs []Result) AlgoSummary {
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
// over seeds as error bars, and below it the mean return.
func plotCompare(path string, res CompareResult) error {
	p, q := plot.New(), plot.New()
	p.Title.Text = fmt.Sprintf("%s: success rate on held-out goals", res.Task)
	p.X.Label.Text, q.X.Label.Text = "env steps", "env steps"
	p.Y.Label.Text = "success rate (mean, range over seeds)"
	q.Y.Label.Text = "mean return (mean over seeds)"
	p.Y.Min, p.Y.Max, p.X.Min, q.X.Min = 0, 1, 0, 0
	p.Add(plotter.NewGrid())
	q.Add(plotter.NewGrid())
	for i, a := range res.Algos {
		xys := make(plotter.XYs, len(a.curve))
		rets := make(plotter.XYs, len(a.curve))
		errs := make(plotter.YErrors, len(a.curve))
		for j, c := range a.curve {
			xys[j] = plotter.XY{X: float64(c.steps), Y: c.mean}
			rets[j] = plotter.XY{X: float64(c.steps), Y: c.ret}
			errs[j] = struct{ Low, High float64 }{c.mean - c.min, c.max - c.mean}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("mbrl: plot: %w", err)
		}
		col := plotutil.Color(i)
		line.Color, points.Color, points.Shape = col, col, plotutil.Shape(i)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return fmt.Errorf("mbrl: plot: %w", err)
		}
		bars.Color = col
		p.Add(line, points, bars)
		p.Legend.Add(a.Algo, line, points)
		rl, err := plotter.NewLine(rets)
		if err != nil {
			return fmt.Errorf("mbrl: plot: %w", err)
		}
		rl.Color = col
		q.Add(rl)
	}
	p.Legend.Top, p.Legend.Left = true, true
	return savePlots(path, 16*vg.Centimeter, 18*vg.Centimeter, p, q)
}

// writeSummary writes the comparison table as Markdown.
func writeSummary(path string, opt CompareOptions, res CompareResult) error {
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
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("mbrl: %w", err)
	}
	return nil
}

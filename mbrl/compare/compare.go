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
	"slices"
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
	// DIR/curve.png and DIR/summary.md (both written atomically). A rerun
	// resumes unfinished runs and reuses finished ones.
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
	// FinalEnvSteps are the env steps of each seed's final evaluation:
	// the step budget, or the end of the episode that reached it.
	FinalEnvSteps []int `json:"final_env_steps"`
	curve         []curvePoint
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
// range over seeds) to DIR/curve.png and a table to DIR/summary.md. It
// refuses, before training anything, a directory whose runs have already
// trained past their configs' step budgets (a rerun with a smaller
// --steps): their summary would show evaluations beyond the budget it
// names.
func Run(opt Options) (Result, error) {
	elems, err := Elements(opt)
	if err != nil {
		return Result{}, err
	}
	for _, e := range elems {
		if _, err := ReadProgress(e); err != nil {
			return Result{}, err
		}
	}
	results := make([]mbrl.Result, len(elems))
	errs := make([]error, len(elems))
	next := make(chan int)
	var wg sync.WaitGroup
	var logMu sync.Mutex
	for range max(1, min(opt.Jobs, len(elems))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				e := elems[i]
				results[i], errs[i] = trainOrResume(e.Config, e.Dir)
				if opt.Log != nil {
					logMu.Lock()
					if errs[i] != nil {
						fmt.Fprintf(opt.Log, "%s seed %d: %v\n", e.Config.Algo, e.Config.Seed, errs[i])
					} else {
						fmt.Fprintf(opt.Log, "%s seed %d: success %.2f after %d env steps, %.0f s\n",
							e.Config.Algo, e.Config.Seed, results[i].Final.SuccessRate, results[i].EnvSteps, results[i].WallS)
					}
					logMu.Unlock()
				}
			}
		}()
	}
	for i := range elems {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return Result{}, err
	}
	return write(opt, results)
}

// write summarises the runs (Elements' order) and writes DIR/curve.png and
// DIR/summary.md.
func write(opt Options, results []mbrl.Result) (Result, error) {
	res := Result{Task: opt.Configs[0].Task}
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
		s.FinalEnvSteps = append(s.FinalEnvSteps, r.Metrics[len(r.Metrics)-1].EnvSteps)
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

// writeSummary writes the comparison table as Markdown. The header names
// the step budget and the evaluation schedule when every config shares
// them, else each algorithm's; every row gives the env steps of its final
// evaluations, so the header and the rows agree whatever the configs.
func writeSummary(path string, opt Options, res Result) error {
	var b strings.Builder
	budgets := map[int]bool{}
	schedules := map[string]bool{}
	var each []string
	for _, c := range opt.Configs {
		c = c.WithDefaults()
		budgets[c.Steps] = true
		sched := fmt.Sprintf("%d held-out goals per evaluation, every %d env steps", c.EvalEpisodes, c.EvalEvery)
		schedules[sched] = true
		each = append(each, fmt.Sprintf("%s: %d env steps, %s", c.Algo, c.Steps, sched))
	}
	if len(budgets) == 1 && len(schedules) == 1 {
		c := opt.Configs[0].WithDefaults()
		fmt.Fprintf(&b, "# %s: %d env steps, %d seed(s) from %d\n\n", res.Task, c.Steps, opt.Seeds, opt.Seed)
		fmt.Fprintf(&b, "Success rate on %d held-out goals per evaluation, every %d env steps", c.EvalEpisodes, c.EvalEvery)
	} else {
		fmt.Fprintf(&b, "# %s: %d seed(s) from %d\n\n", res.Task, opt.Seeds, opt.Seed)
		fmt.Fprintf(&b, "Success rate on held-out goals (%s)", strings.Join(each, "; "))
	}
	b.WriteString("; steps to 50%/90% are the first evaluation at which the mean over seeds reached it.\n\n")
	b.WriteString("| algo | env steps | final success (mean ± std) | final mean return | steps to 50% | steps to 90% | wall per run (s) |\n|---|---|---|---|---|---|---|\n")
	steps := func(p *int) string {
		if p == nil {
			return "never"
		}
		return fmt.Sprint(*p)
	}
	for _, a := range res.Algos {
		final := fmt.Sprint(slices.Min(a.FinalEnvSteps))
		if hi := slices.Max(a.FinalEnvSteps); hi != slices.Min(a.FinalEnvSteps) {
			final += fmt.Sprintf("–%d", hi)
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f ± %.2f | %.1f | %s | %s | %.0f |\n", a.Algo, final, a.FinalSuccessRate, a.FinalSpread, a.FinalReturn,
			steps(a.StepsTo50), steps(a.StepsTo90), a.WallS)
	}
	return safefile.Write(path, []byte(b.String()))
}

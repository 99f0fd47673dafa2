package mbrl

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"sandbox/internal/seed"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/eval"
	"sandbox/mbrl/modelenv"
	"sandbox/mbrl/plot"
)

// dynamics is the learned ensemble of the model-based algorithms: fitted
// on the run's real transitions, diagnosed at the end of the run.
type dynamics struct {
	ens *ensemble.Ensemble
}

// modelDefaults fills the zero fields of c's ensemble and fitting options,
// so that config.json shows every value a model-based run uses.
func modelDefaults(c *Config) {
	c.Model = c.Model.WithDefaults()
	c.Fit = c.Fit.WithDefaults(len(c.Model.Hidden) + 1)
}

// newDynamics returns a fresh ensemble for the run's model layout.
func newDynamics(r *Run) (dynamics, error) {
	l := r.layout
	ens, err := ensemble.New(l.StateDim()+l.InputActDim(), l.StateDim(), r.cfg.Model, seed.Stream(r.cfg.Seed, "model-init"))
	if err != nil {
		return dynamics{}, fmt.Errorf("mbrl: %w", err)
	}
	return dynamics{ens}, nil
}

// loadDynamics restores the checkpoint's "model" part.
func loadDynamics(parts Parts) (dynamics, error) {
	var d dynamics
	err := parts.decode("model", func(p []byte) (err error) {
		d.ens, err = ensemble.Load(reader(p))
		return err
	})
	return d, err
}

// env returns the ensemble as an environment for the run's task.
func (d dynamics) env(r *Run) modelenv.Env {
	return modelenv.Env{Ens: d.ens, Task: r.env.Task(), Layout: r.layout}
}

// fitDue reports whether the ensemble is due a fit: after the random
// episodes, first at once, then every RetrainEvery env steps.
func fitDue(r *Run) bool {
	st := &r.st
	return st.Episodes >= r.cfg.RandomEpisodes && (st.Fits == 0 || st.EnvSteps-st.LastFitSteps >= r.cfg.RetrainEvery)
}

// fit refits the ensemble on the buffer, or on its Schedule.ModelWindow
// most recent transitions, and records the fit in the run's state.
func (d dynamics) fit(r *Run) error {
	st := &r.st
	start := time.Now()
	first := 0
	if w := r.cfg.Schedule.ModelWindow; w > 0 && r.buf.Len() > w {
		first = r.buf.Len() - w
	}
	n := r.buf.Len() - first
	od, ad := r.layout.ObsDim, r.layout.ActDim
	obs, acts, next := make([]float64, n*od), make([]float64, n*ad), make([]float64, n*od)
	for i := range n {
		tr := r.buf.At(first + i)
		copy(obs[i*od:], tr.Obs)
		copy(acts[i*ad:], tr.Act)
		copy(next[i*od:], tr.Next)
	}
	stats, err := d.ens.Train(r.layout.Dataset(obs, acts, next), r.cfg.Fit, seed.Stream(r.cfg.Seed, "model-fit", uint64(st.Fits)))
	if err != nil {
		return fmt.Errorf("mbrl: model fit %d: %w", st.Fits, err)
	}
	st.Fits++
	st.LastFitSteps = st.EnvSteps
	info := &FitInfo{EnvSteps: st.EnvSteps, Epochs: stats.Epochs, EarlyStopped: stats.EarlyStopped, ValMSE: stats.ValMSE,
		ValNLL: stats.ValNLL, Elites: stats.Elites, Rows: n, FirstRow: r.buf.Added() - r.buf.Len() + first,
		Seconds: time.Since(start).Seconds()}
	if k := len(stats.TrainLoss); k > 0 {
		info.TrainLoss = stats.TrainLoss[k-1]
	}
	// A diverged fit leaves NaN weights that no later step repairs (and
	// that a checkpoint cannot hold): stop before the next checkpoint.
	if !finite(info.TrainLoss) || !slices.ContainsFunc(stats.ValMSE, finite) && len(stats.ValMSE) > 0 {
		return fmt.Errorf("mbrl: model fit %d diverged: training loss %v, held-out MSE %v (fit learning_rate %g; try a lower one, default 1e-3)",
			st.Fits-1, info.TrainLoss, stats.ValMSE, r.cfg.Fit.LearningRate)
	}
	st.LastFit = info
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// afterFit hands the last fit to RunOptions.AfterFit.
func afterFit(r *Run) {
	if r.opt.AfterFit != nil {
		r.opt.AfterFit(*r.st.LastFit)
	}
}

// finish writes DIR/model.json and DIR/model.png for the final model, on
// the episodes of the last evaluation (re-run if this call has not
// evaluated); nothing without a model.
func (d dynamics) finish(r *Run, alg Algorithm) error {
	if d.ens == nil {
		return nil
	}
	if r.diag == nil {
		ctrl, err := alg.Controller(r, true)
		if err != nil {
			return err
		}
		r.diag = &modelenv.Recorder{Inner: ctrl}
		if _, err := eval.Run(r.env, r.diag, r.cfg.EvalEpisodes, r.evalSeed(), nil); err != nil {
			return err
		}
	}
	parts := map[string][]int{}
	for _, s := range r.env.Spec().Obs {
		if s.Goal || s.Action {
			continue
		}
		for i := s.Start; i < s.Start+s.Len; i++ {
			parts[s.Name] = append(parts[s.Name], i)
		}
	}
	diag := modelenv.Diagnose(d.ens, r.layout, parts, r.diag.Episodes, 2*r.cfg.Planner.Horizon)
	if f := r.st.LastFit; f != nil {
		diag.MemberValMSE, diag.MemberValNLL, diag.Elites = f.ValMSE, f.ValNLL, f.Elites
	}
	if err := writeJSON(filepath.Join(r.opt.Dir, "model.json"), modelenv.Sanitize(diag)); err != nil {
		return err
	}
	return plot.Model(filepath.Join(r.opt.Dir, "model.png"), diag)
}

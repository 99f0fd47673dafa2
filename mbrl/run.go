package mbrl

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/mbrl/eval"
	"sandbox/mbrl/modelenv"
	"sandbox/mbrl/plot"
	"sandbox/mbrl/replay"
	"sandbox/tasks"
)

// Metric is one evaluation of a training run: a line of metrics.jsonl.
type Metric struct {
	EnvSteps    int     `json:"env_steps"`
	Episodes    int     `json:"episodes"`
	SuccessRate float64 `json:"success_rate"`
	MeanReturn  float64 `json:"mean_return"`
	// ModelLoss is the last fit's held-out mean squared error of the
	// normalized Δobs, averaged over members (1 = predicting the mean
	// change); nil before the first fit.
	ModelLoss *float64 `json:"model_loss"`
	// ModelNLL is the same fit's held-out Gaussian NLL per dimension, nats.
	ModelNLL *float64 `json:"model_nll,omitempty"`
	// FitEpochs is the number of epochs the last fit ran.
	FitEpochs int `json:"fit_epochs"`
	// PolicyUpdates is the number of SAC updates so far (policy algorithms).
	PolicyUpdates int `json:"policy_updates,omitempty"`
	// Alpha and QLoss are the SAC temperature and critic loss of the last
	// update (policy algorithms).
	Alpha *float64 `json:"alpha,omitempty"`
	QLoss *float64 `json:"q_loss,omitempty"`
	// IntrinsicReward and SkillLogLik are DADS's mean intrinsic reward and
	// skill-dynamics log-likelihood in the last iteration; SkillSpread the
	// RMS spread of the final skill states of a grid of skills (skills.png).
	IntrinsicReward *float64 `json:"intrinsic_reward,omitempty"`
	SkillLogLik     *float64 `json:"skill_log_lik,omitempty"`
	SkillSpread     *float64 `json:"skill_spread,omitempty"`
	WallS           float64  `json:"wall_s"`
}

// RunOptions controls where and how Train runs.
type RunOptions struct {
	// Dir receives config.json, metrics.jsonl, curve.png, model.png,
	// model.json and the checkpoint; empty writes nothing.
	Dir string
	// Resume continues the run checkpointed in Dir.
	Resume bool
	// Progress, if not nil, is called after every env step with the
	// training env steps done.
	Progress func(envSteps int)
	// Log, if not nil, receives a line per evaluation.
	Log io.Writer
	// AfterFit, if not nil, receives every model fit's FitInfo, including
	// the policy updates that followed it.
	AfterFit func(FitInfo)
	// StopAfterEvals, if positive, stops the run with ErrStopped after that
	// many evaluations in this call, as if it had been killed right after
	// checkpointing (for resume tests).
	StopAfterEvals int
}

// ErrStopped is returned by Train when RunOptions.StopAfterEvals stopped it.
var ErrStopped = errors.New("mbrl: run stopped after the requested evaluations")

// Result summarises a finished run: the final evaluation and totals.
type Result struct {
	Config   Config
	Final    eval.Result
	Metrics  []Metric
	EnvSteps int
	Episodes int
	WallS    float64
}

// runState is everything besides the model and the buffer that a resumed
// run needs. Every random stream is derived from the seed and these
// counters, so no generator state is saved.
type runState struct {
	Episodes       int      `json:"episodes"`
	EnvSteps       int      `json:"env_steps"`
	Fits           int      `json:"fits"`
	LastFitSteps   int      `json:"last_fit_steps"`
	NextEval       int      `json:"next_eval"`
	WallS          float64  `json:"wall_s"`
	Metrics        []Metric `json:"metrics"`
	LastFit        *FitInfo `json:"last_fit,omitempty"`
	FinalEpisodes  int      `json:"final_episodes"`
	FinalSuccesses int      `json:"final_successes"`
	PolicyUpdates  int      `json:"policy_updates,omitempty"`
	Intrinsic      *float64 `json:"intrinsic,omitempty"`
	SkillLogLik    *float64 `json:"skill_log_lik,omitempty"`
}

// FitInfo reports a model fit and, for the policy algorithms, the policy
// updates that followed it.
type FitInfo struct {
	// EnvSteps is the env step count at the fit.
	EnvSteps int `json:"env_steps"`
	Epochs   int `json:"epochs"`
	// EarlyStopped reports that the fit converged (held-out error stopped
	// improving) before its epoch limit.
	EarlyStopped bool      `json:"early_stopped"`
	TrainLoss    float64   `json:"train_loss"`
	ValMSE       []float64 `json:"val_mse"`
	ValNLL       []float64 `json:"val_nll"`
	Elites       []int     `json:"elites"`
	// Rows is the number of real transitions fitted on; FirstRow the
	// index (in transitions ever added) of the oldest of them.
	Rows     int     `json:"rows"`
	FirstRow int     `json:"first_row"`
	Seconds  float64 `json:"seconds"`
	// PolicyUpdates is the number of SAC updates right after the fit
	// (Schedule.UpdatesPerFit), PolicyConverged whether they stopped at
	// convergence, and ModelReturns the policy's model return at each
	// convergence check.
	PolicyUpdates   int       `json:"policy_updates,omitempty"`
	PolicyConverged bool      `json:"policy_converged,omitempty"`
	ModelReturns    []float64 `json:"model_returns,omitempty"`
}

// Run is one training run as its Algorithm sees it: the config, the
// environment, the model layout of its observations, the replay buffer of
// real transitions and the counters that a checkpoint keeps.
type Run struct {
	cfg    Config
	opt    RunOptions
	spec   *AlgoSpec
	alg    Algorithm
	env    *tasks.Env
	layout modelenv.Layout
	// buf holds the real transitions of the driver's episodes; nil for a
	// Collector, which keeps its own.
	buf   *replay.Buffer
	st    runState
	start time.Time
	// diag records the last evaluation's episodes for the model
	// diagnostics.
	diag *modelenv.Recorder
}

// Train runs the algorithm cfg.Algo as cfg says (see Config and each
// algorithm's defaults), evaluating every EvalEvery env steps on goals
// from a fixed evaluation stream separate from the training streams and,
// with opt.Dir, writing metrics, plots and a checkpoint after each
// evaluation. Runs with equal configs give identical metrics apart from
// wall times; a resumed run continues from its last checkpoint exactly as
// if it had not stopped.
func Train(cfg Config, opt RunOptions) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.WithDefaults()
	var r *Run
	if opt.Resume {
		if opt.Dir == "" {
			return Result{}, errors.New("mbrl: resume needs a run directory")
		}
		ck, err := loadCheckpoint(opt.Dir, &cfg)
		if err != nil {
			return Result{}, err
		}
		r = ck.run
	} else {
		if opt.Dir != "" && HasCheckpoint(opt.Dir) {
			return Result{}, fmt.Errorf("mbrl: %s already holds a run: resume it or choose another directory", opt.Dir)
		}
		var err error
		if r, err = newRun(cfg); err != nil {
			return Result{}, err
		}
		if r.alg, err = r.spec.New(r); err != nil {
			return Result{}, err
		}
		if !r.spec.OwnExperience {
			if r.buf, err = replay.New(r.layout.ObsDim, r.layout.ActDim, cfg.BufferCapacity); err != nil {
				return Result{}, err
			}
		}
		r.st.NextEval = cfg.EvalEvery
	}
	r.opt, r.start = opt, time.Now()
	if opt.Dir != "" {
		if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
			return Result{}, fmt.Errorf("mbrl: %w", err)
		}
		if err := writeJSON(filepath.Join(opt.Dir, "config.json"), cfg); err != nil {
			return Result{}, err
		}
		// A run killed after writing a metrics line but before its
		// checkpoint must not keep that line.
		if err := writeMetrics(opt.Dir, r.st.Metrics); err != nil {
			return Result{}, err
		}
	}
	return r.loop()
}

// newRun sets up a run of cfg (which has its defaults) on a new env of
// its task, without its algorithm.
func newRun(cfg Config) (*Run, error) {
	spec, err := LookupAlgo(cfg.Algo)
	if err != nil {
		return nil, err
	}
	env, err := tasks.Make(cfg.Task)
	if err != nil {
		return nil, err
	}
	layout, err := modelenv.NewLayout(env.Task(), cfg.Derive)
	if err != nil {
		return nil, err
	}
	return &Run{cfg: cfg, spec: spec, env: env, layout: layout}, nil
}

// sameRun checks that a checkpoint's config matches the requested one,
// apart from the step budget, which a resumed run may extend.
func sameRun(saved, want Config) error {
	// Defaults added since the checkpoint was written fill its zero fields.
	a, b := saved.WithDefaults(), want
	a.Steps, b.Steps = 0, 0
	ja, _ := jsonString(a)
	jb, _ := jsonString(b)
	if ja != jb {
		return fmt.Errorf("mbrl: the checkpoint was made with another config:\n  saved     %s\n  requested %s", ja, jb)
	}
	return nil
}

// loop is the driver: training until the step budget, an evaluation (and
// checkpoint) every EvalEvery env steps and at the end.
func (r *Run) loop() (Result, error) {
	cfg, st := r.cfg, &r.st
	random := &control.Random{}
	act := make([]float64, r.layout.ActDim)
	evals := 0
	for {
		if st.EnvSteps >= cfg.Steps && len(st.Metrics) > 0 && st.Metrics[len(st.Metrics)-1].EnvSteps == st.EnvSteps {
			break // done, with a final evaluation
		}
		if st.EnvSteps < cfg.Steps {
			if err := r.advance(random, act); err != nil {
				return Result{}, err
			}
		}
		if st.EnvSteps >= st.NextEval || st.EnvSteps >= cfg.Steps {
			ctrl, err := r.alg.Controller(r, true)
			if err != nil {
				return Result{}, err
			}
			if err := r.evaluate(ctrl); err != nil {
				return Result{}, err
			}
			evals++
			if r.opt.StopAfterEvals > 0 && evals >= r.opt.StopAfterEvals && st.EnvSteps < cfg.Steps {
				return Result{}, ErrStopped
			}
		}
	}
	if f, ok := r.alg.(Finisher); ok && r.opt.Dir != "" {
		if err := f.Finish(r); err != nil {
			return Result{}, err
		}
	}
	return r.result(), nil
}

// advance trains on the next episode, or lets a Collector collect.
func (r *Run) advance(random control.Controller, act []float64) error {
	if c, ok := r.alg.(Collector); ok {
		if err := c.Collect(r); err != nil {
			return err
		}
		if r.opt.Progress != nil {
			r.opt.Progress(r.st.EnvSteps)
		}
		return nil
	}
	ctrl := random
	if r.st.Episodes >= r.cfg.RandomEpisodes {
		var err error
		if ctrl, err = r.alg.Controller(r, false); err != nil {
			return err
		}
	}
	if err := r.episode(ctrl, act); err != nil {
		return err
	}
	return r.alg.AfterEpisode(r)
}

// result summarises a finished run from its state.
func (r *Run) result() Result {
	st := &r.st
	last := st.Metrics[len(st.Metrics)-1]
	return Result{Config: r.cfg, Metrics: st.Metrics, EnvSteps: st.EnvSteps, Episodes: st.Episodes, WallS: st.WallS,
		Final: eval.Result{Episodes: st.FinalEpisodes, Successes: st.FinalSuccesses, SuccessRate: last.SuccessRate,
			MeanReturn: last.MeanReturn}}
}

// episode collects one training episode with ctrl into the buffer,
// calling the algorithm's AfterStep after every transition added.
func (r *Run) episode(ctrl control.Controller, act []float64) error {
	st := &r.st
	obs := r.env.Reset(seed.Stream(r.cfg.Seed, "train-env", uint64(st.Episodes)))
	ctrl.Reset(seed.Stream(r.cfg.Seed, "train-controller", uint64(st.Episodes)))
	for {
		ctrl.Act(obs, act)
		s, err := r.env.Step(act)
		if err != nil {
			return fmt.Errorf("mbrl: training episode %d: %w", st.Episodes, err)
		}
		if strings.HasPrefix(s.Info.Reason, "diverged") {
			break // the observation is stale: no transition to learn from
		}
		if err := r.buf.Add(replay.Transition{Obs: obs, Act: act, Reward: s.Reward, Next: s.Obs, Terminated: s.Terminated}); err != nil {
			return err
		}
		st.EnvSteps++
		if err := r.alg.AfterStep(r); err != nil {
			return err
		}
		if r.opt.Progress != nil {
			r.opt.Progress(st.EnvSteps)
		}
		obs = s.Obs
		if s.Terminated || s.Truncated {
			break
		}
	}
	st.Episodes++
	return nil
}

// evalSeed is the seed of the run's evaluation goals.
func (r *Run) evalSeed() uint64 { return seed.Stream(r.cfg.Seed, "train-eval").Uint64() }

// evaluate runs the evaluation episodes with ctrl, records a metric and
// checkpoints.
func (r *Run) evaluate(ctrl control.Controller) error {
	st := &r.st
	r.diag = &modelenv.Recorder{Inner: ctrl}
	res, err := eval.Run(r.env, r.diag, r.cfg.EvalEpisodes, r.evalSeed(), nil)
	if err != nil {
		return err
	}
	for st.NextEval <= st.EnvSteps {
		st.NextEval += r.cfg.EvalEvery
	}
	m := Metric{EnvSteps: st.EnvSteps, Episodes: st.Episodes, SuccessRate: res.SuccessRate, MeanReturn: res.MeanReturn}
	if f := st.LastFit; f != nil {
		m.ModelLoss, m.ModelNLL = meanFinite(f.ValMSE), meanFinite(f.ValNLL)
		m.FitEpochs = f.Epochs
	}
	if err := r.alg.Report(r, &m); err != nil {
		return err
	}
	st.WallS += time.Since(r.start).Seconds()
	r.start = time.Now()
	m.WallS = st.WallS
	st.Metrics = append(st.Metrics, m)
	st.FinalEpisodes, st.FinalSuccesses = res.Episodes, res.Successes
	if r.opt.Log != nil {
		extra := "model mse -"
		switch {
		case m.ModelLoss != nil:
			extra = fmt.Sprintf("model mse %.4f", *m.ModelLoss)
		case m.IntrinsicReward != nil:
			extra = fmt.Sprintf("intrinsic reward %.3f", *m.IntrinsicReward)
		}
		fmt.Fprintf(r.opt.Log, "steps %6d  episodes %4d  success %5.1f%%  return %8.2f  %s  %6.0f s\n",
			m.EnvSteps, m.Episodes, 100*m.SuccessRate, m.MeanReturn, extra, m.WallS)
	}
	if r.opt.Dir == "" {
		return nil
	}
	if err := writeMetrics(r.opt.Dir, st.Metrics); err != nil {
		return err
	}
	if err := plotCurve(filepath.Join(r.opt.Dir, "curve.png"), r.cfg, st.Metrics); err != nil {
		return err
	}
	return r.checkpoint()
}

// plotCurve writes the learning curve: success rate and mean return
// against training env steps, and for DADS the intrinsic reward and the
// skill-dynamics log-likelihood.
func plotCurve(path string, cfg Config, ms []Metric) error {
	series := []struct {
		label string
		y     func(Metric) *float64
	}{
		{"success rate", func(m Metric) *float64 { return &m.SuccessRate }},
		{"mean return", func(m Metric) *float64 { return &m.MeanReturn }},
		{"intrinsic reward", func(m Metric) *float64 { return m.IntrinsicReward }},
		{"skill-dynamics log-likelihood", func(m Metric) *float64 { return m.SkillLogLik }},
	}
	panels := make([]plot.Panel, len(series))
	for i, s := range series {
		panels[i].Label = s.label
		for _, m := range ms {
			if y := s.y(m); y != nil {
				panels[i].X = append(panels[i].X, float64(m.EnvSteps))
				panels[i].Y = append(panels[i].Y, *y)
			}
		}
	}
	return plot.Curve(path, fmt.Sprintf("%s on %s, seed %d", cfg.Algo, cfg.Task, cfg.Seed), panels)
}

// meanFinite returns the mean of xs, or nil if it is empty or not finite.
func meanFinite(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	s /= float64(len(xs))
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return nil
	}
	return &s
}

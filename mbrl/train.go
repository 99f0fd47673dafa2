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
	"sandbox/mbrl/dads"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/replay"
	"sandbox/mbrl/sac"
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
	Final    EvalResult
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

// trainer runs one training run.
type trainer struct {
	cfg    Config
	opt    RunOptions
	env    *tasks.Env
	layout ModelLayout
	ens    *ensemble.Ensemble
	buf    *replay.Buffer
	agent  *Agent
	st     runState
	start  time.Time
	diag   *recorder

	// Policy algorithms.
	policy                       *sac.Agent
	modelBuf                     *replay.Buffer // model rollouts
	realBatch, modelBatch, mixed replay.Batch
	lastStats                    sac.Stats

	dads *dads.Learner
}

// Train runs PETS or PDDM as cfg says (see Config), evaluating every
// EvalEvery env steps on goals from a fixed evaluation stream separate from
// the training streams and, with opt.Dir, writing metrics, plots and a
// checkpoint after each evaluation. Runs with equal configs give identical
// metrics apart from wall times; a resumed run continues from its last
// checkpoint exactly as if it had not stopped.
func Train(cfg Config, opt RunOptions) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.WithDefaults()
	env, err := tasks.Make(cfg.Task)
	if err != nil {
		return Result{}, err
	}
	layout, err := NewModelLayout(env.Task(), cfg.Derive)
	if err != nil {
		return Result{}, err
	}
	t := &trainer{cfg: cfg, opt: opt, env: env, layout: layout, start: time.Now()}
	if opt.Resume {
		if opt.Dir == "" {
			return Result{}, errors.New("mbrl: resume needs a run directory")
		}
		ck, err := LoadCheckpoint(opt.Dir)
		if err != nil {
			return Result{}, err
		}
		if err := sameRun(ck.Config, cfg); err != nil {
			return Result{}, err
		}
		t.ens, t.buf, t.modelBuf, t.policy, t.dads, t.st = ck.Ens, ck.Buffer, ck.Rollouts, ck.Policy, ck.DADS, ck.state
	} else if cfg.Algo == "dads" {
		if err := t.newDADS(); err != nil {
			return Result{}, err
		}
		t.st.NextEval = cfg.EvalEvery
	} else {
		if opt.Dir != "" {
			if _, err := os.Stat(filepath.Join(opt.Dir, checkpointFile)); err == nil {
				return Result{}, fmt.Errorf("mbrl: %s already holds a run: resume it or choose another directory", opt.Dir)
			}
		}
		if !PolicyAlgo(cfg.Algo) || cfg.Schedule.usesModel() {
			t.ens, err = ensemble.New(layout.StateDim()+layout.InputActDim(), layout.StateDim(), cfg.Model, seed.Stream(cfg.Seed, "model-init"))
			if err != nil {
				return Result{}, fmt.Errorf("mbrl: %w", err)
			}
		}
		if PolicyAlgo(cfg.Algo) {
			if t.policy, err = sac.New(layout.ObsDim, layout.ActDim, cfg.Policy, seed.Stream(cfg.Seed, "policy-init")); err != nil {
				return Result{}, fmt.Errorf("mbrl: %w", err)
			}
		}
		t.buf, err = replay.New(layout.ObsDim, layout.ActDim, cfg.BufferCapacity)
		if err != nil {
			return Result{}, err
		}
		t.st.NextEval = cfg.EvalEvery
	}
	if cfg.Algo == "pets" || cfg.Algo == "pddm" {
		if t.agent, err = NewAgent(t.ens, env.Task(), cfg); err != nil {
			return Result{}, err
		}
	}
	if opt.Dir != "" {
		if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
			return Result{}, fmt.Errorf("mbrl: %w", err)
		}
		if err := writeJSON(filepath.Join(opt.Dir, "config.json"), cfg, true); err != nil {
			return Result{}, err
		}
		// A run killed after writing a metrics line but before its
		// checkpoint must not keep that line.
		if err := writeMetrics(opt.Dir, t.st.Metrics); err != nil {
			return Result{}, err
		}
	}
	return t.run()
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

func (t *trainer) run() (Result, error) {
	if t.dads != nil {
		return t.runDADS()
	}
	cfg, st := t.cfg, &t.st
	random := &control.Random{}
	act := make([]float64, t.layout.ActDim)
	evals := 0
	for {
		if st.EnvSteps >= cfg.Steps && len(st.Metrics) > 0 && st.Metrics[len(st.Metrics)-1].EnvSteps == st.EnvSteps {
			break // done, with a final evaluation
		}
		if st.EnvSteps < cfg.Steps {
			ctrl, after := t.controller(false), t.policyStep
			if st.Episodes < cfg.RandomEpisodes {
				ctrl = random
			}
			if t.policy == nil {
				after = nil
			}
			if err := t.episode(ctrl, act, after); err != nil {
				return Result{}, err
			}
			if t.policy == nil && st.Episodes >= cfg.RandomEpisodes && (st.Fits == 0 || st.EnvSteps-st.LastFitSteps >= cfg.RetrainEvery) {
				if err := t.fit(); err != nil {
					return Result{}, err
				}
				if t.opt.AfterFit != nil {
					t.opt.AfterFit(*st.LastFit)
				}
			}
		}
		if st.EnvSteps >= st.NextEval || st.EnvSteps >= cfg.Steps {
			if err := t.evaluate(t.controller(true)); err != nil {
				return Result{}, err
			}
			evals++
			if t.opt.StopAfterEvals > 0 && evals >= t.opt.StopAfterEvals && st.EnvSteps < cfg.Steps {
				return Result{}, ErrStopped
			}
		}
	}
	if t.opt.Dir != "" && t.ens != nil {
		if err := t.diagnostics(); err != nil {
			return Result{}, err
		}
	}
	return t.result(), nil
}

// result summarises a finished run from its state.
func (t *trainer) result() Result {
	st := &t.st
	last := st.Metrics[len(st.Metrics)-1]
	return Result{Config: t.cfg, Metrics: st.Metrics, EnvSteps: st.EnvSteps, Episodes: st.Episodes, WallS: st.WallS,
		Final: EvalResult{Episodes: st.FinalEpisodes, Successes: st.FinalSuccesses, SuccessRate: last.SuccessRate,
			MeanReturn: last.MeanReturn}}
}

// controller returns what acts in training (stochastic policy) or in
// evaluation (deterministic policy): MPC for PETS and PDDM, the policy for
// the policy algorithms.
func (t *trainer) controller(eval bool) control.Controller {
	if t.policy != nil {
		return t.policy.Controller(eval)
	}
	return t.agent
}

// episode collects one training episode with ctrl into the buffer, calling
// after, if not nil, after every transition added.
func (t *trainer) episode(ctrl control.Controller, act []float64, after func() error) error {
	st := &t.st
	obs := t.env.Reset(seed.Stream(t.cfg.Seed, "train-env", uint64(st.Episodes)))
	ctrl.Reset(seed.Stream(t.cfg.Seed, "train-controller", uint64(st.Episodes)))
	for {
		ctrl.Act(obs, act)
		s, err := t.env.Step(act)
		if err != nil {
			return fmt.Errorf("mbrl: training episode %d: %w", st.Episodes, err)
		}
		if strings.HasPrefix(s.Info.Reason, "diverged") {
			break // the observation is stale: no transition to learn from
		}
		if err := t.buf.Add(replay.Transition{Obs: obs, Act: act, Reward: s.Reward, Next: s.Obs, Terminated: s.Terminated}); err != nil {
			return err
		}
		st.EnvSteps++
		if after != nil {
			if err := after(); err != nil {
				return err
			}
		}
		if t.opt.Progress != nil {
			t.opt.Progress(st.EnvSteps)
		}
		obs = s.Obs
		if s.Terminated || s.Truncated {
			break
		}
	}
	st.Episodes++
	return nil
}

// fit refits the ensemble on the buffer, or on its Schedule.ModelWindow
// most recent transitions.
func (t *trainer) fit() error {
	st := &t.st
	start := time.Now()
	first := 0
	if w := t.cfg.Schedule.ModelWindow; w > 0 && t.buf.Len() > w {
		first = t.buf.Len() - w
	}
	n := t.buf.Len() - first
	od, ad := t.layout.ObsDim, t.layout.ActDim
	obs, acts, next := make([]float64, n*od), make([]float64, n*ad), make([]float64, n*od)
	for i := range n {
		tr := t.buf.At(first + i)
		copy(obs[i*od:], tr.Obs)
		copy(acts[i*ad:], tr.Act)
		copy(next[i*od:], tr.Next)
	}
	stats, err := t.ens.Train(t.layout.Dataset(obs, acts, next), t.cfg.Fit, seed.Stream(t.cfg.Seed, "model-fit", uint64(st.Fits)))
	if err != nil {
		return fmt.Errorf("mbrl: model fit %d: %w", st.Fits, err)
	}
	st.Fits++
	st.LastFitSteps = st.EnvSteps
	info := &FitInfo{EnvSteps: st.EnvSteps, Epochs: stats.Epochs, EarlyStopped: stats.EarlyStopped, ValMSE: stats.ValMSE,
		ValNLL: stats.ValNLL, Elites: stats.Elites, Rows: n, FirstRow: t.buf.Added() - t.buf.Len() + first,
		Seconds: time.Since(start).Seconds()}
	if k := len(stats.TrainLoss); k > 0 {
		info.TrainLoss = stats.TrainLoss[k-1]
	}
	st.LastFit = info
	return nil
}

// evaluate runs the evaluation episodes with ctrl, records a metric and
// checkpoints.
func (t *trainer) evaluate(ctrl control.Controller) error {
	st := &t.st
	evalSeed := seed.Stream(t.cfg.Seed, "train-eval").Uint64()
	t.diag = &recorder{inner: ctrl}
	res, err := Evaluate(t.env, t.diag, t.cfg.EvalEpisodes, evalSeed, nil)
	if err != nil {
		return err
	}
	for st.NextEval <= st.EnvSteps {
		st.NextEval += t.cfg.EvalEvery
	}
	m := Metric{EnvSteps: st.EnvSteps, Episodes: st.Episodes, SuccessRate: res.SuccessRate, MeanReturn: res.MeanReturn}
	if f := st.LastFit; f != nil {
		m.ModelLoss, m.ModelNLL = meanFinite(f.ValMSE), meanFinite(f.ValNLL)
		m.FitEpochs = f.Epochs
	}
	if t.policy != nil && st.PolicyUpdates > 0 {
		alpha, q := t.lastStats.Alpha, t.lastStats.QLoss
		m.PolicyUpdates, m.Alpha, m.QLoss = st.PolicyUpdates, &alpha, &q
	}
	if t.dads != nil {
		if err := t.dadsExtras(&m); err != nil {
			return err
		}
	}
	st.WallS += time.Since(t.start).Seconds()
	t.start = time.Now()
	m.WallS = st.WallS
	st.Metrics = append(st.Metrics, m)
	st.FinalEpisodes, st.FinalSuccesses = res.Episodes, res.Successes
	if t.opt.Log != nil {
		extra := "model mse -"
		switch {
		case m.ModelLoss != nil:
			extra = fmt.Sprintf("model mse %.4f", *m.ModelLoss)
		case m.IntrinsicReward != nil:
			extra = fmt.Sprintf("intrinsic reward %.3f", *m.IntrinsicReward)
		}
		fmt.Fprintf(t.opt.Log, "steps %6d  episodes %4d  success %5.1f%%  return %8.2f  %s  %6.0f s\n",
			m.EnvSteps, m.Episodes, 100*m.SuccessRate, m.MeanReturn, extra, m.WallS)
	}
	if t.opt.Dir == "" {
		return nil
	}
	if err := writeMetrics(t.opt.Dir, st.Metrics); err != nil {
		return err
	}
	if err := plotCurve(filepath.Join(t.opt.Dir, "curve.png"), t.cfg, st.Metrics); err != nil {
		return err
	}
	return t.checkpoint()
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

package mbrl

import (
	"fmt"
	"path/filepath"

	"sandbox/internal/seed"
	"sandbox/mbrl/dads"
)

// runDADS trains DADS skills (Sharma et al. 2019) with no task reward:
// Learner iterations until the step budget, evaluating every EvalEvery env
// steps the latent-space planner zero-shot on held-out goals, which scores
// predicted skill states with the task's own reward. Each evaluation also
// records the intrinsic reward and the skill-dynamics log-likelihood of
// the last iteration, and with a run directory writes skills.png (the
// paths of a grid of skills) and checkpoints the Learner.
func (t *trainer) runDADS() (Result, error) {
	st, evals := &t.st, 0
	for {
		if st.EnvSteps >= t.cfg.Steps && len(st.Metrics) > 0 && st.Metrics[len(st.Metrics)-1].EnvSteps == st.EnvSteps {
			break
		}
		if st.EnvSteps < t.cfg.Steps {
			it, err := t.dads.Iterate()
			if err != nil {
				return Result{}, fmt.Errorf("mbrl: DADS iteration %d: %w", it.Iteration, err)
			}
			st.Episodes, st.EnvSteps = it.Episodes, it.EnvSteps
			r, ll := it.Policy.Reward, it.DynamicsLogProb
			st.Intrinsic, st.SkillLogLik = &r, &ll
			if t.opt.Progress != nil {
				t.opt.Progress(st.EnvSteps)
			}
		}
		if st.EnvSteps >= st.NextEval || st.EnvSteps >= t.cfg.Steps {
			planner, err := t.dads.Planner()
			if err != nil {
				return Result{}, err
			}
			if err := t.evaluate(planner); err != nil {
				return Result{}, err
			}
			evals++
			if t.opt.StopAfterEvals > 0 && evals >= t.opt.StopAfterEvals && st.EnvSteps < t.cfg.Steps {
				return Result{}, ErrStopped
			}
		}
	}
	return t.result(), nil
}

// dadsExtras adds DADS's curves to a metric and writes its skills plot.
func (t *trainer) dadsExtras(m *Metric) error {
	m.IntrinsicReward, m.SkillLogLik = t.st.Intrinsic, t.st.SkillLogLik
	if t.opt.Dir == "" {
		return nil
	}
	fan, err := t.dads.WriteSkillsPlot(filepath.Join(t.opt.Dir, "skills.png"))
	if err != nil {
		return err
	}
	m.SkillSpread = &fan.Spread
	return nil
}

// newDADS starts the DADS Learner of a run.
func (t *trainer) newDADS() error {
	cfg := t.cfg.DADS
	cfg.Seed = seed.Stream(t.cfg.Seed, "dads").Uint64()
	l, err := dads.NewLearner(t.env, cfg)
	if err != nil {
		return fmt.Errorf("mbrl: %w", err)
	}
	t.dads = l
	return nil
}

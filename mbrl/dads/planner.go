package dads

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"sandbox/control"
	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// PlannerConfig holds the options of the latent-space planner. The zero
// value is the setting of the DADS code (dads_off.py, eval_mppi, and its
// configs): one skill planned ahead, each run for 10 steps, 50 candidates,
// 10 refinements, γ = 10, proposal covariance 1.5·I, smoothing 0.9.
type PlannerConfig struct {
	// Skills is H_P, the number of skills planned ahead; default 1.
	Skills int `json:"skills,omitempty"`
	// SkillSteps is H_Z, the control steps each skill runs, in the plan
	// and when executed; default 10.
	SkillSteps int `json:"skill_steps,omitempty"`
	// ReplanEvery is the control steps between replans, 1…SkillSteps;
	// default SkillSteps (the DADS code: a skill runs its H_Z steps
	// before the next plan). Fewer replan from where the robot is before
	// the skill has run out, each plan's first skill again H_Z steps long
	// (warm-started from the last plan; the plan shifts by a skill every
	// SkillSteps steps): our extension, which stops a stride short of
	// overshooting a goal.
	ReplanEvery int `json:"replan_every,omitempty"`
	// Candidates is K, the skill sequences sampled per refinement;
	// default 50.
	Candidates int `json:"candidates,omitempty"`
	// Refinements is R, the sample-and-reweight rounds per replan;
	// default 10.
	Refinements int `json:"refinements,omitempty"`
	// Gamma is MPPI's inverse temperature γ: weights exp(γ(R − max R));
	// default 10.
	Gamma float64 `json:"gamma,omitempty"`
	// Variance is the proposal covariance per skill component (DADS's
	// prior_cov, 1.5·I); default 1.5.
	Variance float64 `json:"variance,omitempty"`
	// Smoothing is β of the smoothing along the plan,
	// z_p ← β z_{p−1} + (1 − β) z_p; default 0.9. It acts only when
	// Skills > 1.
	Smoothing float64 `json:"smoothing,omitempty"`
	// ModalMean predicts with the most likely component's mean
	// (SkillDynamics.PredictModal) instead of the mixture mean.
	ModalMean bool `json:"modal_mean,omitempty"`
}

func (c PlannerConfig) withDefaults() PlannerConfig {
	if c.Skills == 0 {
		c.Skills = 1
	}
	if c.SkillSteps == 0 {
		c.SkillSteps = 10
	}
	if c.ReplanEvery == 0 {
		c.ReplanEvery = c.SkillSteps
	}
	if c.Candidates == 0 {
		c.Candidates = 50
	}
	if c.Refinements == 0 {
		c.Refinements = 10
	}
	if c.Gamma == 0 {
		c.Gamma = 10
	}
	if c.Variance == 0 {
		c.Variance = 1.5
	}
	if c.Smoothing == 0 {
		c.Smoothing = 0.9
	}
	return c
}

func (c PlannerConfig) validate() error {
	switch {
	case c.Skills < 1 || c.Skills > 100 || c.SkillSteps < 1 || c.SkillSteps > 10000:
		return fmt.Errorf("dads: planner with %d skills of %d steps, want 1…100 and 1…10000", c.Skills, c.SkillSteps)
	case c.ReplanEvery < 1 || c.ReplanEvery > c.SkillSteps:
		return fmt.Errorf("dads: planner replan_every %d, want 1…skill_steps (%d)", c.ReplanEvery, c.SkillSteps)
	case c.Candidates < 1 || c.Candidates > 1<<16 || c.Refinements < 1 || c.Refinements > 1000:
		return fmt.Errorf("dads: planner with %d candidates and %d refinements, want 1…65536 and 1…1000", c.Candidates, c.Refinements)
	case !(c.Gamma > 0) || math.IsInf(c.Gamma, 0) || !(c.Variance > 0) || math.IsInf(c.Variance, 0):
		return fmt.Errorf("dads: planner gamma %g, variance %g, want positive and finite", c.Gamma, c.Variance)
	case !(c.Smoothing >= 0 && c.Smoothing < 1):
		return fmt.Errorf("dads: planner smoothing %g, want [0, 1)", c.Smoothing)
	}
	// At most one prediction per step, of at least one observation value.
	return checkPaths(c.Candidates, c.Skills, c.SkillSteps, 1)
}

// checkPaths reports imagined paths, k candidates × skills × predictions
// per skill × obsDim float64 values, beyond control.MaxBatchMB.
func checkPaths(k, skills, preds, obsDim int) error {
	if mb := 8 * float64(k) * float64(skills) * float64(preds) * float64(obsDim) / 1e6; mb > control.MaxBatchMB {
		return fmt.Errorf("dads: planner's imagined paths, candidates × skills × predictions per skill × observation = %d × %d × %d × %d values, take %.0f MB, more than control.MaxBatchMB = %d MB",
			k, skills, preds, obsDim, mb, control.MaxBatchMB)
	}
	return nil
}

// Planner is DADS's latent-space planner (Sharma et al. 2020, section 4;
// dads_off.py, eval_mppi), a control.Controller that reaches a task's goal
// with skills learned without its reward.
//
// Every ReplanEvery (by default SkillSteps) control steps it replans.
// Each of Refinements rounds draws Candidates sequences of Skills skills,
// z_p ~ N(μ_p, Variance·I) clipped to [−1, 1], smooths them along the
// sequence, rolls each out in the skill dynamics for Skills·SkillSteps
// steps from the current skill state (mixture means, SkillDynamics.Predict,
// or with ModalMean the most likely component's; one prediction per
// Horizon steps), scores it with the task's own Reward summed over the
// predicted observations (tasks.SkillSpacer writes each predicted state
// into a copy of the current observation), and moves μ to the average of
// the candidates weighted by exp(γ(R − max R)).
// It then executes the deterministic policy π(a|o, μ_0) until the next
// replan; every SkillSteps steps it drops μ_0 and appends a fresh mean.
// Fresh means are drawn from N(0, I), as in the DADS code, from the rng
// given to Reset.
//
// The predicted observations keep every field but the skill state and
// what SetSkillState derives from it, so reward terms that read other
// fields (the reacher's action smoothness) score as in the current
// observation. The action passed to Reward is zero.
//
// A Planner is not safe for concurrent use, and neither are planners or
// Learners that share its SkillDynamics or policy.
type Planner struct {
	cfg    PlannerConfig
	spec   tasks.Spec
	task   tasks.Task
	spacer tasks.SkillSpacer
	dyn    *SkillDynamics
	pol    *sac.Agent
	view   []int // observation indices the policy sees
	obsDim int
	actDim int

	rng   *rand.Rand
	t     int
	means [][]float64 // Skills means of SkillDim values
	skill []float64   // the skill being executed

	cand         []float64 // Candidates × Skills × D
	state, next  []float64 // Candidates × stateDim
	prev, cur    []float64 // Candidates × obsDim
	zrow         []float64 // Candidates × D
	score, zeroA []float64
	in           []float64
	paths        []float64 // Candidates × Skills·SkillSteps × obsDim, last refinement
	s0           []float64 // skill state planned from

	// live and sim are set by SimulateOn: the Env acted on and the clone
	// that simulates the candidates; simAct is the clone's action.
	live, sim *tasks.Env
	simAct    []float64
}

// SimulateOn makes the planner score its candidates on the true simulator
// instead of the skill dynamics, the diagnostic that tells whether the
// skills or their learned dynamics limit zero-shot success. live is the Env
// the planner's actions go to; each candidate restores a clone of it to
// live's current state and runs the deterministic skill policy with each
// of its skills for SkillSteps steps, scoring the task's reward of every
// simulated step (a rollout stops where the episode would end). Imagined
// then returns the simulated observations.
func (p *Planner) SimulateOn(live *tasks.Env) error {
	if live == nil || live.Spec().ID != p.spec.ID {
		return errors.New("dads: SimulateOn needs an Env of the planner's task")
	}
	sim, err := live.Clone()
	if err != nil {
		return fmt.Errorf("dads: SimulateOn: %w", err)
	}
	p.live, p.sim, p.simAct = live, sim, make([]float64, p.actDim)
	return nil
}

// NewPlanner returns the latent-space planner for env's task, which must
// implement tasks.SkillSpacer, over skill dynamics dyn (of the task's skill
// space extended by v.SkillObs) and the skill policy pol (whose
// observation is the task's observation without its goal-dependent slices
// and those named in v.Hide, followed by the skill), as a Learner with the
// same View trains them.
func NewPlanner(env *tasks.Env, dyn *SkillDynamics, pol *sac.Agent, v View, cfg PlannerConfig) (*Planner, error) {
	if env == nil || dyn == nil || pol == nil {
		return nil, errors.New("dads: NewPlanner needs an env, skill dynamics and a policy")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	spacer, view, err := skillView(env, v)
	if err != nil {
		return nil, err
	}
	spec := env.Spec()
	if len(spacer.SkillSpace()) != dyn.StateDim() {
		return nil, fmt.Errorf("dads: task %q has a %d-dimensional skill space, the skill dynamics %d", spec.ID, len(spacer.SkillSpace()), dyn.StateDim())
	}
	if pol.ObsDim() != len(view)+dyn.SkillDim() || pol.ActDim() != spec.ActionDim {
		return nil, fmt.Errorf("dads: policy of %d→%d values, task %q needs %d+%d→%d", pol.ObsDim(), pol.ActDim(), spec.ID, len(view), dyn.SkillDim(), spec.ActionDim)
	}
	if h := dyn.Config().Horizon; cfg.SkillSteps%h != 0 {
		return nil, fmt.Errorf("dads: planner skill steps %d are not a multiple of the skill-dynamics horizon %d", cfg.SkillSteps, h)
	}
	if err := checkPaths(cfg.Candidates, cfg.Skills, cfg.SkillSteps/dyn.Config().Horizon, spec.ObsDim()); err != nil {
		return nil, err
	}
	k, d, ds := cfg.Candidates, dyn.SkillDim(), dyn.StateDim()
	p := &Planner{cfg: cfg, spec: spec, task: env.Task(), spacer: spacer, dyn: dyn, pol: pol, view: view,
		obsDim: spec.ObsDim(), actDim: spec.ActionDim,
		cand: make([]float64, k*cfg.Skills*d), state: make([]float64, k*ds), next: make([]float64, k*ds),
		prev: make([]float64, k*spec.ObsDim()), cur: make([]float64, k*spec.ObsDim()),
		zrow: make([]float64, k*d), score: make([]float64, k), zeroA: make([]float64, spec.ActionDim),
		in: make([]float64, len(view)+d), skill: make([]float64, d),
		s0: make([]float64, ds)}
	p.paths = make([]float64, k*cfg.Skills*p.predictions()*spec.ObsDim())
	p.means = make([][]float64, cfg.Skills)
	for i := range p.means {
		p.means[i] = make([]float64, d)
	}
	return p, nil
}

// Config returns the planner's options, defaults filled in.
func (p *Planner) Config() PlannerConfig { return p.cfg }

// predictions returns the skill-dynamics predictions per planned skill:
// one every Horizon steps of its SkillSteps.
func (p *Planner) predictions() int { return p.cfg.SkillSteps / p.dyn.Config().Horizon }

// Imagined returns, for every candidate of the last replan's final
// refinement, the Skills·SkillSteps/k observations the skill dynamics
// predict for it, one every k = Horizon steps (only the skill state and
// what SetSkillState derives from it differ from the observation planned
// from). The viewer draws them. The slices are views, valid until the
// next Act.
func (p *Planner) Imagined() [][][]float64 {
	steps, od := p.cfg.Skills*p.predictions(), p.obsDim
	out := make([][][]float64, p.cfg.Candidates)
	for c := range out {
		out[c] = make([][]float64, steps)
		for t := range steps {
			o := (c*steps + t) * od
			out[c][t] = p.paths[o : o+od : o+od]
		}
	}
	return out
}

// Skill returns the skill being executed (valid after the first Act).
func (p *Planner) Skill() []float64 { return append([]float64(nil), p.skill...) }

// Reset implements control.Controller. rng draws the proposals; a nil rng
// gives a fixed stream (seed 0).
func (p *Planner) Reset(rng *rand.Rand) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	p.rng, p.t = rng, 0
	for _, m := range p.means {
		p.freshMean(m)
	}
}

func (p *Planner) freshMean(m []float64) {
	for j := range m {
		m[j] = p.rng.NormFloat64()
	}
}

// Act implements control.Controller. It panics if obs or act has the
// wrong length.
func (p *Planner) Act(obs, act []float64) {
	if len(obs) != p.obsDim || len(act) != p.actDim {
		panic(fmt.Sprintf("dads: Planner.Act with %d observation and %d action values, want %d and %d", len(obs), len(act), p.obsDim, p.actDim))
	}
	if p.rng == nil {
		p.Reset(nil)
	}
	if p.t%p.cfg.ReplanEvery == 0 {
		if p.t > 0 && p.t%p.cfg.SkillSteps == 0 {
			// Shift the plan: the skill just executed is done.
			first := p.means[0]
			copy(p.means, p.means[1:])
			p.means[len(p.means)-1] = first
			p.freshMean(first)
		}
		p.plan(obs)
		copy(p.skill, p.means[0])
	}
	for i, j := range p.view {
		p.in[i] = obs[j]
	}
	copy(p.in[len(p.view):], p.skill)
	p.pol.Act(p.in, act, nil)
	p.t++
}

// plan refines p.means for the observation obs.
func (p *Planner) plan(obs []float64) {
	k, hp := p.cfg.Candidates, p.cfg.Skills
	hz := p.predictions()
	d, ds, od := p.dyn.SkillDim(), p.dyn.StateDim(), p.obsDim
	std := math.Sqrt(p.cfg.Variance)
	beta := p.cfg.Smoothing
	s0 := p.s0
	p.spacer.SkillState(obs, s0)
	steps := hp * hz
	for r := range p.cfg.Refinements {
		last := r == p.cfg.Refinements-1
		for c := range k {
			seq := p.cand[c*hp*d : (c+1)*hp*d]
			for h := range hp {
				for j := range d {
					seq[h*d+j] = max(-1, min(1, p.means[h][j]+std*p.rng.NormFloat64()))
				}
			}
			for h := 1; h < hp; h++ {
				for j := range d {
					seq[h*d+j] = beta*seq[(h-1)*d+j] + (1-beta)*seq[h*d+j]
				}
			}
		}
		if p.sim != nil {
			p.simulate(last)
			p.reweight()
			continue
		}
		for c := range k {
			copy(p.state[c*ds:], s0)
			copy(p.cur[c*od:(c+1)*od], obs)
			p.score[c] = 0
		}
		for h := range hp {
			for c := range k {
				copy(p.zrow[c*d:(c+1)*d], p.cand[(c*hp+h)*d:(c*hp+h+1)*d])
			}
			for i := range hz {
				p.dyn.predict(p.state, p.zrow, k, p.next, p.cfg.ModalMean)
				for c := range k {
					prev, cur := p.prev[c*od:(c+1)*od], p.cur[c*od:(c+1)*od]
					copy(prev, cur)
					p.spacer.SetSkillState(cur, p.next[c*ds:(c+1)*ds])
					p.score[c] += p.task.Reward(prev, p.zeroA, cur, nil)
					if last {
						copy(p.paths[(c*steps+h*hz+i)*od:], cur)
					}
				}
				p.state, p.next = p.next, p.state
			}
		}
		p.reweight()
	}
}

// simulate scores every candidate on the true simulator (SimulateOn),
// keeping the simulated observations of the last refinement.
func (p *Planner) simulate(last bool) {
	k, hp, d, od := p.cfg.Candidates, p.cfg.Skills, p.dyn.SkillDim(), p.obsDim
	every, steps := p.dyn.Config().Horizon, hp*p.predictions()
	snap := p.live.Snapshot()
	act := p.simAct
	for c := range k {
		p.score[c] = 0
		if err := p.sim.Restore(snap); err != nil {
			p.score[c] = math.Inf(-1)
			continue
		}
		obs, done, n := p.sim.Obs(), false, 0
		for h := range hp {
			z := p.cand[(c*hp+h)*d : (c*hp+h+1)*d]
			for t := range p.cfg.SkillSteps {
				if !done {
					for i, j := range p.view {
						p.in[i] = obs[j]
					}
					copy(p.in[len(p.view):], z)
					p.pol.Act(p.in, act, nil)
					st, err := p.sim.Step(act)
					switch {
					case err != nil:
						p.score[c], done = math.Inf(-1), true
					default:
						p.score[c] += st.Reward
						obs, done = st.Obs, st.Terminated || st.Truncated
					}
				}
				if last && (t+1)%every == 0 {
					copy(p.paths[(c*steps+n)*od:(c*steps+n+1)*od], obs)
					n++
				}
			}
		}
	}
}

// reweight moves the means to the average of the candidates weighted by
// MPPI's exp(γ(R − max R)) (control.MPPIWeights); candidates with a NaN
// score get no weight, and if no score exceeds −Inf the means stay.
func (p *Planner) reweight() {
	hp, d := p.cfg.Skills, p.dyn.SkillDim()
	sum, best := control.MPPIWeights(p.score, p.cfg.Gamma)
	if math.IsInf(best, -1) {
		return
	}
	for h := range hp {
		clear(p.means[h])
	}
	for c, w := range p.score {
		if w == 0 {
			continue
		}
		for h := range hp {
			for j := range d {
				p.means[h][j] += w * p.cand[(c*hp+h)*d+j] / sum
			}
		}
	}
}

// View says what the skill policy and the skill dynamics see of a task's
// observation (Config.PolicyHide and Config.SkillObs).
type View struct {
	// Hide names observation slices the policy does not see.
	Hide []string
	// SkillObs names observation slices appended to the task's skill space.
	SkillObs []string
}

// extendedSpace is a task's skill space with observation values appended.
type extendedSpace struct {
	tasks.SkillSpacer
	n     int      // the task's own skill-space dimension
	names []string // the appended values' names
	idx   []int    // and their observation indices
}

func (e extendedSpace) SkillSpace() []string {
	return append(append([]string(nil), e.SkillSpacer.SkillSpace()...), e.names...)
}

func (e extendedSpace) SkillState(obs, s []float64) {
	e.SkillSpacer.SkillState(obs, s[:e.n])
	for i, j := range e.idx {
		s[e.n+i] = obs[j]
	}
}

// SetSkillState writes the appended values first, so that the task's own
// SetSkillState derives its fields from a complete observation.
func (e extendedSpace) SetSkillState(obs, s []float64) {
	for i, j := range e.idx {
		obs[j] = s[e.n+i]
	}
	e.SkillSpacer.SetSkillState(obs, s[:e.n])
}

// skillView returns env's task as a SkillSpacer, extended by v.SkillObs,
// and the observation indices a skill policy sees: all but the
// goal-dependent slices and the slices v.Hide names. It may see none: then
// it sees only its skill.
func skillView(env *tasks.Env, v View) (tasks.SkillSpacer, []int, error) {
	spec := env.Spec()
	sp, ok := env.Task().(tasks.SkillSpacer)
	if !ok {
		return nil, nil, fmt.Errorf("dads: task %q has no skill space (it does not implement tasks.SkillSpacer)", spec.ID)
	}
	if len(v.SkillObs) > 0 {
		e := extendedSpace{SkillSpacer: sp, n: len(sp.SkillSpace())}
		for _, name := range v.SkillObs {
			f, ok := spec.Field(name)
			switch {
			case !ok:
				return nil, nil, fmt.Errorf("dads: task %q: skill_obs names %q, not a slice of its observation (%s)", spec.ID, name, fieldNames(spec))
			case f.Goal || f.Action || slices.Contains(sp.GoalDependent(), name):
				return nil, nil, fmt.Errorf("dads: task %q: skill_obs names %q, a goal or action slice", spec.ID, name)
			}
			for i := range f.Len {
				e.names = append(e.names, fmt.Sprintf("%s[%d]", name, i))
				e.idx = append(e.idx, f.Start+i)
			}
		}
		sp = e
	}
	hidden := map[string]bool{}
	for _, name := range sp.GoalDependent() {
		if _, ok := spec.Field(name); !ok {
			return nil, nil, fmt.Errorf("dads: task %q: goal-dependent slice %q is not in the observation", spec.ID, name)
		}
		hidden[name] = true
	}
	for _, name := range v.Hide {
		if _, ok := spec.Field(name); !ok {
			return nil, nil, fmt.Errorf("dads: task %q: policy_hide names %q, not a slice of its observation (%s)", spec.ID, name, fieldNames(spec))
		}
		hidden[name] = true
	}
	var view []int
	for _, f := range spec.Obs {
		if f.Goal || hidden[f.Name] {
			continue
		}
		for i := range f.Len {
			view = append(view, f.Start+i)
		}
	}
	return sp, view, nil
}

// fieldNames lists the names of spec's observation slices.
func fieldNames(spec tasks.Spec) string {
	names := make([]string, len(spec.Obs))
	for i, f := range spec.Obs {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

package dads

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"sandbox/internal/seed"
	"sandbox/mbrl/replay"
	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// Config holds the options of a Learner; it marshals to JSON for run
// directories. The zero value is the DADS code's off-policy setting
// (configs/*_offpolicy.txt) scaled to this machine where a field says so:
// the DADS networks (2×512) and L = 100 cost 5.5 s of skill-dynamics
// passes per SAC batch on one core here (BenchmarkIntrinsicReward), so an
// iteration would take minutes.
type Config struct {
	// Seed derives every random stream of the run.
	Seed uint64 `json:"seed"`
	// Skills is the skill dimension D; z ~ U[−1, 1]^D; default 2.
	Skills int `json:"skills,omitempty"`
	// PriorSamples is L, the prior samples of the intrinsic reward;
	// default 16 (DADS: 100; the reward costs L+1 skill-dynamics rows per
	// transition).
	PriorSamples int `json:"prior_samples,omitempty"`
	// Dynamics sets the skill dynamics.
	Dynamics DynamicsConfig `json:"dynamics"`
	// DynamicsSteps is the number of skill-dynamics Adam steps per
	// iteration; default 8.
	DynamicsSteps int `json:"dynamics_steps,omitempty"`
	// DynamicsBatch is the skill-dynamics batch size; default 256.
	DynamicsBatch int `json:"dynamics_batch,omitempty"`
	// Policy sets the skill policy's SAC (its BatchSize is the SAC batch
	// size). The sac defaults apply except two: hidden layers default to
	// 2×128 (DADS: 2×512), and the initial temperature InitAlpha to 0.001
	// (tuned automatically from there). From sac's 0.1 — DADS's effective
	// start too, rewards ×10 with α = 1 — the entropy term, about 0.5 per
	// step on the reacher, buried the intrinsic reward (~0.001 while the
	// skill dynamics still ignore z) and the policy stayed random: on the
	// reacher the mean reward was still 0.001 after 20 iterations, where
	// from 0.001 it reached 0.014 by then and 0.71 after 200.
	Policy sac.Config `json:"policy"`
	// PolicyHide names observation slices (tasks.Field names) the skill
	// policy does not see, besides the goal-dependent ones it never sees,
	// as the DADS code hides the Ant's x-y position from its policy
	// (observation_omit_size). Hiding every slice leaves the policy only
	// its skill.
	PolicyHide []string `json:"policy_hide,omitempty"`
	// SkillObs names observation slices appended to the task's skill
	// space (tasks.SkillSpacer): the skill dynamics predict them too, and
	// the planner writes their predictions into the observations it
	// scores, so that the task's reward sees, say, a predicted fall.
	SkillObs []string `json:"skill_obs,omitempty"`
	// ResampleProb is the probability of drawing a new skill every
	// Planner.SkillSteps steps within an episode (the DADS code's
	// resample_prob, per step there), so that the policy practises the
	// planner's skill switches; default 0, one skill per episode. With a
	// k-step skill dynamics, transitions whose next k steps span a switch
	// are not stored.
	ResampleProb float64 `json:"resample_prob,omitempty"`
	// PolicySteps is the number of SAC updates per iteration; default 64.
	PolicySteps int `json:"policy_steps,omitempty"`
	// InitialSteps is the number of env steps collected before the first
	// iteration's training; default 2000.
	InitialSteps int `json:"initial_steps,omitempty"`
	// CollectSteps is the number of env steps collected per iteration;
	// whole episodes are collected until at least this many; default 500.
	CollectSteps int `json:"collect_steps,omitempty"`
	// BufferCapacity is the replay capacity in transitions; default
	// 10000.
	BufferCapacity int `json:"buffer_capacity,omitempty"`
	// Planner sets the latent-space planner of Learner.Planner.
	Planner PlannerConfig `json:"planner"`
}

func (c Config) view() View { return View{Hide: c.PolicyHide, SkillObs: c.SkillObs} }

// WithDefaults returns c with every zero field replaced by its default.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Skills, 2)
	def(&c.PriorSamples, 16)
	def(&c.DynamicsSteps, 8)
	def(&c.DynamicsBatch, 256)
	def(&c.PolicySteps, 64)
	def(&c.InitialSteps, 2000)
	def(&c.CollectSteps, 500)
	def(&c.BufferCapacity, 10000)
	c.Dynamics = c.Dynamics.withDefaults()
	c.Dynamics.Hidden = append([]int(nil), c.Dynamics.Hidden...)
	if len(c.Policy.Hidden) == 0 {
		c.Policy.Hidden = []int{128, 128}
	}
	if c.Policy.InitAlpha == 0 {
		c.Policy.InitAlpha = 0.001
	}
	c.Policy = c.Policy.WithDefaults()
	c.Planner = c.Planner.withDefaults()
	return c
}

// Validate reports the first invalid field of c, after defaults.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.Skills < 1 || c.Skills > 64:
		return fmt.Errorf("dads: skill dimension %d, want 1…64", c.Skills)
	case c.PriorSamples < 1 || c.PriorSamples > 10000:
		return fmt.Errorf("dads: %d prior samples, want 1…10000", c.PriorSamples)
	case c.DynamicsSteps < 0 || c.DynamicsBatch < 1 || c.DynamicsBatch > 1<<20:
		return fmt.Errorf("dads: %d skill-dynamics steps of batch %d, want ≥ 0 and 1…1048576", c.DynamicsSteps, c.DynamicsBatch)
	case c.PolicySteps < 0 || c.InitialSteps < 0 || c.CollectSteps < 0:
		return fmt.Errorf("dads: policy steps %d, initial steps %d, collect steps %d must not be negative", c.PolicySteps, c.InitialSteps, c.CollectSteps)
	case !(c.ResampleProb >= 0 && c.ResampleProb <= 1):
		return fmt.Errorf("dads: resample_prob %v, want [0, 1]", c.ResampleProb)
	case c.BufferCapacity < 1 || c.BufferCapacity > 1<<26:
		return fmt.Errorf("dads: buffer capacity %d, want 1…%d", c.BufferCapacity, 1<<26)
	}
	if err := c.Dynamics.validate(); err != nil {
		return err
	}
	if c.Planner.SkillSteps%c.Dynamics.Horizon != 0 {
		return fmt.Errorf("dads: the planner's skill_steps %d are not a multiple of the skill-dynamics horizon %d", c.Planner.SkillSteps, c.Dynamics.Horizon)
	}
	if err := c.Policy.Validate(); err != nil {
		return fmt.Errorf("dads: policy: %w", err)
	}
	return c.Planner.validate()
}

// Learner runs DADS on a tasks.Env whose task implements
// tasks.SkillSpacer, a phase at a time so that a driver can checkpoint and
// evaluate in between: Collect, TrainDynamics, TrainPolicy, or Iterate for
// all three. The task's reward is never used for training.
//
// Each episode draws its skill z ~ U[−1, 1]^D, its start and goal, and the
// policy's action noise from seed.Stream(Seed, "dads/episode", episode);
// training batches and prior samples come from one stream of the run,
// which Save keeps, so a loaded Learner continues exactly as the saved one
// would have.
type Learner struct {
	cfg    Config
	env    *tasks.Env
	spacer tasks.SkillSpacer
	view   []int
	obsDim int

	dyn *SkillDynamics
	pol *sac.Agent
	// buf holds (obs ⊕ z ⊕ f, act, next ⊕ z ⊕ f) with the full
	// observations, where f is empty for one-step skill dynamics and
	// otherwise the skill state Horizon steps after obs.
	buf *replay.Buffer
	// future is the width of f.
	future int
	src    *rand.PCG
	rng    *rand.Rand

	iteration, episodes, envSteps int
}

// Counters are a Learner's progress.
type Counters struct {
	Iteration int `json:"iteration"` // completed iterations
	Episodes  int `json:"episodes"`  // collected episodes
	EnvSteps  int `json:"env_steps"` // collected control steps
}

// NewLearner returns a fresh Learner on env, which it keeps and steps.
func NewLearner(env *tasks.Env, cfg Config) (*Learner, error) {
	if env == nil {
		return nil, errors.New("dads: nil env")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	spacer, view, err := skillView(env, cfg.view())
	if err != nil {
		return nil, err
	}
	spec := env.Spec()
	if k := cfg.Dynamics.Horizon; k > spec.Steps {
		return nil, fmt.Errorf("dads: skill-dynamics horizon %d is longer than task %q's episodes of %d steps: no transition would have a state %d steps on", k, spec.ID, spec.Steps, k)
	}
	ds := len(spacer.SkillSpace())
	dyn, err := NewSkillDynamics(ds, cfg.Skills, cfg.Dynamics, seed.Stream(cfg.Seed, "dads/dynamics-init"))
	if err != nil {
		return nil, err
	}
	pol, err := sac.New(len(view)+cfg.Skills, spec.ActionDim, cfg.Policy, seed.Stream(cfg.Seed, "dads/policy-init"))
	if err != nil {
		return nil, fmt.Errorf("dads: %w", err)
	}
	future := 0
	if cfg.Dynamics.Horizon > 1 {
		future = ds
	}
	buf, err := replay.New(spec.ObsDim()+cfg.Skills+future, spec.ActionDim, cfg.BufferCapacity)
	if err != nil {
		return nil, fmt.Errorf("dads: %w", err)
	}
	r := seed.Stream(cfg.Seed, "dads/train")
	src := rand.NewPCG(r.Uint64(), r.Uint64())
	return &Learner{cfg: cfg, env: env, spacer: spacer, view: view, obsDim: spec.ObsDim(),
		dyn: dyn, pol: pol, buf: buf, future: future, src: src, rng: rand.New(src)}, nil
}

// Config returns the options in use, defaults filled in.
func (l *Learner) Config() Config { return l.cfg }

// Counters returns the progress so far.
func (l *Learner) Counters() Counters {
	return Counters{Iteration: l.iteration, Episodes: l.episodes, EnvSteps: l.envSteps}
}

// Dynamics returns the skill dynamics (shared, not a copy).
func (l *Learner) Dynamics() *SkillDynamics { return l.dyn }

// Policy returns the skill policy π(a|o, z) (shared, not a copy); its
// observation is PolicyObs's.
func (l *Learner) Policy() *sac.Agent { return l.pol }

// Buffer returns the replay buffer (shared). Its observations are the
// task's followed by the skill.
func (l *Learner) Buffer() *replay.Buffer { return l.buf }

// PolicyObs writes the skill policy's observation for the task's
// observation obs and skill z into dst (len(dst) = Policy().ObsDim()).
func (l *Learner) PolicyObs(obs, z, dst []float64) {
	for i, j := range l.view {
		dst[i] = obs[j]
	}
	copy(dst[len(l.view):], z)
}

// Planner returns the latent-space planner over the current skill
// dynamics and policy with the Config's Planner options; it sees later
// training.
func (l *Learner) Planner() (*Planner, error) {
	return NewPlanner(l.env, l.dyn, l.pol, l.cfg.view(), l.cfg.Planner)
}

// SetPlanner replaces the Config's Planner options (defaults filled in):
// later Planner calls plan with them. Training draws a skill every
// SkillSteps steps under ResampleProb; the caller keeps SkillSteps for a
// Learner it goes on training.
func (l *Learner) SetPlanner(c PlannerConfig) error {
	cfg := l.cfg
	cfg.Planner = c.withDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	l.cfg = cfg
	return nil
}

// CollectStats summarises a Collect.
type CollectStats struct {
	Episodes int
	Steps    int
	// TaskReturn is the mean task return of the episodes, for reference:
	// DADS never trains on it.
	TaskReturn float64
}

// Collect runs whole episodes with the stochastic skill policy, one skill
// per episode (redrawn every Planner.SkillSteps steps with probability
// ResampleProb), until at least steps control steps have been run. With a
// skill-dynamics Horizon k > 1 each transition goes to the buffer with
// the skill state k steps later; an episode's last k−1 transitions, which
// have none, are left out if it ran to its time limit, and kept with the
// skill state where it ended if a task failure (a fall) ended it, so that
// the policy learns that the failure ends the episode.
func (l *Learner) Collect(steps int) (CollectStats, error) {
	var st CollectStats
	spec := l.env.Spec()
	d, k, w := l.cfg.Skills, l.cfg.Dynamics.Horizon, l.buf.ObsDim()
	z := make([]float64, d)
	in := make([]float64, l.pol.ObsDim())
	act := make([]float64, spec.ActionDim)
	var rows, nexts, acts []float64 // the episode's transitions, w and ActionDim wide
	var ends []bool
	var segs []int // each transition's skill segment (ResampleProb)
	for st.Steps < steps {
		rng := seed.Stream(l.cfg.Seed, "dads/episode", uint64(l.episodes))
		obs := l.env.Reset(rng)
		for j := range z {
			z[j] = 2*rng.Float64() - 1
		}
		rows, nexts, acts, ends, segs = rows[:0], nexts[:0], acts[:0], ends[:0], segs[:0]
		var resample *rand.Rand
		if l.cfg.ResampleProb > 0 {
			resample = seed.Stream(l.cfg.Seed, "dads/resample", uint64(l.episodes))
		}
		ret, seg := 0.0, 0
		for {
			if t := len(ends); resample != nil && t > 0 && t%l.cfg.Planner.SkillSteps == 0 && resample.Float64() < l.cfg.ResampleProb {
				for j := range z {
					z[j] = 2*resample.Float64() - 1
				}
				seg++
			}
			segs = append(segs, seg)
			l.PolicyObs(obs, z, in)
			l.pol.Act(in, act, rng)
			step, err := l.env.Step(act)
			if err != nil {
				return st, fmt.Errorf("dads: collect: %w", err)
			}
			if strings.HasPrefix(step.Info.Reason, "diverged") {
				break // the physics blew up: drop the step
			}
			rows = append(append(append(rows, obs...), z...), make([]float64, l.future)...)
			nexts = append(append(append(nexts, step.Obs...), z...), make([]float64, l.future)...)
			acts = append(acts, act...)
			ends = append(ends, step.Terminated)
			ret += step.Reward
			st.Steps++
			l.envSteps++
			obs = step.Obs
			if step.Terminated || step.Truncated {
				break
			}
		}
		n := len(ends)
		keep := max(0, n-k+1)
		if n > 0 && ends[n-1] {
			keep = n // a failure ended the episode: where it ended stands for the steps not lived
		}
		for t := range keep {
			row, next := rows[t*w:(t+1)*w], nexts[t*w:(t+1)*w]
			j := min(t+k-1, n-1)
			if segs[j] != segs[t] {
				continue // the skill changed within the k steps
			}
			if l.future > 0 {
				// The skill state k steps on is that of transition t+k−1's
				// next observation, or the last one's in a failed episode.
				f := row[l.obsDim+d:]
				l.spacer.SkillState(nexts[j*w:j*w+l.obsDim], f)
				copy(next[l.obsDim+d:], f)
			}
			tr := replay.Transition{Obs: row, Act: acts[t*spec.ActionDim : (t+1)*spec.ActionDim], Next: next, Terminated: ends[t]}
			if err := l.buf.Add(tr); err != nil {
				return st, fmt.Errorf("dads: collect: %w", err)
			}
		}
		l.episodes++
		st.Episodes++
		st.TaskReturn += ret
	}
	if st.Episodes > 0 {
		st.TaskReturn /= float64(st.Episodes)
	}
	return st, nil
}

// skillBatch extracts the skill states, skills and next skill states
// (Horizon steps on) of the n transitions of b.
func (l *Learner) skillBatch(b *replay.Batch, n int) (s, z, next []float64) {
	ds, d, w := l.dyn.StateDim(), l.cfg.Skills, l.buf.ObsDim()
	s, z, next = make([]float64, n*ds), make([]float64, n*d), make([]float64, n*ds)
	for i := range n {
		row, nrow := b.Obs[i*w:(i+1)*w], b.Next[i*w:(i+1)*w]
		l.spacer.SkillState(row[:l.obsDim], s[i*ds:(i+1)*ds])
		if l.future > 0 {
			copy(next[i*ds:(i+1)*ds], row[l.obsDim+d:])
		} else {
			l.spacer.SkillState(nrow[:l.obsDim], next[i*ds:(i+1)*ds])
		}
		copy(z[i*d:(i+1)*d], row[l.obsDim:l.obsDim+d])
	}
	return s, z, next
}

// TrainDynamics takes DynamicsSteps skill-dynamics steps on batches drawn
// from the buffer and returns the mean batch log-likelihood log q(Δs|s, z)
// before each step.
func (l *Learner) TrainDynamics() (float64, error) {
	var b replay.Batch
	var total float64
	for range l.cfg.DynamicsSteps {
		if err := l.buf.Sample(l.rng, l.cfg.DynamicsBatch, &b); err != nil {
			return 0, fmt.Errorf("dads: %w", err)
		}
		s, z, next := l.skillBatch(&b, l.cfg.DynamicsBatch)
		lp, err := l.dyn.Train(s, z, next, l.cfg.DynamicsBatch)
		if err != nil {
			return 0, err
		}
		total += lp
	}
	if l.cfg.DynamicsSteps == 0 {
		return math.NaN(), nil
	}
	return total / float64(l.cfg.DynamicsSteps), nil
}

// PolicyStats summarises a TrainPolicy: means over its updates.
type PolicyStats struct {
	RewardStats
	SAC sac.Stats
}

// TrainPolicy takes PolicySteps SAC updates, each on a batch drawn from
// the buffer whose rewards are recomputed with the current skill dynamics
// (IntrinsicReward with PriorSamples samples), as dads_agent.py's
// train_loop does.
func (l *Learner) TrainPolicy() (PolicyStats, error) {
	var st PolicyStats
	n := l.cfg.Policy.BatchSize
	var raw replay.Batch
	pb := replay.Batch{Obs: make([]float64, n*l.pol.ObsDim()), Next: make([]float64, n*l.pol.ObsDim()), Reward: make([]float64, n)}
	w, zEnd := l.buf.ObsDim(), l.obsDim+l.cfg.Skills
	for range l.cfg.PolicySteps {
		if err := l.buf.Sample(l.rng, n, &raw); err != nil {
			return st, fmt.Errorf("dads: %w", err)
		}
		s, z, next := l.skillBatch(&raw, n)
		rs, err := IntrinsicReward(l.dyn, s, z, next, n, l.cfg.PriorSamples, l.rng, pb.Reward)
		if err != nil {
			return st, err
		}
		po := l.pol.ObsDim()
		for i := range n {
			l.PolicyObs(raw.Obs[i*w:i*w+l.obsDim], raw.Obs[i*w+l.obsDim:i*w+zEnd], pb.Obs[i*po:(i+1)*po])
			l.PolicyObs(raw.Next[i*w:i*w+l.obsDim], raw.Next[i*w+l.obsDim:i*w+zEnd], pb.Next[i*po:(i+1)*po])
		}
		pb.Act, pb.Terminated = raw.Act, raw.Terminated
		u := l.pol.Update(&pb, l.rng)
		st.Reward += rs.Reward
		st.LogProb += rs.LogProb
		st.AltProb += rs.AltProb
		st.SAC.QLoss += u.QLoss
		st.SAC.PolicyLoss += u.PolicyLoss
		st.SAC.Alpha += u.Alpha
		st.SAC.Entropy += u.Entropy
		st.SAC.Q += u.Q
	}
	if k := float64(l.cfg.PolicySteps); k > 0 {
		st.Reward /= k
		st.LogProb /= k
		st.AltProb /= k
		st.SAC.QLoss /= k
		st.SAC.PolicyLoss /= k
		st.SAC.Alpha /= k
		st.SAC.Entropy /= k
		st.SAC.Q /= k
	}
	return st, nil
}

// IterStats summarises one Iterate.
type IterStats struct {
	Counters
	Collect CollectStats
	// DynamicsLogProb is TrainDynamics's mean batch log-likelihood.
	DynamicsLogProb float64
	Policy          PolicyStats
}

// Iterate runs one DADS iteration: collect CollectSteps (InitialSteps more
// on the first), train the skill dynamics, then the policy on relabelled
// rewards.
func (l *Learner) Iterate() (IterStats, error) {
	steps := l.cfg.CollectSteps
	if l.iteration == 0 && l.envSteps == 0 {
		steps += l.cfg.InitialSteps
	}
	var st IterStats
	var err error
	if st.Collect, err = l.Collect(steps); err != nil {
		return st, err
	}
	if st.DynamicsLogProb, err = l.TrainDynamics(); err != nil {
		return st, err
	}
	if st.Policy, err = l.TrainPolicy(); err != nil {
		return st, err
	}
	l.iteration++
	st.Counters = l.Counters()
	return st, nil
}

const (
	learnerMagic   = "SBXDADSL"
	learnerVersion = 1
)

// Save writes everything a resumed run needs: the config, the task id,
// the counters, the training stream's state, the skill dynamics, the
// policy (sac's Save) and the replay buffer.
func (l *Learner) Save(w io.Writer) error {
	var e enc
	cfg, err := json.Marshal(l.cfg)
	if err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	e.blob(cfg)
	e.blob([]byte(l.env.Spec().ID))
	e.int(l.iteration)
	e.int(l.episodes)
	e.int(l.envSteps)
	src, err := l.src.MarshalBinary()
	if err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	e.blob(src)
	var b bytes.Buffer
	if err := l.dyn.Save(&b); err != nil {
		return err
	}
	e.blob(b.Bytes())
	b.Reset()
	if err := l.pol.Save(&b); err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	e.blob(b.Bytes())
	b.Reset()
	if err := l.buf.Save(&b); err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	e.blob(b.Bytes())
	return writeSection(w, learnerMagic, learnerVersion, e.b)
}

// LoadLearner reads a Learner written by Save and attaches it to env,
// which must run the same task. A truncated, foreign or corrupted stream
// gives an error wrapping ErrCorrupt that names the bad part.
func LoadLearner(r io.Reader, env *tasks.Env) (*Learner, error) {
	if env == nil {
		return nil, errors.New("dads: nil env")
	}
	p, err := readSection(r, learnerMagic, learnerVersion)
	if err != nil {
		return nil, err
	}
	dc := dec{b: p}
	cfgJSON := dc.blob("config")
	id := string(dc.blob("task id"))
	iter := dc.int(math.MaxInt32, "iteration")
	eps := dc.int(math.MaxInt32, "episodes")
	steps := dc.int(math.MaxInt32, "env steps")
	srcB := dc.blob("random stream")
	dynB, polB, bufB := dc.blob("skill dynamics"), dc.blob("policy"), dc.blob("buffer")
	if dc.err != nil {
		return nil, dc.err
	}
	var cfg Config
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		return nil, fmt.Errorf("%w: config: %w", ErrCorrupt, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: config: %w", ErrCorrupt, err)
	}
	if id != env.Spec().ID {
		return nil, fmt.Errorf("dads: checkpoint is for task %q, env runs %q", id, env.Spec().ID)
	}
	l, err := NewLearner(env, cfg)
	if err != nil {
		return nil, err
	}
	if err := l.src.UnmarshalBinary(srcB); err != nil {
		return nil, fmt.Errorf("%w: random stream: %w", ErrCorrupt, err)
	}
	if l.dyn, err = LoadDynamics(bytes.NewReader(dynB)); err != nil {
		return nil, fmt.Errorf("dads: skill dynamics: %w", err)
	}
	if l.dyn.StateDim() != len(l.spacer.SkillSpace()) || l.dyn.SkillDim() != cfg.Skills || l.dyn.Config().Horizon != l.cfg.Dynamics.Horizon {
		return nil, fmt.Errorf("%w: skill dynamics of %d→%d over %d steps for a %d-dimensional skill space, %d skills and horizon %d", ErrCorrupt, l.dyn.SkillDim(), l.dyn.StateDim(), l.dyn.Config().Horizon, len(l.spacer.SkillSpace()), cfg.Skills, l.cfg.Dynamics.Horizon)
	}
	if l.pol, err = sac.Load(bytes.NewReader(polB)); err != nil {
		return nil, fmt.Errorf("%w: policy: %w", ErrCorrupt, err)
	}
	if l.pol.ObsDim() != len(l.view)+cfg.Skills || l.pol.ActDim() != env.Spec().ActionDim {
		return nil, fmt.Errorf("%w: policy of %d→%d values for %d+%d→%d", ErrCorrupt, l.pol.ObsDim(), l.pol.ActDim(), len(l.view), cfg.Skills, env.Spec().ActionDim)
	}
	if l.buf, err = replay.Load(bytes.NewReader(bufB)); err != nil {
		return nil, fmt.Errorf("%w: buffer: %w", ErrCorrupt, err)
	}
	if w := l.obsDim + cfg.Skills + l.future; l.buf.ObsDim() != w || l.buf.ActDim() != env.Spec().ActionDim {
		return nil, fmt.Errorf("%w: buffer of widths %d, %d for %d, %d", ErrCorrupt, l.buf.ObsDim(), l.buf.ActDim(), w, env.Spec().ActionDim)
	}
	l.iteration, l.episodes, l.envSteps = iter, eps, steps
	return l, nil
}

package mbrl

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"sandbox/control"
	"sandbox/mbrl/ensemble"
	"sandbox/tasks"
)

// ModelLayout splits a task's observation into what a learned model sees
// and predicts. The model's state is every observation value that is
// neither a goal part (constant within an episode: copied, not predicted)
// nor the last-action copy (known: it is the action taken). The model's
// input is the state, then the last-action parts, then the action: the
// last action carries the joint targets that rate-limited servos are still
// moving to. With derive, the task's Derived parts (tasks.Deriver) are
// left out of the state too and recomputed from each prediction.
type ModelLayout struct {
	ObsDim, ActDim int
	State          []int // observation indices the model predicts
	LastAction     []int // observation indices of the last-action copy
	// Derive recomputes the derived parts of a predicted observation; nil
	// when the model predicts them.
	Derive func(obs []float64)
}

// NewModelLayout derives the layout from a task. With derive the model
// predicts the task's primary parts only and the task computes the rest
// (the reacher's fingertip from predicted joint angles); it is an error
// for a task without derived parts.
func NewModelLayout(task tasks.Task, derive bool) (ModelLayout, error) {
	spec := task.Spec()
	l := ModelLayout{ObsDim: spec.ObsDim(), ActDim: spec.ActionDim}
	derived := false
	for _, s := range spec.Obs {
		derived = derived || s.Derived
		for i := s.Start; i < s.Start+s.Len; i++ {
			switch {
			case s.Action:
				l.LastAction = append(l.LastAction, i)
			case s.Derived && derive:
			case !s.Goal:
				l.State = append(l.State, i)
			}
		}
	}
	if derive {
		d, ok := task.(tasks.Deriver)
		if !ok || !derived {
			return l, fmt.Errorf("mbrl: task %q derives no observation parts (tasks.Deriver): \"derive\" does not apply to it", spec.ID)
		}
		l.Derive = d.Derive
	}
	if len(l.State) == 0 {
		return l, fmt.Errorf("mbrl: task %q has no observation part for a model to predict", spec.ID)
	}
	return l, nil
}

// StateDim is the width the model predicts (the ensemble's OutDim).
func (l ModelLayout) StateDim() int { return len(l.State) }

// InputActDim is the width of the model's action input (the ensemble's
// ActDim): the last-action parts and the action.
func (l ModelLayout) InputActDim() int { return len(l.LastAction) + l.ActDim }

// Split writes the model state of obs into state and the model's action
// input for taking act in obs into in.
func (l ModelLayout) Split(obs, act []float64, state, in []float32) {
	for k, i := range l.State {
		state[k] = float32(obs[i])
	}
	for k, i := range l.LastAction {
		in[k] = float32(obs[i])
	}
	for k, a := range act {
		in[len(l.LastAction)+k] = float32(a)
	}
}

// Predicted completes the predicted observation next, which holds the
// observation it was predicted from: the model's state prediction, the
// action taken as the last action, and the derived parts.
func (l ModelLayout) Predicted(next []float64, state []float32, act []float64) {
	for k, i := range l.State {
		next[i] = float64(state[k])
	}
	for k, i := range l.LastAction {
		next[i] = act[k]
	}
	if l.Derive != nil {
		l.Derive(next)
	}
}

// Dataset converts transitions (obs, act, next; row-major float64) into
// the ensemble's training set.
func (l ModelLayout) Dataset(obs, act, next []float64) ensemble.Dataset {
	n := len(obs) / l.ObsDim
	sd, ad := l.StateDim(), l.InputActDim()
	d := ensemble.Dataset{Obs: make([]float32, n*sd), Act: make([]float32, n*ad), Next: make([]float32, n*sd)}
	for r := range n {
		o := obs[r*l.ObsDim : (r+1)*l.ObsDim]
		l.Split(o, act[r*l.ActDim:(r+1)*l.ActDim], d.Obs[r*sd:(r+1)*sd], d.Act[r*ad:(r+1)*ad])
		for k, i := range l.State {
			d.Next[r*sd+k] = float32(next[r*l.ObsDim+i])
		}
	}
	return d
}

// ModelObjective scores action plans by rolling them out in a learned
// ensemble and summing the task's own reward on the predicted observations
// (PETS, Chua et al. 2018, §4–5). Each plan is followed by Particles
// particles; with TSInf each keeps one ensemble elite for the whole plan
// (balanced over elites within a plan), with TS1 it is reassigned every
// step. A predicted observation is the model's state prediction with the
// goal parts copied from the current observation, the last-action parts
// set to the (clipped) action taken and any derived parts recomputed (see
// ModelLayout), so Task.Reward and Task.Failure read it exactly like a
// real one. A particle whose predicted observation is a task failure stops
// collecting reward after that step, as the real episode would end. A
// plan's score is the mean of its particles' returns.
//
// All plans × particles advance together: one batched ensemble pass per
// plan step. A ModelObjective is not safe for concurrent use.
type ModelObjective struct {
	Ens    *ensemble.Ensemble
	Task   tasks.Task
	Layout ModelLayout
	// Particles per plan; 0 means 20 (PETS).
	Particles int
	// Propagation is TSInf (the zero value, PETS), TS1 or Expectation.
	Propagation ensemble.Propagation
	// Mean propagates the predicted means without sampling the aleatoric
	// noise (PDDM scores each plan with every member's mean prediction).
	Mean bool

	rng              *rand.Rand
	obs              []float64
	state, in, next  []float32
	members          []int
	prevObs, nextObs []float64
	ret              []float64
	alive            []bool
	act              []float64
}

// SetRand sets the stream particle noise and member assignments are drawn
// from; planning is reproducible given it.
func (o *ModelObjective) SetRand(rng *rand.Rand) { o.rng = rng }

// Objective returns the planning objective from obs. The objective keeps
// obs until the next call.
func (o *ModelObjective) Objective(obs []float64) control.Objective {
	o.obs = obs
	return o.score
}

func (o *ModelObjective) particles() int {
	if o.Particles > 0 {
		return o.Particles
	}
	return 20
}

func (o *ModelObjective) score(plans [][]float64, scores []float64) {
	l := o.Layout
	if len(plans) == 0 {
		return
	}
	if o.rng == nil {
		panic("mbrl: ModelObjective used before SetRand")
	}
	p := o.particles()
	rows := len(plans) * p
	sd, ad, od, dim := l.StateDim(), l.InputActDim(), l.ObsDim, l.ActDim
	horizon := len(plans[0]) / dim
	o.state = grow(o.state, rows*sd)
	o.in = grow(o.in, rows*ad)
	o.members = grow(o.members, rows)
	o.prevObs = grow(o.prevObs, rows*od)
	o.nextObs = grow(o.nextObs, rows*od)
	o.ret = grow(o.ret, rows)
	o.act = grow(o.act, dim)
	o.alive = grow(o.alive, rows)
	for r := range rows {
		copy(o.prevObs[r*od:(r+1)*od], o.obs)
		copy(o.nextObs[r*od:(r+1)*od], o.obs)
		for k, i := range l.State {
			o.state[r*sd+k] = float32(o.obs[i])
		}
		o.ret[r] = 0
		o.alive[r] = true
	}
	if o.Propagation == ensemble.TSInf {
		for i := range plans {
			o.Ens.AssignMembers(o.members[i*p:(i+1)*p], o.rng)
		}
	}
	noise := o.rng
	if o.Mean {
		noise = nil
	}
	nl := len(l.LastAction)
	for t := range horizon {
		for i, plan := range plans {
			a := plan[t*dim : (t+1)*dim]
			for j := range p {
				r := i*p + j
				in := o.in[r*ad : (r+1)*ad]
				prev := o.prevObs[r*od : (r+1)*od]
				for k, idx := range l.LastAction {
					in[k] = float32(prev[idx])
				}
				for k, v := range a {
					in[nl+k] = float32(v)
				}
			}
		}
		if o.Propagation == ensemble.TS1 && noise == nil {
			// TS1 needs an rng to resample members even without noise.
			o.Ens.Step(ensemble.TSInf, o.state, o.in, o.resample(), o.state, nil)
		} else {
			o.Ens.Step(o.Propagation, o.state, o.in, o.members, o.state, noise)
		}
		for i, plan := range plans {
			a := plan[t*dim : (t+1)*dim]
			for d, v := range a {
				o.act[d] = math.Max(-1, math.Min(1, v))
			}
			for j := range p {
				r := i*p + j
				if !o.alive[r] {
					continue
				}
				prev := o.prevObs[r*od : (r+1)*od]
				next := o.nextObs[r*od : (r+1)*od]
				l.Predicted(next, o.state[r*sd:(r+1)*sd], o.act)
				o.ret[r] += o.Task.Reward(prev, o.act, next, nil)
				if o.Task.Failure(next) != "" {
					o.alive[r] = false
				}
				copy(prev, next)
			}
		}
	}
	for i := range plans {
		s := 0.0
		for _, v := range o.ret[i*p : (i+1)*p] {
			s += v
		}
		scores[i] = s / float64(p)
	}
}

// resample draws every particle's member uniformly from the elites (TS1
// without noise).
func (o *ModelObjective) resample() []int {
	el := o.Ens.Elites()
	for i := range o.members {
		o.members[i] = el[o.rng.IntN(len(el))]
	}
	return o.members
}

// grow returns s resized to n, reusing its storage when it can; the
// contents are not cleared.
func grow[T any](s []T, n int) []T { return slices.Grow(s[:0], n)[:n] }

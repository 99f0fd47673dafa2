package modelenv

import (
	"math"
	"math/rand/v2"
	"slices"

	"sandbox/control"
	"sandbox/mbrl/ensemble"
	"sandbox/tasks"
)

// Objective scores action plans by rolling them out in a learned
// ensemble and summing the task's own reward on the predicted observations
// (PETS, Chua et al. 2018, §4–5). Each plan is followed by Particles
// particles; with TSInf each keeps one ensemble elite for the whole plan
// (balanced over elites within a plan), with TS1 it is reassigned every
// step. A predicted observation is the model's state prediction with the
// goal parts copied from the current observation, the last-action parts
// set to the (clipped) action taken and any derived parts recomputed (see
// Layout), so Task.Reward and Task.Failure read it exactly like a
// real one. A particle whose predicted observation is a task failure stops
// collecting reward after that step, as the real episode would end. A
// plan's score is the mean of its particles' returns.
//
// All plans × particles advance together: one batched ensemble pass per
// plan step. An Objective is not safe for concurrent use.
type Objective struct {
	Ens    *ensemble.Ensemble
	Task   tasks.Task
	Layout Layout
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
func (o *Objective) SetRand(rng *rand.Rand) { o.rng = rng }

// From returns the planning objective from obs. The objective keeps obs
// until the next call.
func (o *Objective) From(obs []float64) control.Objective {
	o.obs = obs
	return o.score
}

func (o *Objective) particles() int {
	if o.Particles > 0 {
		return o.Particles
	}
	return 20
}

func (o *Objective) score(plans [][]float64, scores []float64) {
	l := o.Layout
	if len(plans) == 0 {
		return
	}
	if o.rng == nil {
		panic("modelenv: Objective used before SetRand")
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
func (o *Objective) resample() []int {
	el := o.Ens.Elites()
	for i := range o.members {
		o.members[i] = el[o.rng.IntN(len(el))]
	}
	return o.members
}

// grow returns s resized to n, reusing its storage when it can; the
// contents are not cleared.
func grow[T any](s []T, n int) []T { return slices.Grow(s[:0], n)[:n] }

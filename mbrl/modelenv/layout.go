// Package modelenv turns a learned dynamics ensemble into an environment
// for a task: the adapter that PETS's planning (Objective) and MBPO's
// policy rollouts (Env.Rollout) both go through, and the open-loop
// diagnostics of a trained model (Diagnose). Predicted observations are
// completed exactly like real ones (goal parts copied, the last action set,
// derived parts recomputed), so the task's own Reward and Failure score
// them.
package modelenv

import (
	"fmt"

	"sandbox/mbrl/ensemble"
	"sandbox/tasks"
)

// Layout splits a task's observation into what a learned model sees
// and predicts. The model's state is every observation value that is
// neither a goal part (constant within an episode: copied, not predicted)
// nor the last-action copy (known: it is the action taken). The model's
// input is the state, then the last-action parts, then the action: the
// last action carries the joint targets that rate-limited servos are still
// moving to. With derive, the task's Derived parts (tasks.Deriver) are
// left out of the state too and recomputed from each prediction.
type Layout struct {
	ObsDim, ActDim int
	State          []int // observation indices the model predicts
	LastAction     []int // observation indices of the last-action copy
	// Derive recomputes the derived parts of a predicted observation; nil
	// when the model predicts them.
	Derive func(obs []float64)
}

// NewLayout derives the layout from a task. With derive the model
// predicts the task's primary parts only and the task computes the rest
// (the reacher's fingertip from predicted joint angles); it is an error
// for a task without derived parts.
func NewLayout(task tasks.Task, derive bool) (Layout, error) {
	spec := task.Spec()
	l := Layout{ObsDim: spec.ObsDim(), ActDim: spec.ActionDim}
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
			return l, fmt.Errorf("modelenv: task %q derives no observation parts (tasks.Deriver): \"derive\" does not apply to it", spec.ID)
		}
		l.Derive = d.Derive
	}
	if len(l.State) == 0 {
		return l, fmt.Errorf("modelenv: task %q has no observation part for a model to predict", spec.ID)
	}
	return l, nil
}

// StateDim is the width the model predicts (the ensemble's OutDim).
func (l Layout) StateDim() int { return len(l.State) }

// InputActDim is the width of the model's action input (the ensemble's
// ActDim): the last-action parts and the action.
func (l Layout) InputActDim() int { return len(l.LastAction) + l.ActDim }

// Split writes the model state of obs into state and the model's action
// input for taking act in obs into in.
func (l Layout) Split(obs, act []float64, state, in []float32) {
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
func (l Layout) Predicted(next []float64, state []float32, act []float64) {
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
func (l Layout) Dataset(obs, act, next []float64) ensemble.Dataset {
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

package modelenv

import (
	"math"
	"math/rand/v2"

	"sandbox/mbrl/ensemble"
	"sandbox/tasks"
)

// Env is a learned ensemble standing in for a task's environment.
type Env struct {
	Ens    *ensemble.Ensemble
	Task   tasks.Task
	Layout Layout
}

// BatchActor acts for a batch of observations: the policy of a rollout
// (sac.Agent). With rng it samples its actions, without it acts
// deterministically.
type BatchActor interface {
	ActBatch(obs []float64, n int, act []float64, rng *rand.Rand)
}

// Rollout runs policy for k steps in the model from the n observations in
// obs (overwritten), calling emit for every model transition with the
// task's reward and whether the predicted observation is a task failure.
// With rng the policy samples and each step draws a random elite per row
// and its predicted noise (TS1, as MBPO's branched rollouts); without it
// the policy acts deterministically and the model predicts the elites'
// mean. A row stops at a predicted failure or a non-finite prediction.
func (e Env) Rollout(policy BatchActor, obs []float64, n, k int, rng *rand.Rand, emit func(obs, act []float64, r float64, next []float64, term bool) error) error {
	l := e.Layout
	od, ad, sd, id := l.ObsDim, l.ActDim, l.StateDim(), l.InputActDim()
	act := make([]float64, n*ad)
	state, in, pred := make([]float32, n*sd), make([]float32, n*id), make([]float32, n*sd)
	next := make([]float64, od)
	for range k {
		if n == 0 {
			break
		}
		policy.ActBatch(obs[:n*od], n, act[:n*ad], rng)
		for i := range n {
			l.Split(obs[i*od:(i+1)*od], act[i*ad:(i+1)*ad], state[i*sd:(i+1)*sd], in[i*id:(i+1)*id])
		}
		if rng != nil {
			e.Ens.Step(ensemble.TS1, state[:n*sd], in[:n*id], nil, pred[:n*sd], rng)
		} else {
			e.Ens.Step(ensemble.Expectation, state[:n*sd], in[:n*id], nil, pred[:n*sd], nil)
		}
		alive := 0
		for i := range n {
			o, a := obs[i*od:(i+1)*od], act[i*ad:(i+1)*ad]
			p := pred[i*sd : (i+1)*sd]
			if !finite(p) {
				continue
			}
			copy(next, o)
			l.Predicted(next, p, a)
			term := e.Task.Failure(next) != ""
			if err := emit(o, a, e.Task.Reward(o, a, next, nil), next, term); err != nil {
				return err
			}
			if !term {
				copy(obs[alive*od:(alive+1)*od], next)
				alive++
			}
		}
		n = alive
	}
	return nil
}

// finite reports whether every value of v is finite.
func finite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

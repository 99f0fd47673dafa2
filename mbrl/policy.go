package mbrl

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/internal/seed"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/replay"
)

// policyStep runs the Schedule's work after a real env step of a policy
// algorithm: a model fit and the policy step that follows it when one is
// due, then the per-step SAC updates.
func (t *trainer) policyStep() error {
	st, s := &t.st, t.cfg.Schedule
	if st.Episodes < t.cfg.RandomEpisodes {
		return nil // still collecting random data
	}
	if s.usesModel() && (st.Fits == 0 || st.EnvSteps-st.LastFitSteps >= t.cfg.RetrainEvery) {
		if err := t.fit(); err != nil {
			return err
		}
		if err := t.policyBurst(); err != nil {
			return err
		}
		if t.opt.AfterFit != nil {
			t.opt.AfterFit(*st.LastFit)
		}
	}
	if s.UpdatesPerStep == 0 {
		return nil
	}
	rng := seed.Stream(t.cfg.Seed, "policy-update", uint64(st.EnvSteps))
	for range s.UpdatesPerStep {
		if err := t.update(rng); err != nil {
			return err
		}
	}
	return nil
}

// policyBurst takes the UpdatesPerFit SAC updates that follow a model fit,
// stopping early at convergence when the Schedule asks for it, and records
// them in the fit's FitInfo.
func (t *trainer) policyBurst() error {
	st, s := &t.st, t.cfg.Schedule
	if s.UpdatesPerFit == 0 {
		return nil
	}
	rng := seed.Stream(t.cfg.Seed, "policy-burst", uint64(st.Fits))
	var starts []float64
	if s.PolicyConverge {
		starts = t.sampleObs(rng, 256)
	}
	best, stale, done := math.Inf(-1), 0, 0
	for done < s.UpdatesPerFit {
		c := min(s.ChunkUpdates, s.UpdatesPerFit-done)
		for range c {
			if err := t.update(rng); err != nil {
				return err
			}
		}
		done += c
		if !s.PolicyConverge {
			continue
		}
		j := t.modelReturn(starts)
		st.LastFit.ModelReturns = append(st.LastFit.ModelReturns, j)
		if j > best+s.ConvergeTol*math.Abs(best) || math.IsInf(best, -1) {
			best, stale = j, 0
		} else if stale++; stale >= s.ConvergePatience {
			st.LastFit.PolicyConverged = true
			break
		}
	}
	st.LastFit.PolicyUpdates = done
	return nil
}

// update takes one SAC update on a minibatch mixing real and model
// transitions, branching a new batch of model rollouts first every
// ChunkUpdates updates.
func (t *trainer) update(rng *rand.Rand) error {
	st, s := &t.st, t.cfg.Schedule
	b := t.cfg.Policy.BatchSize
	nReal := b
	if s.usesModel() {
		if t.modelBuf == nil || t.modelBuf.Len() == 0 || st.PolicyUpdates%s.ChunkUpdates == 0 {
			if err := t.rollouts(); err != nil {
				return err
			}
		}
		nReal = int(math.Round(s.RealRatio * float64(b)))
	}
	if err := t.buf.Sample(rng, nReal, &t.realBatch); err != nil {
		return err
	}
	batch := &t.realBatch
	if nReal < b {
		if err := t.modelBuf.Sample(rng, b-nReal, &t.modelBatch); err != nil {
			return err
		}
		t.mixed = appendBatch(t.mixed, &t.realBatch, &t.modelBatch)
		batch = &t.mixed
	}
	stats := t.policy.Update(batch, rng)
	if math.IsNaN(stats.QLoss) || math.IsNaN(stats.PolicyLoss) {
		return fmt.Errorf("mbrl: SAC update %d diverged (Q loss %v, policy loss %v)", st.PolicyUpdates, stats.QLoss, stats.PolicyLoss)
	}
	t.lastStats = stats
	st.PolicyUpdates++
	return nil
}

// appendBatch returns dst holding the rows of a followed by those of b.
func appendBatch(dst replay.Batch, a, b *replay.Batch) replay.Batch {
	dst.Obs = append(append(dst.Obs[:0], a.Obs...), b.Obs...)
	dst.Act = append(append(dst.Act[:0], a.Act...), b.Act...)
	dst.Next = append(append(dst.Next[:0], a.Next...), b.Next...)
	dst.Reward = append(append(dst.Reward[:0], a.Reward...), b.Reward...)
	dst.Terminated = append(append(dst.Terminated[:0], a.Terminated...), b.Terminated...)
	return dst
}

// sampleObs draws n observations uniformly from the real buffer.
func (t *trainer) sampleObs(rng *rand.Rand, n int) []float64 {
	od := t.layout.ObsDim
	obs := make([]float64, n*od)
	for i := range n {
		copy(obs[i*od:], t.buf.At(rng.IntN(t.buf.Len())).Obs)
	}
	return obs
}

// rollouts branches Rollouts·ChunkUpdates model rollouts of the current
// length k from real states with the stochastic policy into the model
// buffer (MBPO, Janner et al. 2019, Algorithm 2). Each step samples a
// random elite per rollout and its predicted noise (TS1); a rollout ends
// early at a predicted task failure or a non-finite prediction.
func (t *trainer) rollouts() error {
	st, s := &t.st, t.cfg.Schedule
	k := s.rolloutLength(st.EnvSteps)
	n := s.Rollouts * s.ChunkUpdates
	if capacity := n * k * s.ModelRetain; t.modelBuf == nil || t.modelBuf.Capacity() != capacity {
		nb, err := replay.New(t.layout.ObsDim, t.layout.ActDim, capacity)
		if err != nil {
			return err
		}
		if t.modelBuf != nil { // keep the newest rollouts, as MBPO does when k grows
			for i := max(0, t.modelBuf.Len()-capacity); i < t.modelBuf.Len(); i++ {
				if err := nb.Add(t.modelBuf.At(i)); err != nil {
					return err
				}
			}
		}
		t.modelBuf = nb
	}
	rng := seed.Stream(t.cfg.Seed, "rollout", uint64(st.PolicyUpdates), uint64(st.EnvSteps))
	obs := t.sampleObs(rng, n)
	return t.rollout(obs, n, k, rng, func(o, a []float64, r float64, next []float64, term bool) error {
		return t.modelBuf.Add(replay.Transition{Obs: o, Act: a, Reward: r, Next: next, Terminated: term})
	})
}

// modelReturn is the mean return of the deterministic policy over
// ConvergeHorizon steps in the model (the elites' mean prediction) from
// the start observations obs.
func (t *trainer) modelReturn(obs []float64) float64 {
	n := len(obs) / t.layout.ObsDim
	total := 0.0
	t.rollout(append([]float64(nil), obs...), n, t.cfg.Schedule.ConvergeHorizon, nil, func(_, _ []float64, r float64, _ []float64, _ bool) error {
		total += r
		return nil
	})
	return total / float64(n)
}

// rollout runs the policy for k steps in the ensemble from the n
// observations in obs (overwritten), calling emit for every model
// transition. With rng it samples the policy and TS1 model noise; without
// it the policy acts deterministically and the model predicts the elites'
// mean. A row stops at a predicted failure or a non-finite prediction.
func (t *trainer) rollout(obs []float64, n, k int, rng *rand.Rand, emit func(obs, act []float64, r float64, next []float64, term bool) error) error {
	l := t.layout
	od, ad, sd, id := l.ObsDim, l.ActDim, l.StateDim(), l.InputActDim()
	act := make([]float64, n*ad)
	state, in, pred := make([]float32, n*sd), make([]float32, n*id), make([]float32, n*sd)
	next := make([]float64, od)
	task := t.env.Task()
	for range k {
		if n == 0 {
			break
		}
		t.policy.ActBatch(obs[:n*od], n, act[:n*ad], rng)
		for i := range n {
			l.Split(obs[i*od:(i+1)*od], act[i*ad:(i+1)*ad], state[i*sd:(i+1)*sd], in[i*id:(i+1)*id])
		}
		if rng != nil {
			t.ens.Step(ensemble.TS1, state[:n*sd], in[:n*id], nil, pred[:n*sd], rng)
		} else {
			t.ens.Step(ensemble.Expectation, state[:n*sd], in[:n*id], nil, pred[:n*sd], nil)
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
			term := task.Failure(next) != ""
			if err := emit(o, a, task.Reward(o, a, next, nil), next, term); err != nil {
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

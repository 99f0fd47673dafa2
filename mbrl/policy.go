package mbrl

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/mbrl/replay"
	"sandbox/mbrl/sac"
)

// policyAlgo is the family of SAC, MBPO, Dyna, PAL and MAL: a SAC policy
// acts, and the Schedule interleaves real env steps, model fits, model
// rollouts and policy updates (see Schedule). The members differ in their
// Schedule defaults only (sac.go, mbpo.go, dyna.go, pal.go, mal.go).
type policyAlgo struct {
	dynamics // nil ensemble for model-free SAC
	policy   *sac.Agent
	// modelBuf holds model rollouts; nil before the first.
	modelBuf                     *replay.Buffer
	realBatch, modelBatch, mixed replay.Batch
	lastStats                    sac.Stats
}

func newPolicyAlgo(r *Run) (Algorithm, error) {
	a := &policyAlgo{}
	if r.cfg.Schedule.usesModel() {
		var err error
		if a.dynamics, err = newDynamics(r); err != nil {
			return nil, err
		}
	}
	var err error
	if a.policy, err = sac.New(r.layout.ObsDim, r.layout.ActDim, r.cfg.Policy, seed.Stream(r.cfg.Seed, "policy-init")); err != nil {
		return nil, fmt.Errorf("mbrl: %w", err)
	}
	return a, nil
}

func loadPolicyAlgo(r *Run, parts Parts) (Algorithm, error) {
	d, err := loadDynamics(parts)
	if err != nil {
		return nil, err
	}
	a := &policyAlgo{dynamics: d}
	if err := parts.decode("policy", func(p []byte) (err error) {
		a.policy, err = sac.Load(reader(p))
		return err
	}); err != nil {
		return nil, err
	}
	if err := parts.decode("rollouts", func(p []byte) (err error) {
		a.modelBuf, err = replay.Load(reader(p))
		return err
	}); err != nil {
		return nil, err
	}
	switch {
	case a.policy == nil:
		return nil, parts.missing("policy", r.cfg.Algo)
	case r.cfg.Schedule.usesModel() && a.ens == nil:
		return nil, parts.missing("model", r.cfg.Algo)
	case a.policy.ObsDim() != r.layout.ObsDim || a.policy.ActDim() != r.layout.ActDim:
		return nil, fmt.Errorf("%w: policy of %d→%d values for a task of %d→%d", ErrCorruptCheckpoint,
			a.policy.ObsDim(), a.policy.ActDim(), r.layout.ObsDim, r.layout.ActDim)
	}
	return a, nil
}

// Controller is the stochastic policy in training, the deterministic one
// in evaluation.
func (a *policyAlgo) Controller(_ *Run, eval bool) (control.Controller, error) {
	return a.policy.Controller(eval), nil
}

func (a *policyAlgo) AfterEpisode(*Run) error { return nil }

// Report adds the SAC figures of the last update.
func (a *policyAlgo) Report(r *Run, m *Metric) error {
	if r.st.PolicyUpdates > 0 {
		alpha, q := a.lastStats.Alpha, a.lastStats.QLoss
		m.PolicyUpdates, m.Alpha, m.QLoss = r.st.PolicyUpdates, &alpha, &q
	}
	return nil
}

func (a *policyAlgo) Parts() []Part {
	var parts []Part
	if a.ens != nil {
		parts = append(parts, Part{"model", a.ens})
	}
	parts = append(parts, Part{"policy", a.policy})
	if a.modelBuf != nil {
		parts = append(parts, Part{"rollouts", a.modelBuf})
	}
	return parts
}

// Finish writes the model diagnostics of the model-based members.
func (a *policyAlgo) Finish(r *Run) error { return a.finish(r, a) }

// AfterStep runs the Schedule's work after a real env step: a model fit
// and the policy step that follows it when one is due, then the per-step
// SAC updates.
func (a *policyAlgo) AfterStep(r *Run) error {
	st, s := &r.st, r.cfg.Schedule
	if st.Episodes < r.cfg.RandomEpisodes {
		return nil // still collecting random data
	}
	if s.usesModel() && fitDue(r) {
		if err := a.fit(r); err != nil {
			return err
		}
		if err := a.burst(r); err != nil {
			return err
		}
		afterFit(r)
	}
	if s.UpdatesPerStep == 0 {
		return nil
	}
	rng := seed.Stream(r.cfg.Seed, "policy-update", uint64(st.EnvSteps))
	for range s.UpdatesPerStep {
		if err := a.update(r, rng); err != nil {
			return err
		}
	}
	return nil
}

// burst takes the UpdatesPerFit SAC updates that follow a model fit,
// stopping early at convergence when the Schedule asks for it, and records
// them in the fit's FitInfo.
func (a *policyAlgo) burst(r *Run) error {
	st, s := &r.st, r.cfg.Schedule
	if s.UpdatesPerFit == 0 {
		return nil
	}
	rng := seed.Stream(r.cfg.Seed, "policy-burst", uint64(st.Fits))
	var starts []float64
	if s.PolicyConverge {
		starts = sampleObs(r.buf, r.layout.ObsDim, rng, 256)
	}
	best, stale, done := math.Inf(-1), 0, 0
	for done < s.UpdatesPerFit {
		c := min(s.ChunkUpdates, s.UpdatesPerFit-done)
		for range c {
			if err := a.update(r, rng); err != nil {
				return err
			}
		}
		done += c
		if !s.PolicyConverge {
			continue
		}
		j := a.modelReturn(r, starts)
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
func (a *policyAlgo) update(r *Run, rng *rand.Rand) error {
	st, s := &r.st, r.cfg.Schedule
	b := r.cfg.Policy.BatchSize
	nReal := b
	if s.usesModel() {
		if a.modelBuf == nil || a.modelBuf.Len() == 0 || st.PolicyUpdates%s.ChunkUpdates == 0 {
			if err := a.rollouts(r); err != nil {
				return err
			}
		}
		nReal = int(math.Round(s.RealRatio * float64(b)))
	}
	if err := r.buf.Sample(rng, nReal, &a.realBatch); err != nil {
		return err
	}
	batch := &a.realBatch
	if nReal < b {
		if err := a.modelBuf.Sample(rng, b-nReal, &a.modelBatch); err != nil {
			return err
		}
		a.mixed = appendBatch(a.mixed, &a.realBatch, &a.modelBatch)
		batch = &a.mixed
	}
	stats := a.policy.Update(batch, rng)
	if math.IsNaN(stats.QLoss) || math.IsNaN(stats.PolicyLoss) {
		return fmt.Errorf("mbrl: SAC update %d diverged (Q loss %v, policy loss %v)", st.PolicyUpdates, stats.QLoss, stats.PolicyLoss)
	}
	a.lastStats = stats
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

// sampleObs draws n observations of od values uniformly from buf.
func sampleObs(buf *replay.Buffer, od int, rng *rand.Rand, n int) []float64 {
	obs := make([]float64, n*od)
	for i := range n {
		copy(obs[i*od:], buf.At(rng.IntN(buf.Len())).Obs)
	}
	return obs
}

// rollouts branches Rollouts·ChunkUpdates model rollouts of the current
// length k from real states with the stochastic policy into the model
// buffer (MBPO, Janner et al. 2019, Algorithm 2), through the model
// environment (modelenv.Env.Rollout).
func (a *policyAlgo) rollouts(r *Run) error {
	st, s := &r.st, r.cfg.Schedule
	k := s.rolloutLength(st.EnvSteps)
	n := s.Rollouts * s.ChunkUpdates
	if capacity := n * k * s.ModelRetain; a.modelBuf == nil || a.modelBuf.Capacity() != capacity {
		nb, err := replay.New(r.layout.ObsDim, r.layout.ActDim, capacity)
		if err != nil {
			return err
		}
		if a.modelBuf != nil { // keep the newest rollouts, as MBPO does when k grows
			for i := max(0, a.modelBuf.Len()-capacity); i < a.modelBuf.Len(); i++ {
				if err := nb.Add(a.modelBuf.At(i)); err != nil {
					return err
				}
			}
		}
		a.modelBuf = nb
	}
	rng := seed.Stream(r.cfg.Seed, "rollout", uint64(st.PolicyUpdates), uint64(st.EnvSteps))
	obs := sampleObs(r.buf, r.layout.ObsDim, rng, n)
	return a.env(r).Rollout(a.policy, obs, n, k, rng, func(o, act []float64, rew float64, next []float64, term bool) error {
		return a.modelBuf.Add(replay.Transition{Obs: o, Act: act, Reward: rew, Next: next, Terminated: term})
	})
}

// modelReturn is the mean return of the deterministic policy over
// ConvergeHorizon steps in the model (the elites' mean prediction) from
// the start observations obs.
func (a *policyAlgo) modelReturn(r *Run, obs []float64) float64 {
	n := len(obs) / r.layout.ObsDim
	total := 0.0
	a.env(r).Rollout(a.policy, append([]float64(nil), obs...), n, r.cfg.Schedule.ConvergeHorizon, nil, func(_, _ []float64, rew float64, _ []float64, _ bool) error {
		total += rew
		return nil
	})
	return total / float64(n)
}

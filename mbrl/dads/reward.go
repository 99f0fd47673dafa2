package dads

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// RewardStats summarises a batch of intrinsic rewards.
type RewardStats struct {
	Reward  float64 // mean intrinsic reward
	LogProb float64 // mean log q(Δs|s, z) of the skills that acted
	AltProb float64 // mean log q(Δs|s, z_i) over the prior samples
}

// IntrinsicReward writes into dst the DADS reward of n transitions
// s --z--> next (dads_agent.py, compute_dads_reward):
//
//	r = log(L+1) − log(1 + Σ_i exp(clip(log q(Δs|s, z_i) − log q(Δs|s, z), −50, 50)))
//
// with L prior samples z_i ~ U[−1, 1]^D per transition, drawn from rng in
// the order of the DADS code: sample by sample, transition by transition,
// component by component. All n·(L+1) log densities come from one forward
// pass. It is the estimate log q(Δs|s,z) − log((q(Δs|s,z) + Σ_i q(Δs|s,z_i))/(L+1)),
// which counts the acting skill among the samples and is at most log(L+1).
func IntrinsicReward(d *SkillDynamics, s, z, next []float64, n, samples int, rng *rand.Rand, dst []float64) (RewardStats, error) {
	if samples < 1 {
		return RewardStats{}, fmt.Errorf("dads: %d prior samples, want ≥ 1", samples)
	}
	if rng == nil {
		return RewardStats{}, errors.New("dads: nil rng")
	}
	if n < 1 {
		return RewardStats{}, fmt.Errorf("dads: intrinsic reward of %d transitions", n)
	}
	ds, dz := d.StateDim(), d.SkillDim()
	d.checkRows("s", s, n, ds)
	d.checkRows("next", next, n, ds)
	d.checkRows("z", z, n, dz)
	d.checkRows("dst", dst, n, 1)
	rows := n * (samples + 1)
	bs, bz, bn := make([]float64, rows*ds), make([]float64, rows*dz), make([]float64, rows*ds)
	for rep := range samples + 1 {
		copy(bs[rep*n*ds:], s[:n*ds])
		copy(bn[rep*n*ds:], next[:n*ds])
	}
	copy(bz, z[:n*dz])
	for i := n * dz; i < rows*dz; i++ {
		bz[i] = 2*rng.Float64() - 1
	}
	lp := make([]float64, rows)
	d.LogProb(bs, bz, bn, rows, lp)
	var st RewardStats
	for i := range n {
		var sum float64
		for rep := 1; rep <= samples; rep++ {
			alt := lp[rep*n+i]
			st.AltProb += alt
			sum += math.Exp(max(-50, min(50, alt-lp[i])))
		}
		dst[i] = math.Log(float64(samples)+1) - math.Log1p(sum)
		st.Reward += dst[i]
		st.LogProb += lp[i]
	}
	st.Reward /= float64(n)
	st.LogProb /= float64(n)
	st.AltProb /= float64(n * samples)
	return st, nil
}

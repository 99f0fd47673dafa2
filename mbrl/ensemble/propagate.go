package ensemble

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Propagation selects how Step moves particles through the ensemble
// (PETS §4.3, mbrl-lib's propagation_method).
type Propagation uint8

const (
	// TSInf (TS∞) keeps each particle on its member for the whole
	// trajectory, separating epistemic from aleatoric uncertainty; the
	// PETS default, with 20 particles per candidate.
	TSInf Propagation = iota
	// TS1 resamples every particle's member uniformly from the elites at
	// every step.
	TS1
	// Expectation moves every particle to the mean over elites of the
	// members' predicted means, with no sampled noise: deterministic. (PETS's
	// expectation baseline; mbrl-lib also samples noise around it.)
	Expectation
)

var propagationNames = [...]string{"TSInf", "TS1", "Expectation"}

// String returns the name of the propagation mode.
func (p Propagation) String() string {
	if int(p) < len(propagationNames) {
		return propagationNames[p]
	}
	return fmt.Sprintf("Propagation(%d)", uint8(p))
}

// AssignMembers fills members with a balanced random assignment of
// particles to elites, as TS∞ needs at the start of a trajectory: each elite
// gets ⌊P/K⌋ or ⌈P/K⌉ of the P particles.
func (e *Ensemble) AssignMembers(members []int, rng *rand.Rand) {
	for i := range members {
		members[i] = e.elites[i%len(e.elites)]
	}
	rng.Shuffle(len(members), func(i, j int) { members[i], members[j] = members[j], members[i] })
}

// Step advances P particles one step: obs (P×OutDim) and act (P×ActDim) to
// next (P×OutDim). next may be obs itself, updating the particles in place,
// but must not otherwise overlap it. Step does not allocate once its
// buffers have grown to the batch size (gonum's pure-Go GEMM allocates a
// little when it goes parallel on large products).
//
// With TSInf, particle p uses member members[p]; with TS1, members is first
// refilled with members drawn uniformly from the elites (members may be nil
// to discard them). A probabilistic ensemble then samples
// next = μ + σ·ε with ε ~ N(0, I) from rng; with a nil rng or a
// deterministic ensemble next is the mean μ. Expectation ignores members
// and rng and sets next to the average over elites of their means.
//
// Step panics on mismatched lengths, on a member out of range, or for TS1
// with a nil rng.
func (e *Ensemble) Step(mode Propagation, obs, act []float32, members []int, next []float32, rng *rand.Rand) {
	n := e.checkRows(obs, act)
	if len(next) != len(obs) {
		panic(fmt.Sprintf("ensemble: next of length %d for obs of length %d", len(next), len(obs)))
	}
	switch mode {
	case TSInf, TS1:
		if mode == TS1 {
			if rng == nil {
				panic("ensemble: TS1 needs an rng")
			}
			if members == nil {
				if cap(e.tsMembers) < n {
					e.tsMembers = make([]int, n)
				}
				members = e.tsMembers[:n]
			}
			for i := range members {
				members[i] = e.elites[rng.IntN(len(e.elites))]
			}
		}
		sample := rng != nil && !e.cfg.Deterministic
		var variance []float32
		if sample {
			if cap(e.vars) < len(obs) {
				e.vars = make([]float32, len(obs))
			}
			variance = e.vars[:len(obs)]
		}
		e.Predict(obs, act, members, next, variance)
		if sample {
			for i, v := range variance {
				next[i] += float32(math.Sqrt(float64(v)) * rng.NormFloat64())
			}
		}
	case Expectation:
		e.expectation(obs, act, n, next)
	default:
		panic("ensemble: unknown propagation " + mode.String())
	}
}

// expectation runs every particle through every elite and averages.
func (e *Ensemble) expectation(obs, act []float32, n int, next []float32) {
	k := len(e.elites)
	e.ensureRows(k * n)
	clear(e.counts)
	pos := 0
	for m := range e.cfg.Members { // blocks in member order
		for _, el := range e.elites {
			if el != m {
				continue
			}
			e.counts[m] = n
			for r := range n {
				e.order[pos+r] = r
			}
			pos += n
		}
	}
	out := e.forward(obs, act, e.order[:k*n], e.counts)
	od, width := e.outDim, e.net.Out()
	if cap(e.vars) < len(obs) {
		e.vars = make([]float32, len(obs))
	}
	sum := e.vars[:len(obs)] // next may alias obs
	clear(sum)
	for b := range k {
		blk := out[b*n*width : (b+1)*n*width]
		for r := range n {
			for d := range od {
				sum[r*od+d] += blk[r*width+d]
			}
		}
	}
	inv := 1 / float32(k)
	for r := range n {
		for d := range od {
			i := r*od + d
			next[i] = obs[i] + sum[i]*inv*e.outStd[d] + e.outMean[d]
		}
	}
}

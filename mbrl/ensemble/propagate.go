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
		if sample && len(e.cfg.Angles) > 0 {
			e.sampleAngles(next, variance, n, rng)
		} else if sample {
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
	no, width := e.netOut, e.net.Out()
	if cap(e.vars) < n*no {
		e.vars = make([]float32, n*no)
	}
	sum := e.vars[:n*no]
	clear(sum)
	for b := range k {
		blk := out[b*n*width : (b+1)*n*width]
		for r := range n {
			for j := range no {
				sum[r*no+j] += blk[r*width+j]
			}
		}
	}
	inv := 1 / float32(k)
	for i := range sum {
		sum[i] *= inv
	}
	od := e.outDim
	for r := range n {
		e.decodeRow(obs[r*od:(r+1)*od], sum[r*no:(r+1)*no], nil, 0, next[r*od:(r+1)*od], nil)
	}
}

// sampleAngles adds Gaussian noise of the given variance to the n rows of
// next, drawing in row order as Step does without angles, but one draw per
// angle pair: on the angle, with Var θ = Var cos + Var sin, keeping the
// pair on the unit circle.
func (e *Ensemble) sampleAngles(next, variance []float32, n int, rng *rand.Rand) {
	od := e.outDim
	for r := range n {
		row, v := next[r*od:(r+1)*od], variance[r*od:(r+1)*od]
		for j, i := range e.keep {
			si := e.sinOf[j]
			if si < 0 {
				row[i] += float32(math.Sqrt(float64(v[i])) * rng.NormFloat64())
				continue
			}
			th := math.Atan2(float64(row[si]), float64(row[i])) + math.Sqrt(float64(v[i]+v[si]))*rng.NormFloat64()
			sn, cs := math.Sincos(th)
			row[i], row[si] = float32(cs), float32(sn)
		}
	}
}

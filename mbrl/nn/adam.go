package nn

import (
	"fmt"
	"math"
)

// Adam is the Adam optimiser (Kingma and Ba 2015) with optional weight
// decay and gradient-norm clipping. The zero value is ready to use with the
// defaults of the paper and of PETS.
//
// Weight decay is coupled L2 by default, as in PETS and mbrl-lib
// (torch.optim.Adam's weight_decay): λ_i·θ_i is added to the gradient, so
// it passes through Adam's moment estimates, which is the gradient of
// Σ λ_i·θ_i²/2 added to the loss. With Decoupled set it is AdamW
// (Loshchilov and Hutter 2019): θ_i ← θ_i·(1 − α·λ_i) before the Adam step.
type Adam struct {
	// LearningRate is the step size α; default 1e-3.
	LearningRate float32
	// Beta1 is the decay rate of the first-moment estimate; default 0.9.
	Beta1 float32
	// Beta2 is the decay rate of the second-moment estimate; default 0.999.
	Beta2 float32
	// Epsilon is added to the root of the second moment; default 1e-8.
	Epsilon float32
	// Decoupled selects AdamW-style decay instead of L2 in the gradient.
	Decoupled bool
	// ClipNorm, if positive, scales the gradient passed to Step so that its
	// Euclidean norm is at most ClipNorm (before weight decay is added).
	// For an ensemble stepped as one slice the norm spans all members; to
	// clip members separately use one Adam per MLP.MemberParams(e).
	ClipNorm float32

	m, v []float32
	t    int
}

// Reset forgets the moment estimates and the step count.
func (a *Adam) Reset() {
	a.m, a.v, a.t = nil, nil, 0
}

// Steps returns the number of updates applied since the last Reset.
func (a *Adam) Steps() int { return a.t }

// Step applies one update to params given their gradients. decay, if not
// nil, holds one weight-decay coefficient per parameter (see
// MLP.DecayMask). grads is not modified. The first call fixes the
// parameter count; Step panics if a later call differs or if grads or
// decay have another length.
func (a *Adam) Step(params, grads, decay []float32) {
	n := len(params)
	if len(grads) != n || (decay != nil && len(decay) != n) {
		panic(fmt.Sprintf("nn: Adam.Step lengths %d, %d, %d differ", n, len(grads), len(decay)))
	}
	if a.m == nil {
		a.m, a.v = make([]float32, n), make([]float32, n)
	} else if len(a.m) != n {
		panic(fmt.Sprintf("nn: Adam.Step with %d parameters after %d", n, len(a.m)))
	}
	lr := orDefault(a.LearningRate, 1e-3)
	b1 := orDefault(a.Beta1, 0.9)
	b2 := orDefault(a.Beta2, 0.999)
	eps := orDefault(a.Epsilon, 1e-8)
	scale := float32(1)
	if a.ClipNorm > 0 {
		var ss float64
		for _, g := range grads {
			ss += float64(g) * float64(g)
		}
		if norm := math.Sqrt(ss); norm > float64(a.ClipNorm) {
			scale = float32(float64(a.ClipNorm) / norm)
		}
	}
	a.t++
	bc1 := float32(1 - math.Pow(float64(b1), float64(a.t)))
	bc2 := float32(1 - math.Pow(float64(b2), float64(a.t)))
	step := lr / bc1
	m, v := a.m[:n], a.v[:n]
	for i, g := range grads {
		p := params[i]
		g *= scale
		if decay != nil {
			if a.Decoupled {
				p -= lr * decay[i] * p
			} else {
				g += decay[i] * p
			}
		}
		m[i] = b1*m[i] + (1-b1)*g
		v[i] = b2*v[i] + (1-b2)*g*g
		params[i] = p - step*m[i]/(sqrt32(v[i]/bc2)+eps)
	}
}

func orDefault(x, def float32) float32 {
	if x == 0 {
		return def
	}
	return x
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

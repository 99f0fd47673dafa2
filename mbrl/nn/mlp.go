package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Config holds the options of an MLP. The zero value is the PETS default.
type Config struct {
	// Hidden is the activation after every hidden layer; default SiLU.
	Hidden Activation
	// Output is the activation after the last layer; default Identity.
	Output Activation
}

// MLP is an ensemble of Members() multilayer perceptrons of identical
// architecture whose parameters live in one contiguous slice.
//
// Params is member-major: member e owns Params[e·P:(e+1)·P] with P =
// len(Params)/Members(), and within a member every layer l stores its
// weights W_l as a row-major In_l×Out_l matrix followed by its bias b_l of
// length Out_l. A layer computes y = f(x·W_l + b_l) for a row vector x.
// Grads has the same layout and accumulates gradients in Backward.
type MLP struct {
	// Params holds every weight and bias; see the type documentation.
	Params []float32
	// Grads holds the gradients with respect to Params, accumulated by
	// Backward and cleared by ZeroGrad.
	Grads []float32

	members   int
	sizes     []int
	hidden    Activation
	output    Activation
	layers    []layer
	memberLen int
}

// layer locates one dense layer inside a member's parameter block.
type layer struct {
	in, out int
	w, b    int // offsets of the weights and bias within a member block
}

// maxParams bounds the parameter count of an MLP so that offsets fit in an
// int on every platform and a corrupt checkpoint cannot ask for more.
const maxParams = 1 << 30

// NewMLP returns an ensemble of members perceptrons with layer widths sizes
// (input, hidden..., output), initialised from rng as in PETS and mbrl-lib:
// weights from a normal distribution with standard deviation 1/(2√In)
// truncated at two standard deviations, biases zero. The same rng state
// gives the same parameters.
func NewMLP(members int, sizes []int, cfg Config, rng *rand.Rand) (*MLP, error) {
	if rng == nil {
		return nil, errors.New("nn: nil rng")
	}
	m, err := newMLP(members, sizes, cfg.Hidden.or(SiLU), cfg.Output.or(Identity))
	if err != nil {
		return nil, err
	}
	m.Params = make([]float32, m.members*m.memberLen)
	m.Grads = make([]float32, len(m.Params))
	for e := range m.members {
		for l, ly := range m.layers {
			std := 1 / (2 * sqrt32(float32(ly.in)))
			w := m.Weights(e, l)
			for i := range w {
				z := rng.NormFloat64()
				for z < -2 || z > 2 {
					z = rng.NormFloat64()
				}
				w[i] = std * float32(z)
			}
		}
	}
	return m, nil
}

// newMLP validates the architecture and lays out the parameters without
// allocating them.
func newMLP(members int, sizes []int, hidden, output Activation) (*MLP, error) {
	if members < 1 {
		return nil, fmt.Errorf("nn: members = %d, want ≥ 1", members)
	}
	if len(sizes) < 2 {
		return nil, fmt.Errorf("nn: %d layer sizes, want ≥ 2 (input and output)", len(sizes))
	}
	if !hidden.valid() || hidden == Default || !output.valid() || output == Default {
		return nil, fmt.Errorf("nn: invalid activations %v, %v", hidden, output)
	}
	m := &MLP{
		members: members,
		sizes:   append([]int(nil), sizes...),
		hidden:  hidden,
		output:  output,
		layers:  make([]layer, len(sizes)-1),
	}
	total := 0
	for l := range m.layers {
		in, out := sizes[l], sizes[l+1]
		if in < 1 || out < 1 || in > maxParams || out > maxParams {
			return nil, fmt.Errorf("nn: layer sizes %v must be positive", sizes)
		}
		m.layers[l] = layer{in: in, out: out, w: total, b: total + in*out}
		total += in*out + out
		if total > maxParams/members {
			return nil, fmt.Errorf("nn: %d members of sizes %v exceed %d parameters", members, sizes, maxParams)
		}
	}
	m.memberLen = total
	return m, nil
}

// Members returns the number of ensemble members.
func (m *MLP) Members() int { return m.members }

// Sizes returns the layer widths: input, hidden..., output.
func (m *MLP) Sizes() []int { return append([]int(nil), m.sizes...) }

// In returns the input width.
func (m *MLP) In() int { return m.sizes[0] }

// Out returns the output width.
func (m *MLP) Out() int { return m.sizes[len(m.sizes)-1] }

// Layers returns the number of dense layers, len(Sizes())-1.
func (m *MLP) Layers() int { return len(m.layers) }

// Activations returns the hidden and output activations.
func (m *MLP) Activations() (hidden, output Activation) { return m.hidden, m.output }

// MemberParams returns the parameters of member e, a view into Params.
func (m *MLP) MemberParams(e int) []float32 {
	return m.Params[e*m.memberLen : (e+1)*m.memberLen : (e+1)*m.memberLen]
}

// MemberGrads returns the gradients of member e, a view into Grads.
func (m *MLP) MemberGrads(e int) []float32 {
	return m.Grads[e*m.memberLen : (e+1)*m.memberLen : (e+1)*m.memberLen]
}

// Weights returns the In×Out row-major weight matrix of layer l of member
// e, a view into Params.
func (m *MLP) Weights(e, l int) []float32 {
	ly := m.layers[l]
	o := e*m.memberLen + ly.w
	return m.Params[o : o+ly.in*ly.out : o+ly.in*ly.out]
}

// Bias returns the bias of layer l of member e, a view into Params.
func (m *MLP) Bias(e, l int) []float32 {
	ly := m.layers[l]
	o := e*m.memberLen + ly.b
	return m.Params[o : o+ly.out : o+ly.out]
}

// ZeroGrad sets every gradient to zero.
func (m *MLP) ZeroGrad() { clear(m.Grads) }

// DecayMask returns per-parameter weight-decay coefficients for Adam.Step:
// perLayer[l] for the weights of layer l (perLayer[len-1] for any layer
// beyond the slice) and zero for biases, as in PETS, which adds
// Σ_l λ_l·½‖W_l‖² to the loss.
func (m *MLP) DecayMask(perLayer []float32) []float32 {
	mask := make([]float32, len(m.Params))
	if len(perLayer) == 0 {
		return mask
	}
	for e := range m.members {
		for l, ly := range m.layers {
			lambda := perLayer[min(l, len(perLayer)-1)]
			o := e*m.memberLen + ly.w
			w := mask[o : o+ly.in*ly.out]
			for i := range w {
				w[i] = lambda
			}
		}
	}
	return mask
}

// CopyFrom copies the parameters of src, which must have the same
// architecture, into m. It panics otherwise.
func (m *MLP) CopyFrom(src *MLP) {
	if !m.sameShape(src) {
		panic("nn: CopyFrom between different architectures")
	}
	copy(m.Params, src.Params)
}

func (m *MLP) sameShape(o *MLP) bool {
	if m.members != o.members || m.hidden != o.hidden || m.output != o.output || len(m.sizes) != len(o.sizes) {
		return false
	}
	for i, s := range m.sizes {
		if o.sizes[i] != s {
			return false
		}
	}
	return true
}

func (m *MLP) maxWidth() int {
	w := 0
	for _, s := range m.sizes {
		w = max(w, s)
	}
	return w
}

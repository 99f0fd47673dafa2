package nn

import (
	"fmt"
	"math"
)

// Activation is an elementwise nonlinearity applied after a dense layer.
type Activation uint8

const (
	// Default selects the documented default of the field it is assigned
	// to: SiLU for hidden layers and Identity for the output layer.
	Default Activation = iota
	// SiLU is x·σ(x), also called Swish, the activation of PETS and MBPO.
	SiLU
	// ReLU is max(x, 0).
	ReLU
	// Tanh is the hyperbolic tangent.
	Tanh
	// Identity leaves its input unchanged.
	Identity
)

var activationNames = [...]string{"Default", "SiLU", "ReLU", "Tanh", "Identity"}

// String returns the name of the activation.
func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", uint8(a))
}

func (a Activation) valid() bool { return a <= Identity }

// or returns a, or def if a is Default.
func (a Activation) or(def Activation) Activation {
	if a == Default {
		return def
	}
	return a
}

// apply sets dst[i] = f(src[i]) for inference; dst may alias src.
func (a Activation) apply(dst, src []float32) {
	if a == SiLU {
		silu(dst, dst[:len(src)], src)
		return
	}
	a.forward(dst, src)
}

// forward sets y[i] = f(z[i]) for training and may overwrite z with what
// grad needs instead: σ(z) for SiLU. y must not alias z unless f is the
// identity.
func (a Activation) forward(y, z []float32) {
	y = y[:len(z)]
	switch a {
	case SiLU:
		silu(y, z, z)
	case ReLU:
		for i, v := range z {
			y[i] = max(v, 0)
		}
	case Tanh:
		for i, v := range z {
			y[i] = float32(math.Tanh(float64(v)))
		}
	case Identity:
		copy(y, z)
	default:
		panic("nn: invalid activation " + a.String())
	}
}

// grad sets dz[i] = da[i]·f'(z[i]) from the outputs y = f(z) and what
// forward left in aux; dz may alias da. For SiLU, aux holds s = σ(z) and
// f' = s·(1 + z·(1 − s)) = s + y·(1 − s).
func (a Activation) grad(dz, da, aux, y []float32) {
	dz = dz[:len(da)]
	y = y[:len(da)]
	switch a {
	case SiLU:
		aux = aux[:len(da)]
		for i, g := range da {
			s := aux[i]
			dz[i] = g * (s + y[i]*(1-s))
		}
	case ReLU:
		for i, g := range da {
			if y[i] > 0 {
				dz[i] = g
			} else {
				dz[i] = 0
			}
		}
	case Tanh:
		for i, g := range da {
			dz[i] = g * (1 - y[i]*y[i])
		}
	case Identity:
		copy(dz, da)
	default:
		panic("nn: invalid activation " + a.String())
	}
}

// siluGeneric sets s[i] = σ(z[i]) and y[i] = z[i]·s[i]. Each z[i] is read
// before s[i] and y[i] are written, so any of the slices may alias.
func siluGeneric(y, s, z []float32) {
	y, s = y[:len(z)], s[:len(z)]
	for i, v := range z {
		sig := 1 / (1 + expf(-v))
		s[i] = sig
		y[i] = v * sig
	}
}

// expf returns e**x in float32 with a relative error below 2e-7 for
// x in [-87, 88]; inputs outside are clamped there, which keeps 2**n a
// normal number and the result finite. It is the Cephes expf polynomial:
// x = n·ln2 + r with |r| ≤ ln2/2 and e**r by a degree-7 minimax fit, about
// ten times faster than float64 math.Exp.
func expf(x float32) float32 {
	const (
		hi    = 88
		lo    = -87
		log2e = 1.44269504088896341
		ln2hi = 0.693359375
		ln2lo = -2.12194440e-4
	)
	if x > hi {
		x = hi
	} else if x < lo {
		x = lo
	}
	t := x * log2e
	var n int32
	if t >= 0 {
		n = int32(t + 0.5)
	} else {
		n = int32(t - 0.5)
	}
	fn := float32(n)
	r := x - fn*ln2hi - fn*ln2lo
	p := ((((1.9875691500e-4*r+1.3981999507e-3)*r+8.3334519073e-3)*r+4.1665795894e-2)*r+1.6666665459e-1)*r + 5.0000001201e-1
	y := p*(r*r) + r + 1
	return y * math.Float32frombits(uint32(n+127)<<23)
}

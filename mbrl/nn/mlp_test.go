package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refForward evaluates member e of m on one row in float64.
func refForward(m *MLP, params []float64, e int, x []float64) []float64 {
	h := x
	for l, ly := range m.layers {
		o := e*m.memberLen + ly.w
		ob := e*m.memberLen + ly.b
		y := make([]float64, ly.out)
		for j := range y {
			s := params[ob+j]
			for i := range ly.in {
				s += h[i] * params[o+i*ly.out+j]
			}
			y[j] = refAct(m.activation(l), s)
		}
		h = y
	}
	return h
}

func refAct(a Activation, z float64) float64 {
	switch a {
	case SiLU:
		return z / (1 + math.Exp(-z))
	case ReLU:
		return math.Max(z, 0)
	case Tanh:
		return math.Tanh(z)
	}
	return z
}

// refLoss is Σ_r Σ_j c[r,j]·y[r,j] over rows grouped by counts, in float64.
func refLoss(m *MLP, params []float64, x []float64, counts []int, c []float64) float64 {
	in, out := m.In(), m.Out()
	var loss float64
	r := 0
	for e, n := range counts {
		for range n {
			y := refForward(m, params, e, x[r*in:(r+1)*in])
			for j, v := range y {
				loss += c[r*out+j] * v
			}
			r++
		}
	}
	return loss
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

func TestForwardBackwardAgainstFloat64(t *testing.T) {
	tests := []struct {
		hidden, output Activation
		sizes          []int
		counts         []int
	}{
		{SiLU, Identity, []int{3, 8, 7, 4}, []int{5, 5, 5}},
		{ReLU, Identity, []int{3, 8, 4}, []int{2, 0, 6}},
		{Tanh, Tanh, []int{2, 6, 6, 3}, []int{4, 1}},
		{Identity, SiLU, []int{4, 5, 2}, []int{3}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v-%v-%v", tt.hidden, tt.output, tt.counts), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			m, err := NewMLP(len(tt.counts), tt.sizes, Config{Hidden: tt.hidden, Output: tt.output}, rng)
			require.NoError(t, err)
			for i := range m.Params { // non-zero biases and O(1) pre-activations
				m.Params[i] += 0.3 * float32(rng.NormFloat64())
			}
			rows := 0
			for _, c := range tt.counts {
				rows += c
			}
			x := randSlice(rng, rows*m.In())
			c := randSlice(rng, rows*m.Out())

			ws := m.NewWorkspace(rows + 3)
			y := m.ForwardGroups(ws, x, tt.counts)
			inf := m.NewInferenceWorkspace(rows)
			yi := m.ForwardGroups(inf, x, tt.counts)
			p64 := to64(m.Params)
			r := 0
			for e, n := range tt.counts {
				for range n {
					want := refForward(m, p64, e, to64(x[r*m.In():(r+1)*m.In()]))
					for j, w := range want {
						// float32 rounding over a few layers of short sums,
						// plus expf's 2e-7 relative error: 1e-5 has margin.
						assert.InDelta(t, w, y[r*m.Out()+j], 1e-5*(1+math.Abs(w)), "row %d out %d", r, j)
						assert.Equal(t, y[r*m.Out()+j], yi[r*m.Out()+j], "inference workspace row %d", r)
					}
					r++
				}
			}

			m.ZeroGrad()
			dx := make([]float32, len(x))
			m.Backward(ws, c, dx)
			c64, x64 := to64(c), to64(x)
			// Central differences of the float64 reference with h = 1e-6
			// are exact to ~1e-9 (truncation h², rounding 1e-16/h); the
			// float32 backward pass is exact to ~1e-6 relative, so 1e-4
			// leaves a wide margin while catching any wrong term.
			const h, tol = 1e-6, 1e-4
			for i := range p64 {
				save := p64[i]
				p64[i] = save + h
				lp := refLoss(m, p64, x64, tt.counts, c64)
				p64[i] = save - h
				lm := refLoss(m, p64, x64, tt.counts, c64)
				p64[i] = save
				fd := (lp - lm) / (2 * h)
				assert.InDelta(t, fd, m.Grads[i], tol*(1+math.Abs(fd)), "∂L/∂θ[%d]", i)
			}
			for i := range x64 {
				save := x64[i]
				x64[i] = save + h
				lp := refLoss(m, p64, x64, tt.counts, c64)
				x64[i] = save - h
				lm := refLoss(m, p64, x64, tt.counts, c64)
				x64[i] = save
				fd := (lp - lm) / (2 * h)
				assert.InDelta(t, fd, dx[i], tol*(1+math.Abs(fd)), "∂L/∂x[%d]", i)
			}

			// BackwardInput gives the same ∂L/∂x and leaves Grads alone.
			g := append([]float32(nil), m.Grads...)
			dx2 := make([]float32, len(x))
			m.BackwardInput(ws, c, dx2)
			assert.Equal(t, dx, dx2)
			assert.Equal(t, g, m.Grads)

			// Gradients accumulate across calls.
			m.Backward(ws, c, nil)
			for i := range g {
				assert.InDelta(t, 2*g[i], m.Grads[i], 1e-6*(1+math.Abs(float64(g[i]))))
			}
		})
	}
}

func TestExpf(t *testing.T) {
	for x := float32(-87); x <= 88; x += 0.01 {
		want := math.Exp(float64(x))
		got := float64(expf(x))
		if math.Abs(got-want) > 3e-7*want {
			t.Fatalf("expf(%v) = %v, want %v", x, got, want)
		}
	}
	assert.False(t, math.IsInf(float64(expf(1000)), 0))
}

func TestNewMLPErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	tests := []struct {
		name    string
		members int
		sizes   []int
		cfg     Config
	}{
		{"no members", 0, []int{2, 2}, Config{}},
		{"one size", 1, []int{2}, Config{}},
		{"zero width", 1, []int{2, 0, 2}, Config{}},
		{"bad activation", 1, []int{2, 2}, Config{Hidden: 9}},
		{"too big", 1 << 20, []int{1 << 12, 1 << 12}, Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMLP(tt.members, tt.sizes, tt.cfg, rng)
			assert.Error(t, err)
		})
	}
	_, err := NewMLP(1, []int{2, 2}, Config{}, nil)
	assert.Error(t, err)
}

func TestInitDeterministicAndScaled(t *testing.T) {
	a, err := NewMLP(3, []int{50, 40, 2}, Config{}, rand.New(rand.NewPCG(7, 7)))
	require.NoError(t, err)
	b, err := NewMLP(3, []int{50, 40, 2}, Config{}, rand.New(rand.NewPCG(7, 7)))
	require.NoError(t, err)
	assert.Equal(t, a.Params, b.Params)
	w := a.Weights(1, 0)
	var ss float64
	for _, v := range w {
		ss += float64(v) * float64(v)
		// truncation at 2σ with σ = 1/(2√50)
		assert.LessOrEqual(t, math.Abs(float64(v)), 2/(2*math.Sqrt(50))+1e-7)
	}
	// A normal truncated at ±2σ has standard deviation 0.88σ; 2000 draws
	// estimate it to about 2%.
	std := math.Sqrt(ss / float64(len(w)))
	assert.InDelta(t, 0.88/(2*math.Sqrt(50)), std, 0.1/(2*math.Sqrt(50)))
	for _, v := range a.Bias(2, 1) {
		assert.Zero(t, v)
	}
}

func TestForwardAllocs(t *testing.T) {
	m, err := NewMLP(5, []int{6, 16, 16, 4}, Config{}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	ws := m.NewWorkspace(5 * 32)
	x := make([]float32, 5*32*6)
	dy := make([]float32, 5*32*4)
	allocs := testing.AllocsPerRun(10, func() {
		m.Forward(ws, x, 32)
		m.Backward(ws, dy, nil)
	})
	assert.Zero(t, allocs)
}

func TestDecayMask(t *testing.T) {
	m, err := NewMLP(2, []int{2, 3, 1}, Config{}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	mask := m.DecayMask([]float32{1, 2})
	// member block: W0 (6) b0 (3) W1 (3) b1 (1)
	want := []float32{1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2, 0}
	assert.Equal(t, append(append([]float32(nil), want...), want...), mask)
}

func TestSiLUKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for n := range 40 {
		z := randSlice(rng, n)
		for i := range z {
			z[i] *= 8
		}
		if n > 5 {
			z[0], z[1], z[2], z[3], z[4] = 0, 100, -100, 88.5, -87.5
		}
		y, s := make([]float32, n), make([]float32, n)
		silu(y, s, z)
		inPlace := append([]float32(nil), z...)
		silu(inPlace, inPlace, inPlace)
		for i, v := range z {
			sig := 1 / (1 + math.Exp(-float64(v)))
			// Both kernels use expf (relative error 2e-7) and one division.
			assert.InDelta(t, sig, s[i], 4e-7*sig+1e-30, "σ(%v), n=%d", v, n)
			assert.InDelta(t, float64(v)*sig, y[i], 4e-7*math.Abs(float64(v))*sig+1e-30, "silu(%v)", v)
			assert.Equal(t, y[i], inPlace[i], "aliased output")
		}
	}
}

// TestPortableKernels reruns the float64 comparison with the portable SiLU
// when the AVX2 kernel would otherwise run.
func TestPortableKernels(t *testing.T) {
	if !useAVX2 {
		t.Skip("portable kernel already in use")
	}
	useAVX2 = false
	defer func() { useAVX2 = true }()
	TestForwardBackwardAgainstFloat64(t)
	TestSiLUKernels(t)
}

package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdamFirstStep(t *testing.T) {
	// After one step m̂ = g and v̂ = g², so every parameter moves by
	// α·g/(|g|+ε) ≈ α·sign(g), whatever the gradient's scale.
	tests := []struct {
		name      string
		adam      Adam
		p, g, dec float32
		want      float32
	}{
		{"plain", Adam{LearningRate: 0.1}, 1, 3, 0, 0.9},
		{"tiny gradient", Adam{LearningRate: 0.1}, 1, -1e-3, 0, 1.1},
		{"L2 decay only", Adam{LearningRate: 0.1}, 2, 0, 0.5, 1.9},
		{"decoupled decay only", Adam{LearningRate: 0.1, Decoupled: true}, 2, 0, 0.5, 2 * (1 - 0.1*0.5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := []float32{tt.p}
			tt.adam.Step(p, []float32{tt.g}, []float32{tt.dec})
			// ε = 1e-8 against |g| ≥ 1e-3 shortens the step α = 0.1 by at
			// most 1e-6; float32 rounding of p adds ~1e-7.
			assert.InDelta(t, tt.want, p[0], 2e-6)
		})
	}
}

func TestAdamClipNorm(t *testing.T) {
	g1 := []float32{3, 4} // norm 5
	g2 := []float32{0.3, -0.1}
	clipped := Adam{ClipNorm: 1}
	plain := Adam{}
	p1 := []float32{1, 1}
	p2 := []float32{1, 1}
	clipped.Step(p1, g1, nil)
	plain.Step(p2, []float32{0.6, 0.8}, nil)
	clipped.Step(p1, g2, nil) // below the threshold: unchanged
	plain.Step(p2, g2, nil)
	for i := range p1 {
		assert.InDelta(t, p2[i], p1[i], 1e-7)
	}
	assert.Equal(t, []float32{3, 4}, g1, "Step must not modify grads")
	assert.Equal(t, 2, clipped.Steps())
}

func TestAdamFitsRegression(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	m, err := NewMLP(2, []int{1, 32, 32, 1}, Config{}, rng)
	require.NoError(t, err)
	const n = 128
	x := make([]float32, 2*n)
	y := make([]float32, 2*n)
	for i := range n {
		v := float32(2*rng.Float64() - 1)
		x[i], x[n+i] = v, v
		y[i] = float32(math.Sin(3 * float64(v)))
		y[n+i] = v * v
	}
	ws := m.NewWorkspace(2 * n)
	dy := make([]float32, 2*n)
	opt := Adam{LearningRate: 3e-3}
	decay := m.DecayMask([]float32{1e-5})
	mse := func() [2]float64 {
		out := m.Forward(ws, x, n)
		var s [2]float64
		for i, o := range out {
			d := float64(o - y[i])
			s[i/n] += d * d / n
		}
		return s
	}
	start := mse()
	for range 1500 {
		out := m.Forward(ws, x, n)
		for i, o := range out {
			dy[i] = 2 * (o - y[i]) / n
		}
		m.ZeroGrad()
		m.Backward(ws, dy, nil)
		opt.Step(m.Params, m.Grads, decay)
	}
	end := mse()
	for e := range 2 {
		// Both targets have variance ≥ 0.09; a 32×32 SiLU net fits these
		// smooth functions to well under 1e-3 in 1500 full-batch steps.
		assert.Less(t, end[e], 1e-3, "member %d MSE (start %g)", e, start[e])
	}
}

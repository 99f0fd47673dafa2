package nn

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adamRun steps opt k times on params with gradients drawn from rng.
func adamRun(opt *Adam, params []float32, rng *rand.Rand, k int) {
	g := make([]float32, len(params))
	for range k {
		for i := range g {
			g[i] = float32(rng.NormFloat64())
		}
		opt.Step(params, g, nil)
	}
}

func TestAdamStateResumesBitIdentically(t *testing.T) {
	tests := []struct {
		name string
		save func(src, dst *Adam) error
	}{
		{"State/SetState", func(src, dst *Adam) error {
			m, v, st := src.State()
			*dst = Adam{LearningRate: src.LearningRate, Beta2: src.Beta2, ClipNorm: src.ClipNorm}
			return dst.SetState(m, v, st)
		}},
		{"MarshalBinary", func(src, dst *Adam) error {
			b, err := src.MarshalBinary()
			if err != nil {
				return err
			}
			return dst.UnmarshalBinary(b)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := Adam{LearningRate: 0.01, Beta2: 0.99, ClipNorm: 3}
			p := []float32{1, -2, 3, 0.5}
			adamRun(&ref, p, rand.New(rand.NewPCG(1, 2)), 5)
			var resumed Adam
			require.NoError(t, tt.save(&ref, &resumed))
			assert.Equal(t, ref.Steps(), resumed.Steps())
			q := append([]float32(nil), p...)
			adamRun(&ref, p, rand.New(rand.NewPCG(3, 4)), 7)
			adamRun(&resumed, q, rand.New(rand.NewPCG(3, 4)), 7)
			assert.Equal(t, p, q, "parameters after resuming")
			assert.Equal(t, ref, resumed)
		})
	}
}

func TestAdamStateFresh(t *testing.T) {
	var a Adam
	m, v, st := a.State()
	assert.Nil(t, m)
	assert.Nil(t, v)
	assert.Zero(t, st)
	b, err := a.MarshalBinary()
	require.NoError(t, err)
	got := Adam{LearningRate: 5}
	adamRun(&got, []float32{1}, rand.New(rand.NewPCG(1, 1)), 2)
	require.NoError(t, got.UnmarshalBinary(b))
	assert.Equal(t, a, got)
}

func TestAdamStateErrors(t *testing.T) {
	var a Adam
	assert.Error(t, a.SetState([]float32{1}, []float32{1, 2}, 1), "length mismatch")
	assert.Error(t, a.SetState([]float32{1}, []float32{1}, 0), "moments without steps")
	assert.Error(t, a.SetState(nil, nil, 3), "steps without moments")
	assert.Error(t, a.SetState([]float32{1}, []float32{1}, -1), "negative steps")

	src := Adam{LearningRate: 0.1}
	adamRun(&src, []float32{1, 2, 3}, rand.New(rand.NewPCG(1, 1)), 3)
	good, err := src.MarshalBinary()
	require.NoError(t, err)
	for n := range len(good) {
		dst := Adam{}
		err := dst.UnmarshalBinary(good[:n])
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("UnmarshalBinary(first %d of %d bytes) error = %v, want ErrCorrupt", n, len(good), err)
		}
		assert.Equal(t, Adam{}, dst, "a failed UnmarshalBinary must leave the optimiser unchanged")
	}
	bad := append([]byte(nil), good...)
	bad[0] = 9
	assert.ErrorIs(t, new(Adam).UnmarshalBinary(bad), ErrCorrupt, "version")
	bad = append([]byte(nil), good...)
	bad[21] = 2
	assert.ErrorIs(t, new(Adam).UnmarshalBinary(bad), ErrCorrupt, "Decoupled flag")
	bad = append(append([]byte(nil), good...), 0)
	assert.ErrorIs(t, new(Adam).UnmarshalBinary(bad), ErrCorrupt, "trailing byte")
}

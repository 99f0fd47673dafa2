package ensemble

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/nn"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	for _, cfg := range []Config{
		{Hidden: []int{8, 8}, Members: 4, Elites: 3},
		{Hidden: []int{8}, Deterministic: true, Activation: nn.Tanh},
	} {
		e, _ := trained(t, linear, cfg, 200, TrainConfig{Epochs: 2}, 10)
		var buf bytes.Buffer
		require.NoError(t, e.Save(&buf))
		got, err := Load(&buf)
		require.NoError(t, err)
		assert.Zero(t, buf.Len(), "Load consumes the whole stream")
		assert.Equal(t, e.Config(), got.Config())
		assert.Equal(t, e.Elites(), got.Elites())

		d := linear.data(20, rand.New(rand.NewPCG(1, 2)))
		ms := make([]int, 20)
		e.AssignMembers(ms, rand.New(rand.NewPCG(3, 4)))
		m1, v1 := make([]float32, 40), make([]float32, 40)
		m2, v2 := make([]float32, 40), make([]float32, 40)
		e.Predict(d.Obs, d.Act, ms, m1, v1)
		got.Predict(d.Obs, d.Act, ms, m2, v2)
		assert.Equal(t, m1, m2)
		assert.Equal(t, v1, v2)
	}
}

func TestLoadCorrupt(t *testing.T) {
	e, err := New(3, 2, Config{Hidden: []int{3}, Members: 2}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, e.Save(&buf))
	good := buf.Bytes()
	isCorrupt := func(err error) bool { return errors.Is(err, ErrCorrupt) || errors.Is(err, nn.ErrCorrupt) }
	for n := range len(good) {
		if _, err := Load(bytes.NewReader(good[:n])); !isCorrupt(err) {
			t.Fatalf("Load(first %d of %d bytes) error = %v, want ErrCorrupt", n, len(good), err)
		}
	}
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0x10
		if _, err := Load(bytes.NewReader(bad)); !isCorrupt(err) {
			t.Fatalf("Load(byte %d flipped) error = %v, want ErrCorrupt", i, err)
		}
	}
}

package nn

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSaveLoadRoundTrip(t *testing.T) {
	m, err := NewMLP(3, []int{4, 7, 5, 2}, Config{Hidden: Tanh}, rand.New(rand.NewPCG(5, 6)))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	buf.WriteString("trailing data")
	got, err := Load(&buf)
	require.NoError(t, err)
	assert.Equal(t, "trailing data", buf.String(), "Load must stop after the model")
	assert.Equal(t, m.Params, got.Params)
	assert.Equal(t, m.Sizes(), got.Sizes())
	assert.Equal(t, m.Members(), got.Members())
	h, o := got.Activations()
	assert.Equal(t, Tanh, h)
	assert.Equal(t, Identity, o)
	x := randSlice(rand.New(rand.NewPCG(1, 1)), 3*2*4)
	assert.Equal(t, m.Forward(m.NewInferenceWorkspace(6), x, 2), got.Forward(got.NewInferenceWorkspace(6), x, 2))
}

func TestLoadCorrupt(t *testing.T) {
	m, err := NewMLP(2, []int{3, 4, 2}, Config{}, rand.New(rand.NewPCG(5, 6)))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	good := buf.Bytes()

	for n := range len(good) {
		_, err := Load(bytes.NewReader(good[:n]))
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Load(first %d of %d bytes) error = %v, want ErrCorrupt", n, len(good), err)
		}
	}
	for i := range good {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(good)
			bad[i] ^= bit
			if _, err := Load(bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load(byte %d ^ %#x) error = %v, want ErrCorrupt", i, bit, err)
			}
		}
	}
	// A header claiming 2³⁰ parameters must fail on the short stream, not
	// allocate them up front.
	huge := bytes.Clone(good[:20])
	huge = append(huge, 2, 0, 0, 0, 0, 0, 1, 0, 0, 4, 0, 0, 1, 4)
	_, err = Load(bytes.NewReader(huge))
	assert.ErrorIs(t, err, ErrCorrupt)
}

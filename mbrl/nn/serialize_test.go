package nn

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/frame"
	"sandbox/internal/frame/frametest"
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
}

// TestLoadLyingSizes: a well-framed payload, or a version-1 stream, whose
// sizes claim 2³⁰ parameters must fail on the short stream, not allocate
// them up front.
func TestLoadLyingSizes(t *testing.T) {
	var e frame.Encoder
	for _, v := range []int{1, 2, 1 << 15, 1<<15 - 1} {
		e.Int32(v)
	}
	e.Uint8(uint8(ReLU))
	e.Uint8(uint8(Identity))
	e.Float32s(make([]float32, 10))
	var framed bytes.Buffer
	require.NoError(t, frame.Write(&framed, magic, version, e.Bytes()))
	v1 := append([]byte(magic), 1, 0, 0, 0)
	v1 = append(v1, e.Bytes()...)
	for name, stream := range map[string][]byte{"framed": framed.Bytes(), "version 1": v1} {
		_, err := Load(bytes.NewReader(stream))
		assert.ErrorIs(t, err, ErrCorrupt, name)
		assert.ErrorContains(t, err, "bytes needed", name)
	}
}

// TestLoadVersion1 loads testdata/nn-v1.bin, saved by the unframed Save of
// version 1, and checks it against testdata/nn-v1.json, written with it.
func TestLoadVersion1(t *testing.T) {
	stream, err := os.ReadFile("testdata/nn-v1.bin")
	require.NoError(t, err)
	js, err := os.ReadFile("testdata/nn-v1.json")
	require.NoError(t, err)
	var want struct {
		Members        int
		Sizes          []int
		Hidden, Output Activation
		Params         []float32
	}
	require.NoError(t, json.Unmarshal(js, &want))

	r := bytes.NewReader(append(stream, "more"...))
	m, err := Load(r)
	require.NoError(t, err)
	assert.Equal(t, 4, r.Len(), "Load must stop after the model")
	assert.Equal(t, want.Members, m.Members())
	assert.Equal(t, want.Sizes, m.Sizes())
	h, o := m.Activations()
	assert.Equal(t, [2]Activation{want.Hidden, want.Output}, [2]Activation{h, o})
	assert.Equal(t, want.Params, m.Params)
	assert.Len(t, m.Grads, len(m.Params))

	for n := range len(stream) {
		_, err := Load(bytes.NewReader(stream[:n]))
		require.ErrorIs(t, err, ErrCorrupt, "Load(first %d of %d bytes)", n, len(stream))
	}
	for i := range stream {
		bad := bytes.Clone(stream)
		bad[i] ^= 0x10
		_, err := Load(bytes.NewReader(bad))
		require.ErrorIs(t, err, ErrCorrupt, "Load(byte %d ^ 0x10)", i)
	}

	var re bytes.Buffer
	require.NoError(t, m.Save(&re))
	again, err := Load(&re)
	require.NoError(t, err)
	assert.Equal(t, m.Params, again.Params, "a version-1 model saved again")
}

// FuzzLoad: any input, as a stream and framed as a payload (which gets
// it past the checksum), gives a model or an error wrapping ErrCorrupt,
// never a panic, and costs memory in proportion to its size. A model read
// back saves and loads again unchanged. The seeds are in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range frametest.Inputs(t, data, magic, version) {
			if m, ok := frametest.Load(t, in, Load); ok {
				checkResave(t, m)
			}
		}
	})
}

// checkResave saves a loaded value and checks that it loads back the same.
func checkResave(t *testing.T, m *MLP) {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, m.Save(&out))
	again, err := Load(&out)
	require.NoError(t, err)
	assert.Equal(t, m.Sizes(), again.Sizes())
	assert.Equal(t, len(m.Params), len(again.Params))
	assert.Equal(t, bits(m.Params), bits(again.Params))
}

// bits returns the float32 bit patterns of x, which compare NaNs exactly.
func bits(x []float32) []uint32 {
	b := make([]uint32, len(x))
	for i, v := range x {
		b[i] = math.Float32bits(v)
	}
	return b
}

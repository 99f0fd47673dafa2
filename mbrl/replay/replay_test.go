package replay_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/frame"
	"sandbox/internal/frame/frametest"
	"sandbox/mbrl/replay"
)

// tr returns a transition whose every value encodes i.
func tr(i int) replay.Transition {
	f := float64(i)
	return replay.Transition{Obs: []float64{f, f + 0.5}, Act: []float64{-f}, Reward: 10 * f, Next: []float64{f + 1, f + 1.5}, Terminated: i%3 == 0}
}

func fill(t *testing.T, capacity, n int) *replay.Buffer {
	b, err := replay.New(2, 1, capacity)
	require.NoError(t, err)
	for i := range n {
		require.NoError(t, b.Add(tr(i)))
	}
	return b
}

func TestAddAt(t *testing.T) {
	for _, tc := range []struct {
		name           string
		capacity, n    int
		wantLen, first int
	}{
		{"unbounded", 0, 7, 7, 0},
		{"not full", 10, 7, 7, 0},
		{"exactly full", 7, 7, 7, 0},
		{"wrapped", 4, 11, 4, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fill(t, tc.capacity, tc.n)
			require.Equal(t, tc.wantLen, b.Len())
			assert.Equal(t, tc.n, b.Added())
			for i := range b.Len() {
				assert.Equal(t, tr(tc.first+i), b.At(i), "At(%d)", i)
			}
		})
	}
}

func TestAddRejectsBadWidths(t *testing.T) {
	b := fill(t, 0, 2)
	err := b.Add(replay.Transition{Obs: []float64{1}, Act: []float64{1}, Next: []float64{1, 2}})
	require.Error(t, err)
	assert.Equal(t, 2, b.Len(), "a rejected transition must change nothing")
	_, err = replay.New(0, 1, 0)
	assert.Error(t, err)
}

func TestSample(t *testing.T) {
	b := fill(t, 5, 9) // holds transitions 4..8
	var batch replay.Batch
	require.NoError(t, b.Sample(rand.New(rand.NewPCG(1, 2)), 200, &batch))
	seen := map[float64]bool{}
	for k := range 200 {
		i := int(batch.Obs[2*k])
		require.GreaterOrEqual(t, i, 4)
		require.LessOrEqual(t, i, 8)
		assert.Equal(t, tr(i).Next, batch.Next[2*k:2*k+2])
		assert.Equal(t, 10*float64(i), batch.Reward[k])
		assert.Equal(t, i%3 == 0, batch.Terminated[k])
		seen[batch.Obs[2*k]] = true
	}
	assert.Len(t, seen, 5, "200 uniform draws of 5 items should hit all of them")

	var again replay.Batch
	require.NoError(t, b.Sample(rand.New(rand.NewPCG(1, 2)), 200, &again))
	assert.Equal(t, batch, again, "same rng, same sample")

	empty, _ := replay.New(1, 1, 0)
	assert.ErrorIs(t, empty.Sample(rand.New(rand.NewPCG(1, 2)), 1, &batch), replay.ErrEmpty)
}

func TestSaveLoad(t *testing.T) {
	for _, tc := range []struct {
		name        string
		capacity, n int
	}{{"empty", 0, 0}, {"unbounded", 0, 9}, {"wrapped", 4, 11}} {
		t.Run(tc.name, func(t *testing.T) {
			b := fill(t, tc.capacity, tc.n)
			var buf bytes.Buffer
			require.NoError(t, b.Save(&buf))
			got, err := replay.Load(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			require.Equal(t, b.Len(), got.Len())
			assert.Equal(t, b.Added(), got.Added())
			assert.Equal(t, b.Capacity(), got.Capacity())
			for i := range b.Len() {
				assert.Equal(t, b.At(i), got.At(i))
			}
			// Both continue identically.
			require.NoError(t, b.Add(tr(100)))
			require.NoError(t, got.Add(tr(100)))
			for i := range b.Len() {
				assert.Equal(t, b.At(i), got.At(i))
			}
		})
	}
}

func TestLoadCorrupt(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, fill(t, 0, 5).Save(&buf))
	good := buf.Bytes()
	flip := bytes.Clone(good)
	flip[len(flip)/2] ^= 0x10
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"foreign", []byte("not a replay buffer at all, really")},
		{"truncated", good[:len(good)-9]},
		{"no checksum", good[:len(good)-4]},
		{"bit flip", flip},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replay.Load(bytes.NewReader(tc.data))
			require.Error(t, err)
			assert.True(t, errors.Is(err, replay.ErrCorrupt), "Load error %v does not wrap ErrCorrupt", err)
		})
	}
}

// TestLoadVersion1 loads testdata/replay-v1.bin, saved by the unframed
// Save of version 1: transitions 0 to 10 added to a buffer of capacity 4.
func TestLoadVersion1(t *testing.T) {
	stream, err := os.ReadFile("testdata/replay-v1.bin")
	require.NoError(t, err)
	r := bytes.NewReader(append(stream, "more"...))
	b, err := replay.Load(r)
	require.NoError(t, err)
	assert.Equal(t, 4, r.Len(), "Load must stop after the buffer")
	assert.Equal(t, [3]int{4, 4, 11}, [3]int{b.Capacity(), b.Len(), b.Added()})
	for i := range b.Len() {
		assert.Equal(t, tr(7+i), b.At(i), "At(%d)", i)
	}
	for n := range len(stream) {
		_, err := replay.Load(bytes.NewReader(stream[:n]))
		require.ErrorIs(t, err, replay.ErrCorrupt, "Load(first %d of %d bytes)", n, len(stream))
	}
	for i := range stream {
		bad := bytes.Clone(stream)
		bad[i] ^= 0x10
		_, err := replay.Load(bytes.NewReader(bad))
		require.ErrorIs(t, err, replay.ErrCorrupt, "Load(byte %d ^ 0x10)", i)
	}
}

// TestLoadLyingLength: a well-framed payload claiming 2²⁸ transitions of
// 2²⁰ values fails on the short payload before allocating them.
func TestLoadLyingLength(t *testing.T) {
	var e frame.Encoder
	for _, v := range []int{1 << 20, 1 << 20, 0, 1 << 28, 1 << 28} {
		e.Int64(v)
	}
	var buf bytes.Buffer
	require.NoError(t, frame.Write(&buf, "SBXRPLAY", 2, e.Bytes()))
	_, err := replay.Load(&buf)
	assert.ErrorIs(t, err, replay.ErrCorrupt)
	assert.ErrorContains(t, err, "bytes needed at offset 40")
}

// TestLoadWideEmpty: an empty buffer of 2²⁰-wide rows, a 60-byte stream in
// version 1 (whose loader allocated 24 MB of rows for it) or today's,
// loads without allocating a row.
func TestLoadWideEmpty(t *testing.T) {
	v1 := []byte("SBXRPLAY")
	for _, v := range []uint64{1, 1 << 20, 1 << 20, 0, 0, 0} {
		v1 = binary.LittleEndian.AppendUint64(v1, v)
	}
	v1 = binary.LittleEndian.AppendUint32(v1, crc32.ChecksumIEEE(v1))
	wide, err := replay.New(1<<20, 1<<20, 0)
	require.NoError(t, err)
	var v2 bytes.Buffer
	require.NoError(t, wide.Save(&v2))
	for name, stream := range map[string][]byte{"version 1": v1, "version 2": v2.Bytes()} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b, err := replay.Load(bytes.NewReader(stream))
		runtime.ReadMemStats(&after)
		require.NoError(t, err, name)
		assert.Equal(t, [2]int{1 << 20, 0}, [2]int{b.ObsDim(), b.Len()}, name)
		assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "%s: bytes allocated for a %d-byte stream", name, len(stream))
	}
}

// FuzzLoad: any input, as a stream and framed as a payload (which gets it
// past the checksum), gives a buffer or an error wrapping ErrCorrupt,
// never a panic, and costs memory in proportion to its size. A buffer read
// back saves and loads again unchanged. The seeds are in
// testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range frametest.Inputs(t, data, "SBXRPLAY", 2) {
			if b, ok := frametest.Load(t, in, replay.Load); ok {
				checkResave(t, b)
			}
		}
	})
}

// checkResave saves a loaded value and checks that it loads back the same.
func checkResave(t *testing.T, b *replay.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, b.Save(&buf))
	again, err := replay.Load(&buf)
	require.NoError(t, err)
	require.Equal(t, [3]int{b.Capacity(), b.Len(), b.Added()}, [3]int{again.Capacity(), again.Len(), again.Added()})
	for i := range b.Len() {
		// Compare bits: NaN rewards and observations round-trip too.
		x, y := b.At(i), again.At(i)
		for _, p := range [][2][]float64{{x.Obs, y.Obs}, {x.Act, y.Act}, {{x.Reward}, {y.Reward}}, {x.Next, y.Next}} {
			for j := range p[0] {
				require.Equal(t, math.Float64bits(p[0][j]), math.Float64bits(p[1][j]), "transition %d", i)
			}
		}
		require.Equal(t, x.Terminated, y.Terminated, "transition %d", i)
	}
}

// A buffer of capacity 3 keeps the latest three transitions.
func Example() {
	b, err := replay.New(1, 1, 3)
	if err != nil {
		panic(err)
	}
	for i := range 5 {
		x := float64(i)
		if err := b.Add(replay.Transition{Obs: []float64{x}, Act: []float64{0}, Reward: -x, Next: []float64{x + 1}}); err != nil {
			panic(err)
		}
	}
	fmt.Println("held", b.Len(), "of", b.Added())
	for i := range b.Len() {
		t := b.At(i)
		fmt.Println(t.Obs[0], "->", t.Next[0], "reward", t.Reward)
	}
	// Output:
	// held 3 of 5
	// 2 -> 3 reward -2
	// 3 -> 4 reward -3
	// 4 -> 5 reward -4
}

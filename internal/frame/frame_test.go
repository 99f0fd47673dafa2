package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTripAndEveryCorruption(t *testing.T) {
	var b bytes.Buffer
	payload := []byte("some payload bytes")
	require.NoError(t, Write(&b, "SBXTEST1", 3, payload))
	b.WriteString("trailing")
	r := bytes.NewReader(b.Bytes())
	got, err := Read(r, "SBXTEST1", 3)
	require.NoError(t, err)
	assert.Equal(t, payload, got)
	assert.Equal(t, len("trailing"), r.Len(), "reads exactly its frame")

	good := b.Bytes()[:b.Len()-len("trailing")]
	for n := range len(good) {
		_, err := Read(bytes.NewReader(good[:n]), "SBXTEST1", 3)
		assert.True(t, errors.Is(err, ErrCorrupt), "truncated to %d bytes: %v", n, err)
	}
	for i := range len(good) {
		for bit := range 8 {
			bad := bytes.Clone(good)
			bad[i] ^= 1 << bit
			_, err := Read(bytes.NewReader(bad), "SBXTEST1", 3)
			assert.True(t, errors.Is(err, ErrCorrupt), "bit %d of byte %d flipped: %v", bit, i, err)
		}
	}
	assert.Error(t, Write(&b, "short", 1, nil))
}

func TestVersionError(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Write(&b, "SBXTEST1", 3, []byte("payload")))
	for _, tc := range []struct {
		want uint32
		msg  string
	}{
		{4, "made by an older sandbox: SBXTEST1 format v3, this build reads v4"},
		{2, "SBXTEST1 format v3, this build reads v2 (made by a newer sandbox, or damaged)"},
	} {
		r := bytes.NewReader(b.Bytes())
		_, err := Read(r, "SBXTEST1", tc.want)
		var ve *VersionError
		require.True(t, errors.As(err, &ve), "Read(want v%d) error = %v, want a *VersionError", tc.want, err)
		assert.Equal(t, VersionError{Magic: "SBXTEST1", Version: 3, Want: tc.want}, *ve)
		assert.ErrorIs(t, err, ErrCorrupt)
		assert.ErrorContains(t, err, tc.msg)
		assert.Equal(t, b.Len()-12, r.Len(), "Read(want v%d) consumes only the magic and version", tc.want)
	}
}

func TestEncoderDecoder(t *testing.T) {
	var e Encoder
	e.Uint8(7)
	e.Bool(true)
	e.Uint32(0xdeadbeef)
	e.Uint64(1 << 40)
	e.Int32(-5)
	e.Int64(-1 << 40)
	e.Float32(float32(math.Inf(-1)))
	e.Float64(math.Copysign(0, -1))
	e.Float32s([]float32{1.5, -2})
	e.Float64s([]float64{math.Pi})
	e.Blob([]byte("blob"))
	fmt.Fprint(&e, "raw")

	d := NewDecoder(e.Bytes())
	assert.Equal(t, uint8(7), d.Uint8())
	assert.True(t, d.Bool("flag"))
	assert.Equal(t, uint32(0xdeadbeef), d.Uint32())
	assert.Equal(t, uint64(1<<40), d.Uint64())
	assert.Equal(t, -5, d.Int32("a", -10, 10))
	assert.Equal(t, -1<<40, d.Int64("b", math.MinInt64, 0))
	assert.Equal(t, float32(math.Inf(-1)), d.Float32())
	assert.Equal(t, math.Float64bits(math.Copysign(0, -1)), math.Float64bits(d.Float64()))
	assert.Equal(t, []float32{1.5, -2}, d.Float32s(2))
	x := make([]float64, 1)
	d.Float64sInto(x)
	assert.Equal(t, []float64{math.Pi}, x)
	assert.Equal(t, []byte("blob"), d.Blob("blob"))
	assert.Equal(t, 3, d.Len())
	assert.Equal(t, []byte("raw"), d.Bytes(3))
	assert.NoError(t, d.Finish())
}

func TestDecoderFailures(t *testing.T) {
	u32 := func(vs ...uint32) []byte {
		var e Encoder
		for _, v := range vs {
			e.Uint32(v)
		}
		return e.Bytes()
	}
	for _, tc := range []struct {
		name string
		p    []byte
		read func(*Decoder)
		msg  string
	}{
		{"short", []byte{1, 2}, func(d *Decoder) { d.Uint32() }, "4 bytes needed at offset 0, 2 left"},
		{"out of range", u32(9), func(d *Decoder) { d.Int32("layers", 1, 8) }, "layers 9 at offset 0, want 1…8"},
		{"negative", u32(math.MaxUint32), func(d *Decoder) { d.Int32("width", 0, 8) }, "width -1 at offset 0, want 0…8"},
		{"bad flag", []byte{2}, func(d *Decoder) { d.Bool("deterministic") }, "deterministic flag 2 at offset 0"},
		{"lying count", u32(1, 2), func(d *Decoder) { d.Float32s(1 << 40) }, "bytes needed"},
		{"lying blob", append(binary.LittleEndian.AppendUint64(nil, 1<<62), 1), func(d *Decoder) { d.Blob("network") }, "network of 4611686018427387904 bytes at offset 0, 1 left"},
		{"trailing", u32(1, 2), func(d *Decoder) { d.Uint32() }, "4 trailing bytes at offset 4"},
		{"refused", u32(1), func(d *Decoder) { d.Failf("odd %s", "value") }, "odd value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDecoder(tc.p)
			tc.read(d)
			err := d.Finish()
			assert.ErrorIs(t, err, ErrCorrupt)
			assert.ErrorContains(t, err, tc.msg)
			assert.Zero(t, d.Uint64(), "reads after a failure return zero")
			assert.Nil(t, d.Float64s(1), "reads after a failure return nil")
		})
	}
}

// legacyStream returns an unframed stream as networks, ensembles and
// replay buffers were written: magic, version, fields, a CRC-32 of all of
// it.
func legacyStream(fields []byte) []byte {
	s := append([]byte("SBXTEST1"), binary.LittleEndian.AppendUint32(nil, 1)...)
	s = append(s, fields...)
	return binary.LittleEndian.AppendUint32(s, crc32.ChecksumIEEE(s))
}

func TestLegacy(t *testing.T) {
	var e Encoder
	e.Uint32(3)
	e.Float32s([]float32{1, 2, 3})
	stream := legacyStream(e.Bytes())
	read := func(s []byte) ([]float32, *bytes.Reader, error) {
		r := bytes.NewReader(s)
		_, err := Read(r, "SBXTEST1", 2)
		var old *VersionError
		if !errors.As(err, &old) {
			return nil, r, err
		}
		d := Legacy(r, old)
		v := d.Float32s(d.Int32("count", 0, 1<<30))
		d.Checksum()
		return v, r, d.Finish()
	}
	v, r, err := read(append(bytes.Clone(stream), "more"...))
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 2, 3}, v)
	assert.Equal(t, 4, r.Len(), "a legacy Decoder reads exactly its stream")

	for n := range len(stream) {
		_, _, err := read(stream[:n])
		assert.ErrorIs(t, err, ErrCorrupt, "stream cut to %d of %d bytes", n, len(stream))
	}
	for i := range stream {
		bad := bytes.Clone(stream)
		bad[i] ^= 0x10
		_, _, err := read(bad)
		assert.ErrorIs(t, err, ErrCorrupt, "byte %d flipped", i)
	}

	// A count of 2³⁰ values on a short stream fails after reading what is
	// there.
	huge := legacyStream(binary.LittleEndian.AppendUint32(nil, 1<<30))
	_, _, err = read(huge)
	assert.ErrorContains(t, err, "bytes needed at offset 16")
	assert.Panics(t, func() { NewDecoder(nil).Checksum() })
}

// A part's Save builds its payload with an Encoder and frames it; its Load
// reads the frame and decodes the payload, every count checked.
func Example() {
	var e Encoder
	e.Int32(2)
	e.Float32s([]float32{0.5, -1})
	var file bytes.Buffer
	if err := Write(&file, "SBXDEMO1", 1, e.Bytes()); err != nil {
		panic(err)
	}

	p, err := Read(&file, "SBXDEMO1", 1)
	if err != nil {
		panic(err)
	}
	d := NewDecoder(p)
	v := d.Float32s(d.Int32("count", 0, 1<<20))
	fmt.Println(v, d.Finish())

	_, err = Read(bytes.NewReader([]byte("SBXDEMO1\x01\x00\x00\x00\xff\xff")), "SBXDEMO1", 1)
	fmt.Println(err)
	// Output:
	// [0.5 -1] <nil>
	// corrupt or truncated stream: SBXDEMO1 payload length of 8 bytes ends after 2
}

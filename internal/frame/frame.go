// Package frame is the one codec of every checkpoint part (networks,
// ensembles, replay buffers, SAC agents, DADS learners and skill
// dynamics). A part's file is a frame: an 8-byte magic naming the part, a
// uint32 version of its payload layout, the uint64 payload length, the
// payload and a CRC-32 (IEEE) of the payload, little-endian. An Encoder
// builds a payload and a Decoder takes it apart, with every count checked
// against the bytes that are there, so that a damaged or hostile file
// gives an error wrapping ErrCorrupt and never a panic or an allocation
// much beyond its own size.
//
// Before this package framed them, networks, ensembles and replay buffers
// were written unframed: magic, version, fields and a CRC-32 of all of it.
// Read reports such a stream's version as a *VersionError, and Legacy
// decodes the rest of it.
package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"slices"
)

// ErrCorrupt is returned, wrapped, for a stream that is truncated, has
// another magic or version, fails its checksum or holds values its reader
// refuses.
var ErrCorrupt = errors.New("corrupt or truncated stream")

// maxPayload bounds the payload length a header may claim (4 GiB). Read
// allocates only as the payload's bytes arrive, so a lying length costs
// nothing; the bound only gives a clearer error.
const maxPayload = 1 << 32

// VersionError reports a stream of the right magic and another version.
// Read returns it having consumed exactly the magic and the version, so a
// reader of several versions can go on decoding an older layout from the
// same stream (see Legacy). errors.Is(err, ErrCorrupt) holds for it.
type VersionError struct {
	Magic   string
	Version uint32 // the stream's
	Want    uint32 // the reader's
}

func (e *VersionError) Error() string {
	if e.Version > e.Want {
		return fmt.Sprintf("%v: %s format v%d, this build reads v%d (made by a newer sandbox, or damaged)", ErrCorrupt, e.Magic, e.Version, e.Want)
	}
	return fmt.Sprintf("%v: made by an older sandbox: %s format v%d, this build reads v%d; retrain, or load it with the sandbox that wrote it", ErrCorrupt, e.Magic, e.Version, e.Want)
}

// Is reports whether target is ErrCorrupt.
func (e *VersionError) Is(target error) bool { return target == ErrCorrupt }

// Write writes payload framed with magic (8 bytes) and version.
func Write(w io.Writer, magic string, version uint32, payload []byte) error {
	if len(magic) != 8 {
		return fmt.Errorf("frame: magic %q is not 8 bytes", magic)
	}
	hdr := make([]byte, 0, 20)
	hdr = append(hdr, magic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, version)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(payload)))
	for _, b := range [][]byte{hdr, payload, binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(payload))} {
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("frame: %w", err)
		}
	}
	return nil
}

// Read reads a frame of magic and version written by Write and returns its
// checked payload. It reads exactly the frame's bytes, so more may follow
// in r, and allocates in proportion to the bytes actually read. A stream
// of another version gives a *VersionError.
func Read(r io.Reader, magic string, version uint32) ([]byte, error) {
	var hdr [20]byte
	if err := readFull(r, hdr[:12], magic+" header"); err != nil {
		return nil, err
	}
	if string(hdr[:8]) != magic {
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrCorrupt, hdr[:8], magic)
	}
	if v := binary.LittleEndian.Uint32(hdr[8:]); v != version {
		return nil, &VersionError{Magic: magic, Version: v, Want: version}
	}
	if err := readFull(r, hdr[12:], magic+" payload length"); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint64(hdr[12:])
	if n > maxPayload {
		return nil, fmt.Errorf("%w: %s payload of %d bytes", ErrCorrupt, magic, n)
	}
	var buf bytes.Buffer
	if m, err := io.CopyN(&buf, r, int64(n)); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %s payload of %d bytes ends after %d", ErrCorrupt, magic, n, m)
		}
		return nil, fmt.Errorf("frame: %w", err)
	}
	var sum [4]byte
	if err := readFull(r, sum[:], magic+" checksum"); err != nil {
		return nil, err
	}
	if got, want := binary.LittleEndian.Uint32(sum[:]), crc32.ChecksumIEEE(buf.Bytes()); got != want {
		return nil, fmt.Errorf("%w: %s checksum %08x, want %08x", ErrCorrupt, magic, got, want)
	}
	return buf.Bytes(), nil
}

// readFull is io.ReadFull reporting a short read as a truncated stream.
func readFull(r io.Reader, b []byte, what string) error {
	if n, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %s of %d bytes ends after %d", ErrCorrupt, what, len(b), n)
		}
		return fmt.Errorf("frame: %w", err)
	}
	return nil
}

// An Encoder builds a payload of little-endian values. Its zero value is
// ready to use.
type Encoder struct{ b []byte }

// Bytes returns the payload so far.
func (e *Encoder) Bytes() []byte { return e.b }

// Write appends p, so that a nested part can Save into the payload.
func (e *Encoder) Write(p []byte) (int, error) {
	e.b = append(e.b, p...)
	return len(p), nil
}

// Uint8 appends v.
func (e *Encoder) Uint8(v uint8) { e.b = append(e.b, v) }

// Bool appends v as a byte, 0 or 1.
func (e *Encoder) Bool(v bool) {
	if v {
		e.Uint8(1)
	} else {
		e.Uint8(0)
	}
}

// Uint32 appends v.
func (e *Encoder) Uint32(v uint32) { e.b = binary.LittleEndian.AppendUint32(e.b, v) }

// Uint64 appends v.
func (e *Encoder) Uint64(v uint64) { e.b = binary.LittleEndian.AppendUint64(e.b, v) }

// Int32 appends v as a 32-bit two's complement integer. It panics if v
// does not fit: a size that large is a bug in the caller.
func (e *Encoder) Int32(v int) {
	if v != int(int32(v)) {
		panic(fmt.Sprintf("frame: Int32(%d) out of range", v))
	}
	e.Uint32(uint32(v))
}

// Int64 appends v as a 64-bit two's complement integer.
func (e *Encoder) Int64(v int) { e.Uint64(uint64(v)) }

// Float32 appends the bits of v.
func (e *Encoder) Float32(v float32) { e.Uint32(math.Float32bits(v)) }

// Float64 appends the bits of v.
func (e *Encoder) Float64(v float64) { e.Uint64(math.Float64bits(v)) }

// Float32s appends the values of v, without their count.
func (e *Encoder) Float32s(v []float32) {
	e.b = slices.Grow(e.b, 4*len(v))
	for _, x := range v {
		e.Float32(x)
	}
}

// Float64s appends the values of v, without their count.
func (e *Encoder) Float64s(v []float64) {
	e.b = slices.Grow(e.b, 8*len(v))
	for _, x := range v {
		e.Float64(x)
	}
}

// Blob appends v preceded by its length as an Int64.
func (e *Encoder) Blob(v []byte) {
	e.Int64(len(v))
	e.b = append(e.b, v...)
}

// A Decoder reads the values an Encoder wrote. The first failure sticks:
// later reads return zero values, and Err returns an error wrapping
// ErrCorrupt that says what was wrong and where. Methods that return
// slices take the bytes before allocating, so a lying count fails instead
// of allocating what it claims.
type Decoder struct {
	b   []byte // unread bytes
	off int    // bytes read before b
	err error

	// Legacy streams only: the rest of the stream and a CRC-32 of every
	// byte decoded, header included.
	r   io.Reader
	crc hash.Hash32
}

// NewDecoder returns a Decoder of payload, typically as returned by Read.
func NewDecoder(payload []byte) *Decoder { return &Decoder{b: payload} }

// Legacy returns a Decoder of the rest of an unframed stream whose magic
// and version Read consumed and reported as old: the layout of networks,
// ensembles and replay buffers before they were framed, whose fields ran
// up to a CRC-32 of everything before it (verify it with Checksum). The
// Decoder reads from r exactly the bytes it decodes (or those Need asks
// for), in chunks, so that memory grows only with the bytes r holds.
func Legacy(r io.Reader, old *VersionError) *Decoder {
	crc := crc32.NewIEEE()
	crc.Write([]byte(old.Magic))
	crc.Write(binary.LittleEndian.AppendUint32(nil, old.Version))
	return &Decoder{r: r, crc: crc, off: 12}
}

// Err returns the first failure, nil if there was none.
func (d *Decoder) Err() error { return d.err }

// Failf records a failure, unless one is already recorded: a value the
// caller refuses. The error wraps ErrCorrupt.
func (d *Decoder) Failf(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
	}
}

// Finish returns Err, or an error if bytes are left over.
func (d *Decoder) Finish() error {
	if d.err == nil && len(d.b) > 0 {
		d.Failf("%d trailing bytes at offset %d", len(d.b), d.off)
	}
	return d.err
}

// Len returns the number of bytes left, of a legacy stream those read
// ahead by Need.
func (d *Decoder) Len() int { return len(d.b) }

// Need reports whether n more bytes are there, reading them from a legacy
// stream, and records a failure if they are not. Call it before allocating
// in proportion to a count that the bytes then fill.
func (d *Decoder) Need(n int) bool {
	if d.err != nil {
		return false
	}
	if n < 0 {
		d.Failf("negative length %d at offset %d", n, d.off)
		return false
	}
	for d.r != nil && len(d.b) < n {
		// Read at most as much again as so far, so that a lying count
		// costs a few times the stream's size, not what it claims.
		k := min(n-len(d.b), max(512, d.off+len(d.b)))
		old := len(d.b)
		d.b = slices.Grow(d.b, k)[:old+k]
		got, err := io.ReadFull(d.r, d.b[old:])
		d.b = d.b[:old+got]
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			d.err = fmt.Errorf("frame: %w", err)
			return false
		}
	}
	if len(d.b) < n {
		d.Failf("%d bytes needed at offset %d, %d left", n, d.off, len(d.b))
		return false
	}
	return true
}

// take returns the next n bytes, nil after a failure.
func (d *Decoder) take(n int) []byte {
	if !d.Need(n) {
		return nil
	}
	v := d.b[:n:n]
	d.b, d.off = d.b[n:], d.off+n
	if d.crc != nil {
		d.crc.Write(v)
	}
	return v
}

// Read reads the bytes left, so that a nested part can Load from the
// payload. It returns io.EOF at the end and after a failure.
func (d *Decoder) Read(p []byte) (int, error) {
	if d.err != nil || len(d.b) == 0 {
		return 0, io.EOF
	}
	return copy(p, d.take(min(len(p), len(d.b)))), nil
}

// Uint8 reads a byte.
func (d *Decoder) Uint8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

// Bool reads a byte that must be 0 or 1; what names it in the error.
func (d *Decoder) Bool(what string) bool {
	off := d.off
	v := d.Uint8()
	if v > 1 {
		d.Failf("%s flag %d at offset %d, want 0 or 1", what, v, off)
	}
	return v == 1
}

// Uint32 reads a uint32.
func (d *Decoder) Uint32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

// Uint64 reads a uint64.
func (d *Decoder) Uint64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// Int32 reads what Encoder.Int32 wrote, which must lie in [lo, hi]; what
// names it in the error. It returns lo after a failure.
func (d *Decoder) Int32(what string, lo, hi int) int {
	off := d.off
	return d.check(what, int64(int32(d.Uint32())), lo, hi, off)
}

// Int64 reads what Encoder.Int64 wrote, which must lie in [lo, hi]; what
// names it in the error. It returns lo after a failure.
func (d *Decoder) Int64(what string, lo, hi int) int {
	off := d.off
	return d.check(what, int64(d.Uint64()), lo, hi, off)
}

func (d *Decoder) check(what string, v int64, lo, hi, off int) int {
	if d.err == nil && (v < int64(lo) || v > int64(hi)) {
		d.Failf("%s %d at offset %d, want %d…%d", what, v, off, lo, hi)
	}
	if d.err != nil {
		return lo
	}
	return int(v)
}

// Float32 reads a float32.
func (d *Decoder) Float32() float32 { return math.Float32frombits(d.Uint32()) }

// Float64 reads a float64.
func (d *Decoder) Float64() float64 { return math.Float64frombits(d.Uint64()) }

// Float32s reads n float32 values; nil after a failure.
func (d *Decoder) Float32s(n int) []float32 {
	if n < 0 || !d.Need(4*n) {
		d.Failf("%d float32 values at offset %d", n, d.off)
		return nil
	}
	v := make([]float32, n)
	d.Float32sInto(v)
	return v
}

// Float32sInto reads len(dst) float32 values into dst.
func (d *Decoder) Float32sInto(dst []float32) {
	if b := d.take(4 * len(dst)); b != nil {
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	}
}

// Float64s reads n float64 values; nil after a failure.
func (d *Decoder) Float64s(n int) []float64 {
	if n < 0 || !d.Need(8*n) {
		d.Failf("%d float64 values at offset %d", n, d.off)
		return nil
	}
	v := make([]float64, n)
	d.Float64sInto(v)
	return v
}

// Float64sInto reads len(dst) float64 values into dst.
func (d *Decoder) Float64sInto(dst []float64) {
	if b := d.take(8 * len(dst)); b != nil {
		for i := range dst {
			dst[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
	}
}

// Bytes reads n bytes. The slice shares the payload's memory.
func (d *Decoder) Bytes(n int) []byte { return d.take(n) }

// Blob reads what Encoder.Blob wrote; what names it in the error. The
// slice shares the payload's memory.
func (d *Decoder) Blob(what string) []byte {
	off := d.off
	n := int64(d.Uint64())
	if d.err == nil && (n < 0 || n > int64(len(d.b)) && d.r == nil) {
		d.Failf("%s of %d bytes at offset %d, %d left", what, n, off, len(d.b))
		return nil
	}
	return d.take(int(n))
}

// Checksum reads a uint32 CRC-32 and checks it against every byte a Legacy
// Decoder read before it. It panics for a Decoder not from Legacy, whose
// payload Read has already checked.
func (d *Decoder) Checksum() {
	if d.crc == nil {
		panic("frame: Checksum of a framed payload")
	}
	want := d.crc.Sum32()
	if got := d.Uint32(); d.err == nil && got != want {
		d.Failf("checksum %08x, want %08x", got, want)
	}
}

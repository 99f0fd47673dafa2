package dads

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// ErrCorrupt is returned, wrapped, by the Load functions for a stream that
// is truncated, was not written by the matching Save, or fails its
// checksum.
var ErrCorrupt = errors.New("dads: corrupt or truncated stream")

// maxPayload bounds a section read from a stream (4 GiB).
const maxPayload = 1 << 32

// writeSection writes magic, a uint32 version, the payload's uint64
// length, the payload and a CRC-32 (IEEE) of the payload.
func writeSection(w io.Writer, magic string, version uint32, payload []byte) error {
	bw := bufio.NewWriter(w)
	hdr := append([]byte(magic), binary.LittleEndian.AppendUint32(nil, version)...)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(payload)))
	bw.Write(hdr)
	bw.Write(payload)
	bw.Write(binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(payload)))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	return nil
}

// readSection reads what writeSection wrote, checking the magic, version
// and checksum. It reads exactly those bytes, so more may follow in r.
func readSection(r io.Reader, magic string, version uint32) ([]byte, error) {
	hdr := make([]byte, len(magic)+12)
	if err := readFull(r, hdr); err != nil {
		return nil, err
	}
	if string(hdr[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: bad magic %q, want %q", ErrCorrupt, hdr[:len(magic)], magic)
	}
	if v := binary.LittleEndian.Uint32(hdr[len(magic):]); v != version {
		return nil, fmt.Errorf("%w: %s version %d, want %d", ErrCorrupt, magic, v, version)
	}
	n := binary.LittleEndian.Uint64(hdr[len(magic)+4:])
	if n > maxPayload {
		return nil, fmt.Errorf("%w: %s section of %d bytes", ErrCorrupt, magic, n)
	}
	// Grow as bytes arrive rather than trusting the length up front.
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, r, int64(n)); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
		}
		return nil, fmt.Errorf("dads: load: %w", err)
	}
	var sum [4]byte
	if err := readFull(r, sum[:]); err != nil {
		return nil, err
	}
	if got, want := binary.LittleEndian.Uint32(sum[:]), crc32.ChecksumIEEE(buf.Bytes()); got != want {
		return nil, fmt.Errorf("%w: %s checksum %08x, want %08x", ErrCorrupt, magic, got, want)
	}
	return buf.Bytes(), nil
}

// readFull is io.ReadFull reporting a short read as a truncated stream.
func readFull(r io.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("dads: load: %w", err)
	}
	return nil
}

// enc appends little-endian values to a payload.
type enc struct{ b []byte }

func (e *enc) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *enc) int(v int)     { e.u64(uint64(v)) }
func (e *enc) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *enc) f64s(v []float64) {
	e.int(len(v))
	for _, x := range v {
		e.f64(x)
	}
}
func (e *enc) blob(v []byte) {
	e.int(len(v))
	e.b = append(e.b, v...)
}

// dec reads what enc wrote; the first failure sticks in err and every
// later read returns zero values.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrCorrupt, what)
	}
}

func (d *dec) u64() uint64 {
	if d.err != nil || len(d.b) < 8 {
		d.fail("truncated payload")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// int reads a count that must lie in [0, limit].
func (d *dec) int(limit int, what string) int {
	v := d.u64()
	if d.err == nil && v > uint64(limit) {
		d.fail(fmt.Sprintf("%s = %d, want at most %d", what, v, limit))
		return 0
	}
	return int(v)
}

func (d *dec) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *dec) f64s(what string) []float64 {
	n := d.int(len(d.b)/8, what+" length")
	v := make([]float64, n)
	for i := range v {
		v[i] = d.f64()
	}
	return v
}

func (d *dec) blob(what string) []byte {
	n := d.int(len(d.b), what+" length")
	if d.err != nil {
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

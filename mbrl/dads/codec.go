package dads

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"sandbox/internal/frame"
)

// ErrCorrupt is returned, wrapped, by the Load functions for a stream that
// is truncated, was not written by the matching Save, or fails its
// checksum. It wraps the checkpoint codec's sentinel, frame.ErrCorrupt,
// which every part's errors wrap.
var ErrCorrupt = fmt.Errorf("dads: %w", frame.ErrCorrupt)

// writeSection writes a framed payload (see package internal/frame).
func writeSection(w io.Writer, magic string, version uint32, payload []byte) error {
	if err := frame.Write(w, magic, version, payload); err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	return nil
}

// readSection reads what writeSection wrote; a damaged stream gives an
// error wrapping ErrCorrupt.
func readSection(r io.Reader, magic string, version uint32) ([]byte, error) {
	p, err := frame.Read(r, magic, version)
	if errors.Is(err, frame.ErrCorrupt) {
		return nil, corrupt{err}
	}
	if err != nil {
		return nil, fmt.Errorf("dads: load: %w", err)
	}
	return p, nil
}

// corrupt is a damaged stream frame reported: it wraps ErrCorrupt too,
// without saying "corrupt" twice.
type corrupt struct{ err error }

func (c corrupt) Error() string   { return "dads: " + c.err.Error() }
func (c corrupt) Unwrap() []error { return []error{ErrCorrupt, c.err} }

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

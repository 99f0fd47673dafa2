package replay

import (
	"errors"
	"fmt"
	"io"

	"sandbox/internal/frame"
)

// ErrCorrupt is returned, wrapped, by Load for a stream that is truncated,
// was not written by Save, or fails its checksum. It is the checkpoint
// codec's sentinel, the same for every part.
var ErrCorrupt = frame.ErrCorrupt

const (
	magic = "SBXRPLAY"
	// version 1 was unframed: a uint64 version, the same fields and a
	// CRC-32 of all of it.
	version = 2
	maxDim  = 1 << 20
	maxRows = 1 << 28
)

// Save writes the buffer to w as a frame (package internal/frame) with the
// magic "SBXRPLAY" whose payload is the widths, capacity, length and count
// of transitions ever added (int64), then the transitions oldest first:
// obs, act, reward and next as float64, a byte for the termination flag.
func (b *Buffer) Save(w io.Writer) error {
	var e frame.Encoder
	for _, v := range []int{b.obsDim, b.actDim, b.capacity, b.n, b.added} {
		e.Int64(v)
	}
	for i := range b.n {
		t := b.At(i)
		e.Float64s(t.Obs)
		e.Float64s(t.Act)
		e.Float64(t.Reward)
		e.Float64s(t.Next)
		e.Bool(t.Terminated)
	}
	if err := frame.Write(w, magic, version, e.Bytes()); err != nil {
		return fmt.Errorf("replay: save: %w", err)
	}
	return nil
}

// Load reads a buffer written by Save, or by the Save of version 1. It
// reads exactly the bytes Save wrote. A truncated, foreign or corrupted
// stream yields an error wrapping ErrCorrupt; Load never panics on bad
// input and allocates in proportion to the bytes actually read.
func Load(r io.Reader) (*Buffer, error) {
	p, err := frame.Read(r, magic, version)
	var old *frame.VersionError
	var d *frame.Decoder
	switch {
	case errors.As(err, &old) && old.Version == 1:
		d = frame.Legacy(r, old)
		d.Int32("version's high half", 0, 0) // version 1 wrote a uint64
	case err != nil:
		return nil, fmt.Errorf("replay: load: %w", err)
	default:
		d = frame.NewDecoder(p)
	}
	b := decode(d)
	if old != nil {
		d.Checksum()
	}
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("replay: load: %w", err)
	}
	return b, nil
}

// decode reads the fields Save writes; nil if d failed.
func decode(d *frame.Decoder) *Buffer {
	obsDim := d.Int64("observation width", 1, maxDim)
	actDim := d.Int64("action width", 1, maxDim)
	capacity := d.Int64("capacity", 0, maxRows)
	limit := maxRows
	if capacity > 0 {
		limit = capacity
	}
	n := d.Int64("length", 0, limit)
	added := d.Int64("added", n, 1<<62)
	if !d.Need(n * (8*(2*obsDim+actDim+1) + 1)) {
		return nil
	}
	b, err := New(obsDim, actDim, capacity)
	if err != nil {
		d.Failf("%v", err)
		return nil
	}
	var t Transition
	if n > 0 { // the rows are there: their width is not a lie
		t = Transition{Obs: make([]float64, obsDim), Act: make([]float64, actDim), Next: make([]float64, obsDim)}
	}
	for range n {
		d.Float64sInto(t.Obs)
		d.Float64sInto(t.Act)
		t.Reward = d.Float64()
		d.Float64sInto(t.Next)
		t.Terminated = d.Bool("termination")
		if d.Err() != nil {
			return nil
		}
		if err := b.Add(t); err != nil {
			d.Failf("%v", err)
			return nil
		}
	}
	b.added = added
	return b
}

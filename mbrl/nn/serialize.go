package nn

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
	magic = "SBXNNMLP"
	// version 1 was unframed: the same fields after the magic and version,
	// and a CRC-32 of all of it.
	version = 2
	// maxLayers bounds the depth read from a stream.
	maxLayers = 256
)

// Save writes m's architecture and parameters (not its gradients) to w as
// a frame (package internal/frame) with the magic "SBXNNMLP" whose payload
// is the member count, the number of sizes and the sizes (int32), the two
// activations as bytes and the parameters (float32).
func (m *MLP) Save(w io.Writer) error {
	var e frame.Encoder
	e.Int32(m.members)
	e.Int32(len(m.sizes))
	for _, s := range m.sizes {
		e.Int32(s)
	}
	e.Uint8(uint8(m.hidden))
	e.Uint8(uint8(m.output))
	e.Float32s(m.Params)
	if err := frame.Write(w, magic, version, e.Bytes()); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	return nil
}

// Load reads an MLP written by Save, or by the Save of version 1. It reads
// exactly the bytes Save wrote, so further data may follow in r. A
// truncated, foreign or corrupted stream yields an error wrapping
// ErrCorrupt; Load never panics on bad input and allocates in proportion
// to the bytes actually read.
func Load(r io.Reader) (*MLP, error) {
	p, err := frame.Read(r, magic, version)
	var old *frame.VersionError
	var d *frame.Decoder
	switch {
	case errors.As(err, &old) && old.Version == 1:
		d = frame.Legacy(r, old)
	case err != nil:
		return nil, fmt.Errorf("nn: load: %w", err)
	default:
		d = frame.NewDecoder(p)
	}
	m, err := decode(d)
	if err == nil && old != nil {
		d.Checksum()
	}
	if err == nil {
		err = d.Finish()
	}
	if err != nil {
		return nil, fmt.Errorf("nn: load: %w", err)
	}
	m.Grads = make([]float32, len(m.Params))
	return m, nil
}

// decode reads the fields Save writes.
func decode(d *frame.Decoder) (*MLP, error) {
	members := d.Int32("members", 1, maxParams)
	sizes := make([]int, d.Int32("layer sizes", 2, maxLayers+1))
	for i := range sizes {
		sizes[i] = d.Int32("layer size", 1, maxParams)
	}
	hidden, output := Activation(d.Uint8()), Activation(d.Uint8())
	if d.Err() != nil {
		return nil, d.Err()
	}
	m, err := newMLP(members, sizes, hidden, output)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	m.Params = d.Float32s(m.members * m.memberLen)
	return m, d.Err()
}

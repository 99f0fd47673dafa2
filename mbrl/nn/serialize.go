package nn

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// ErrCorrupt is returned, wrapped, by Load for a stream that is truncated,
// was not written by Save, or fails its checksum.
var ErrCorrupt = errors.New("nn: corrupt or truncated model stream")

const (
	magic   = "SBXNNMLP"
	version = 1
	// maxLayers bounds the depth read from a stream.
	maxLayers = 256
)

// Save writes m's architecture and parameters (not its gradients) to w in a
// little-endian binary format: the magic "SBXNNMLP", a uint32 version, the
// uint32 member count, the uint32 number of sizes and the sizes, the two
// activations as bytes, the parameters as float32 bits, and a CRC-32 (IEEE)
// of everything before it.
func (m *MLP) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	crc := crc32.NewIEEE()
	mw := io.MultiWriter(bw, crc)
	hdr := make([]byte, 0, 64)
	hdr = append(hdr, magic...)
	hdr = binary.LittleEndian.AppendUint32(hdr, version)
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(m.members))
	hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(m.sizes)))
	for _, s := range m.sizes {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(s))
	}
	hdr = append(hdr, byte(m.hidden), byte(m.output))
	if _, err := mw.Write(hdr); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	buf := make([]byte, 4*4096)
	for p := m.Params; len(p) > 0; {
		k := min(len(p), 4096)
		for i, x := range p[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		if _, err := mw.Write(buf[:4*k]); err != nil {
			return fmt.Errorf("nn: save: %w", err)
		}
		p = p[k:]
	}
	if _, err := bw.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32())); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("nn: save: %w", err)
	}
	return nil
}

// Load reads an MLP written by Save. It reads exactly the bytes Save wrote,
// so further data may follow in r. A truncated, foreign or corrupted stream
// yields an error wrapping ErrCorrupt; Load never panics on bad input and
// allocates in proportion to the bytes actually read.
func Load(r io.Reader) (*MLP, error) {
	crc := crc32.NewIEEE()
	tr := io.TeeReader(r, crc)
	var b8 [8]byte
	if err := readFull(tr, b8[:]); err != nil {
		return nil, err
	}
	if string(b8[:]) != magic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, b8[:])
	}
	u32 := func() (int, error) {
		var b [4]byte
		if err := readFull(tr, b[:]); err != nil {
			return 0, err
		}
		return int(binary.LittleEndian.Uint32(b[:])), nil
	}
	ver, err := u32()
	if err != nil {
		return nil, err
	}
	if ver != version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrCorrupt, ver, version)
	}
	members, err := u32()
	if err != nil {
		return nil, err
	}
	nsizes, err := u32()
	if err != nil {
		return nil, err
	}
	if nsizes < 2 || nsizes > maxLayers+1 {
		return nil, fmt.Errorf("%w: %d layer sizes", ErrCorrupt, nsizes)
	}
	sizes := make([]int, nsizes)
	for i := range sizes {
		if sizes[i], err = u32(); err != nil {
			return nil, err
		}
	}
	var acts [2]byte
	if err := readFull(tr, acts[:]); err != nil {
		return nil, err
	}
	m, err := newMLP(members, sizes, Activation(acts[0]), Activation(acts[1]))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	n := m.members * m.memberLen
	params := make([]float32, 0, min(n, 1<<16))
	buf := make([]byte, 4*4096)
	for len(params) < n {
		k := min(n-len(params), 4096)
		if err := readFull(tr, buf[:4*k]); err != nil {
			return nil, err
		}
		for i := range k {
			params = append(params, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:])))
		}
	}
	want := crc.Sum32()
	var b4 [4]byte
	if err := readFull(r, b4[:]); err != nil {
		return nil, err
	}
	if got := binary.LittleEndian.Uint32(b4[:]); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, want)
	}
	m.Params = params
	m.Grads = make([]float32, n)
	return m, nil
}

// readFull is io.ReadFull reporting a short read as a truncated stream.
func readFull(r io.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
		}
		return fmt.Errorf("nn: load: %w", err)
	}
	return nil
}

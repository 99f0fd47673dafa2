package replay

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
var ErrCorrupt = errors.New("replay: corrupt or truncated buffer stream")

const (
	magic   = "SBXRPLAY"
	version = 1
	maxDim  = 1 << 20
	maxRows = 1 << 28
)

// Save writes the buffer to w: the magic "SBXRPLAY", a uint32 version, the
// widths, capacity, length and count of transitions ever added, then the
// transitions oldest first (little-endian float64 bits; a byte per
// termination flag), and a CRC-32 of everything before it.
func (b *Buffer) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	crc := crc32.NewIEEE()
	out := io.MultiWriter(bw, crc)
	var buf []byte
	u64 := func(v uint64) { buf = binary.LittleEndian.AppendUint64(buf, v) }
	flush := func() error {
		_, err := out.Write(buf)
		buf = buf[:0]
		return err
	}
	buf = append(buf, magic...)
	for _, v := range []int{version, b.obsDim, b.actDim, b.capacity, b.n, b.added} {
		u64(uint64(v))
	}
	if err := flush(); err != nil {
		return fmt.Errorf("replay: save: %w", err)
	}
	for i := range b.n {
		t := b.At(i)
		for _, x := range [][]float64{t.Obs, t.Act, {t.Reward}, t.Next} {
			for _, v := range x {
				u64(math.Float64bits(v))
			}
		}
		term := byte(0)
		if t.Terminated {
			term = 1
		}
		buf = append(buf, term)
		if err := flush(); err != nil {
			return fmt.Errorf("replay: save: %w", err)
		}
	}
	if err := binary.Write(bw, binary.LittleEndian, crc.Sum32()); err != nil {
		return fmt.Errorf("replay: save: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("replay: save: %w", err)
	}
	return nil
}

// Load reads a buffer written by Save. A truncated, foreign or corrupted
// stream yields an error wrapping ErrCorrupt; Load never panics on bad
// input.
func Load(r io.Reader) (*Buffer, error) {
	br := bufio.NewReader(r)
	crc := crc32.NewIEEE()
	in := io.TeeReader(br, crc)
	var b8 [8]byte
	read := func(p []byte) error {
		if _, err := io.ReadFull(in, p); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
			}
			return fmt.Errorf("replay: load: %w", err)
		}
		return nil
	}
	u64 := func() (uint64, error) {
		if err := read(b8[:]); err != nil {
			return 0, err
		}
		return binary.LittleEndian.Uint64(b8[:]), nil
	}
	if err := read(b8[:]); err != nil {
		return nil, err
	}
	if string(b8[:]) != magic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, b8[:])
	}
	var h [6]uint64
	for i := range h {
		v, err := u64()
		if err != nil {
			return nil, err
		}
		h[i] = v
	}
	ver, obsDim, actDim, capacity, n, added := h[0], h[1], h[2], h[3], h[4], h[5]
	switch {
	case ver != version:
		return nil, fmt.Errorf("%w: version %d, want %d", ErrCorrupt, ver, version)
	case obsDim < 1 || obsDim > maxDim || actDim < 1 || actDim > maxDim:
		return nil, fmt.Errorf("%w: widths %d, %d", ErrCorrupt, obsDim, actDim)
	case capacity > maxRows || n > maxRows || (capacity > 0 && n > capacity) || added < n:
		return nil, fmt.Errorf("%w: capacity %d, length %d, added %d", ErrCorrupt, capacity, n, added)
	}
	b, err := New(int(obsDim), int(actDim), int(capacity))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	t := Transition{Obs: make([]float64, obsDim), Act: make([]float64, actDim), Next: make([]float64, obsDim)}
	for range n {
		for _, x := range [][]float64{t.Obs, t.Act, nil, t.Next} {
			if x == nil {
				v, err := u64()
				if err != nil {
					return nil, err
				}
				t.Reward = math.Float64frombits(v)
				continue
			}
			for j := range x {
				v, err := u64()
				if err != nil {
					return nil, err
				}
				x[j] = math.Float64frombits(v)
			}
		}
		var term [1]byte
		if err := read(term[:]); err != nil {
			return nil, err
		}
		if term[0] > 1 {
			return nil, fmt.Errorf("%w: termination flag %d", ErrCorrupt, term[0])
		}
		t.Terminated = term[0] == 1
		if err := b.Add(t); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	want := crc.Sum32()
	var c4 [4]byte
	if _, err := io.ReadFull(br, c4[:]); err != nil {
		return nil, fmt.Errorf("%w: missing checksum", ErrCorrupt)
	}
	if got := binary.LittleEndian.Uint32(c4[:]); got != want {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, want)
	}
	b.added = int(added)
	return b, nil
}

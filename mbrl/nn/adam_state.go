package nn

import (
	"encoding/binary"
	"fmt"
	"math"
)

// State returns copies of the first- and second-moment estimates and the
// step count, so that a checkpoint can resume the optimiser exactly. Before
// the first Step the moments are nil and t is 0.
func (a *Adam) State() (m, v []float32, t int) {
	if a.m != nil {
		m, v = make([]float32, len(a.m)), make([]float32, len(a.v))
		copy(m, a.m)
		copy(v, a.v)
	}
	return m, v, a.t
}

// SetState restores moment estimates and a step count returned by State,
// copying m and v. It returns an error, and changes nothing, if m and v
// differ in length, if t is negative or if t is 0 while moments are given;
// nil moments with t = 0 reset the optimiser. The next Step must then pass
// len(m) parameters.
func (a *Adam) SetState(m, v []float32, t int) error {
	if len(m) != len(v) {
		return fmt.Errorf("nn: Adam state with %d first and %d second moments", len(m), len(v))
	}
	if t < 0 || (t == 0 && m != nil) || (t > 0 && m == nil) {
		return fmt.Errorf("nn: Adam state with step count %d and %d moments", t, len(m))
	}
	if m == nil {
		a.Reset()
		return nil
	}
	a.m = append(make([]float32, 0, len(m)), m...)
	a.v = append(make([]float32, 0, len(v)), v...)
	a.t = t
	return nil
}

const adamStateVersion = 1

// adamHeader is the byte length of MarshalBinary's output before the
// moments: version, five float32 options, the Decoupled flag, t and n.
const adamHeader = 1 + 5*4 + 1 + 8 + 8

// MarshalBinary encodes the options and the state of a, little-endian: a
// version byte, LearningRate, Beta1, Beta2, Epsilon and ClipNorm as float32
// bits, Decoupled as a byte, the step count and the moment count n as
// uint64, then the n first and the n second moments as float32 bits. It
// implements encoding.BinaryMarshaler.
func (a *Adam) MarshalBinary() ([]byte, error) {
	n := len(a.m)
	b := make([]byte, 0, adamHeader+8*n)
	b = append(b, adamStateVersion)
	for _, x := range []float32{a.LearningRate, a.Beta1, a.Beta2, a.Epsilon, a.ClipNorm} {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	dec := byte(0)
	if a.Decoupled {
		dec = 1
	}
	b = append(b, dec)
	b = binary.LittleEndian.AppendUint64(b, uint64(a.t))
	b = binary.LittleEndian.AppendUint64(b, uint64(n))
	for _, s := range [][]float32{a.m, a.v} {
		for _, x := range s {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
	}
	return b, nil
}

// UnmarshalBinary restores options and state written by MarshalBinary. It
// returns an error wrapping ErrCorrupt, and leaves a unchanged, if data has
// the wrong length, version or flags. It implements
// encoding.BinaryUnmarshaler.
func (a *Adam) UnmarshalBinary(data []byte) error {
	if len(data) < adamHeader {
		return fmt.Errorf("%w: Adam state of %d bytes", ErrCorrupt, len(data))
	}
	if data[0] != adamStateVersion {
		return fmt.Errorf("%w: Adam state version %d, want %d", ErrCorrupt, data[0], adamStateVersion)
	}
	var opts [5]float32
	for i := range opts {
		opts[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[1+4*i:]))
	}
	dec := data[21]
	if dec > 1 {
		return fmt.Errorf("%w: Adam Decoupled flag %d", ErrCorrupt, dec)
	}
	t := binary.LittleEndian.Uint64(data[22:])
	n := binary.LittleEndian.Uint64(data[30:])
	if n > maxParams || t > math.MaxInt32 || uint64(len(data)) != adamHeader+8*n {
		return fmt.Errorf("%w: Adam state of %d bytes for %d moments after %d steps", ErrCorrupt, len(data), n, t)
	}
	var m, v []float32
	if t > 0 {
		m, v = make([]float32, n), make([]float32, n)
		for i := range m {
			m[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[adamHeader+4*i:]))
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[adamHeader+4*(int(n)+i):]))
		}
	} else if n > 0 {
		return fmt.Errorf("%w: Adam state with %d moments and no steps", ErrCorrupt, n)
	}
	a.LearningRate, a.Beta1, a.Beta2, a.Epsilon, a.ClipNorm = opts[0], opts[1], opts[2], opts[3], opts[4]
	a.Decoupled = dec == 1
	a.m, a.v, a.t = m, v, int(t)
	return nil
}

package ensemble

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"slices"

	"sandbox/mbrl/nn"
)

// ErrCorrupt is returned, wrapped, by Load for a stream that is truncated,
// was not written by Save, or fails its checksum.
var ErrCorrupt = errors.New("ensemble: corrupt or truncated model stream")

const (
	magic = "SBXENSMB"
	// version 1 has no angle pairs; version 2 adds them after the
	// log-variance limits; version 3 adds the AngleSums flag after them.
	// Save writes the lowest version that holds the configuration, so
	// streams without angles stay readable by older builds.
	version = 3
	maxDim  = 1 << 20
)

// Save writes the ensemble to w: the magic "SBXENSMB", a uint32 version,
// the dimensions and configuration (Config.Angles from version 2,
// AngleSums from version 3), elites, normalization statistics and
// log-variance bounds (little-endian, float32 as bits), a CRC-32 of that
// header, then the network as written by nn.MLP.Save.
func (e *Ensemble) Save(w io.Writer) error {
	bw := bufio.NewWriter(w)
	b := []byte(magic)
	u32 := func(v int) { b = binary.LittleEndian.AppendUint32(b, uint32(v)) }
	f32s := func(x []float32) {
		for _, v := range x {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	switch {
	case e.cfg.AngleSums:
		u32(3)
	case len(e.cfg.Angles) > 0:
		u32(2)
	default:
		u32(1)
	}
	u32(e.inDim)
	u32(e.outDim)
	u32(e.cfg.Members)
	u32(len(e.cfg.Hidden))
	for _, h := range e.cfg.Hidden {
		u32(h)
	}
	det := byte(0)
	if e.cfg.Deterministic {
		det = 1
	}
	b = append(b, byte(e.cfg.Activation), det)
	f32s([]float32{e.cfg.MaxLogVar, e.cfg.MinLogVar})
	if len(e.cfg.Angles) > 0 {
		u32(len(e.cfg.Angles))
		for _, p := range e.cfg.Angles {
			u32(p[0])
			u32(p[1])
		}
		if e.cfg.AngleSums {
			b = append(b, 1)
		}
	}
	u32(len(e.elites))
	for _, m := range e.elites {
		u32(m)
	}
	f32s(e.inMean)
	f32s(e.inStd)
	f32s(e.outMean)
	f32s(e.outStd)
	f32s(e.maxLogVar)
	f32s(e.minLogVar)
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	if _, err := bw.Write(b); err != nil {
		return fmt.Errorf("ensemble: save: %w", err)
	}
	if err := e.net.Save(bw); err != nil {
		return fmt.Errorf("ensemble: save: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("ensemble: save: %w", err)
	}
	return nil
}

// decoder reads little-endian values, keeping the first error and a
// running checksum.
type decoder struct {
	r   io.Reader
	crc hash.Hash32
	err error
}

func (d *decoder) read(b []byte) {
	if d.err != nil {
		return
	}
	if _, err := io.ReadFull(d.r, b); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			d.err = fmt.Errorf("%w: %w", ErrCorrupt, io.ErrUnexpectedEOF)
		} else {
			d.err = fmt.Errorf("ensemble: load: %w", err)
		}
		return
	}
	d.crc.Write(b)
}

func (d *decoder) u32() int {
	var b [4]byte
	d.read(b[:])
	return int(binary.LittleEndian.Uint32(b[:]))
}

// dim reads a count and checks it against limit.
func (d *decoder) dim(what string, lo, limit int) int {
	v := d.u32()
	if d.err == nil && (v < lo || v > limit) {
		d.err = fmt.Errorf("%w: %s %d", ErrCorrupt, what, v)
	}
	return v
}

func (d *decoder) f32s(x []float32) {
	var b [4]byte
	for i := range x {
		d.read(b[:])
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[:]))
	}
}

// Load reads an ensemble written by Save. A truncated, foreign or corrupted
// stream yields an error wrapping ErrCorrupt (or nn.ErrCorrupt for the
// network part); Load never panics on bad input.
func Load(r io.Reader) (*Ensemble, error) {
	d := &decoder{r: r, crc: crc32.NewIEEE()}
	var mg [8]byte
	d.read(mg[:])
	if d.err == nil && string(mg[:]) != magic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, mg[:])
	}
	ver := d.u32()
	if d.err == nil && (ver < 1 || ver > version) {
		return nil, fmt.Errorf("%w: version %d, want 1 to %d", ErrCorrupt, ver, version)
	}
	inDim := d.dim("input width", 1, maxDim)
	outDim := d.dim("output width", 1, inDim)
	var cfg Config
	cfg.Members = d.dim("members", 1, 1<<16)
	cfg.Hidden = make([]int, d.dim("hidden layers", 0, 256))
	if d.err != nil {
		return nil, d.err
	}
	for i := range cfg.Hidden {
		cfg.Hidden[i] = d.dim("hidden width", 1, maxDim)
	}
	var flags [2]byte
	d.read(flags[:])
	cfg.Activation, cfg.Deterministic = nn.Activation(flags[0]), flags[1] == 1
	var lv [2]float32
	d.f32s(lv[:])
	cfg.MaxLogVar, cfg.MinLogVar = lv[0], lv[1]
	if ver >= 2 {
		cfg.Angles = make([][2]int, d.dim("angle pairs", 1, outDim/2))
		if d.err != nil {
			return nil, d.err
		}
		for i := range cfg.Angles {
			cfg.Angles[i] = [2]int{d.dim("angle index", 0, outDim-1), d.dim("angle index", 0, outDim-1)}
		}
		if d.err != nil {
			return nil, d.err
		}
		if err := checkAngles(cfg.Angles, outDim); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		if ver >= 3 {
			var sums [1]byte
			d.read(sums[:])
			if d.err == nil && sums[0] > 1 {
				return nil, fmt.Errorf("%w: angle sums flag %d", ErrCorrupt, sums[0])
			}
			cfg.AngleSums = sums[0] == 1
		}
	}
	cfg.Elites = d.dim("elites", 1, cfg.Members)
	if d.err != nil {
		return nil, d.err
	}
	if cfg.Members*outDim > 1<<24 {
		return nil, fmt.Errorf("%w: %d members × %d outputs", ErrCorrupt, cfg.Members, outDim)
	}
	if flags[1] > 1 {
		return nil, fmt.Errorf("%w: deterministic flag %d", ErrCorrupt, flags[1])
	}
	elites := make([]int, cfg.Elites)
	for i := range elites {
		elites[i] = d.dim("elite", 0, cfg.Members-1)
	}
	if d.err != nil {
		return nil, d.err
	}
	e := newEnsemble(inDim, outDim, cfg, nil)
	copy(e.elites, elites)
	for _, x := range [][]float32{e.inMean, e.inStd, e.outMean, e.outStd, e.maxLogVar, e.minLogVar} {
		d.f32s(x)
	}
	want := d.crc.Sum32()
	got := d.u32()
	if d.err != nil {
		return nil, d.err
	}
	if uint32(got) != want {
		return nil, fmt.Errorf("%w: header checksum %08x, want %08x", ErrCorrupt, got, want)
	}
	net, err := nn.Load(r)
	if err != nil {
		return nil, fmt.Errorf("ensemble: load network: %w", err)
	}
	h, o := net.Activations()
	if net.Members() != cfg.Members || !slices.Equal(net.Sizes(), sizes(inDim, outDim, cfg)) || h != cfg.Activation || o != nn.Identity {
		return nil, fmt.Errorf("%w: network %v×%d does not match the header", ErrCorrupt, net.Sizes(), net.Members())
	}
	e.net = net
	return e, nil
}

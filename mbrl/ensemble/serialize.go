package ensemble

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"

	"sandbox/internal/frame"
	"sandbox/mbrl/nn"
)

// ErrCorrupt is returned, wrapped, by Load for a stream that is truncated,
// was not written by Save, or fails its checksum. It is the checkpoint
// codec's sentinel, the same for every part (nn.ErrCorrupt too).
var ErrCorrupt = frame.ErrCorrupt

const (
	magic = "SBXENSMB"
	// Versions 1 to 3 were unframed: the fields, a CRC-32 of them and the
	// network. Version 1 had no angle pairs, version 2 added them after
	// the log-variance limits and version 3 the AngleSums flag after them.
	version = 4
	maxDim  = 1 << 20
)

// Save writes the ensemble to w as a frame (package internal/frame) with
// the magic "SBXENSMB" whose payload holds the dimensions and
// configuration, the elites, the normalization statistics and log-variance
// bounds (float32), and the network as written by nn.MLP.Save.
func (e *Ensemble) Save(w io.Writer) error {
	var enc frame.Encoder
	enc.Int32(e.inDim)
	enc.Int32(e.outDim)
	enc.Int32(e.cfg.Members)
	enc.Int32(len(e.cfg.Hidden))
	for _, h := range e.cfg.Hidden {
		enc.Int32(h)
	}
	enc.Uint8(uint8(e.cfg.Activation))
	enc.Bool(e.cfg.Deterministic)
	enc.Float32(e.cfg.MaxLogVar)
	enc.Float32(e.cfg.MinLogVar)
	enc.Int32(len(e.cfg.Angles))
	for _, p := range e.cfg.Angles {
		enc.Int32(p[0])
		enc.Int32(p[1])
	}
	enc.Bool(e.cfg.AngleSums)
	enc.Int32(len(e.elites))
	for _, m := range e.elites {
		enc.Int32(m)
	}
	for _, x := range [][]float32{e.inMean, e.inStd, e.outMean, e.outStd, e.maxLogVar, e.minLogVar} {
		enc.Float32s(x)
	}
	var net bytes.Buffer
	if err := e.net.Save(&net); err != nil {
		return fmt.Errorf("ensemble: save: %w", err)
	}
	enc.Blob(net.Bytes())
	if err := frame.Write(w, magic, version, enc.Bytes()); err != nil {
		return fmt.Errorf("ensemble: save: %w", err)
	}
	return nil
}

// Load reads an ensemble written by Save, or by the Save of versions 1 to
// 3. It reads exactly the bytes Save wrote. A truncated, foreign or
// corrupted stream yields an error wrapping ErrCorrupt; Load never panics
// on bad input and allocates in proportion to the bytes actually read.
func Load(r io.Reader) (*Ensemble, error) {
	p, err := frame.Read(r, magic, version)
	var old *frame.VersionError
	if errors.As(err, &old) && old.Version >= 1 && old.Version < version {
		return loadUnframed(r, old)
	}
	if err != nil {
		return nil, fmt.Errorf("ensemble: load: %w", err)
	}
	d := frame.NewDecoder(p)
	e := decode(d, version)
	blob := d.Blob("network")
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("ensemble: load: %w", err)
	}
	return e.attach(nn.Load(bytes.NewReader(blob)))
}

// loadUnframed reads the rest of a stream of versions 1 to 3: the fields,
// their checksum, then the network.
func loadUnframed(r io.Reader, old *frame.VersionError) (*Ensemble, error) {
	d := frame.Legacy(r, old)
	e := decode(d, int(old.Version))
	d.Checksum()
	if err := d.Finish(); err != nil {
		return nil, fmt.Errorf("ensemble: load: %w", err)
	}
	return e.attach(nn.Load(r))
}

// decode reads the fields Save writes, those of version ver, and returns
// an ensemble without its network; nil if d failed.
func decode(d *frame.Decoder, ver int) *Ensemble {
	inDim := d.Int32("input width", 1, maxDim)
	outDim := d.Int32("output width", 1, inDim)
	var cfg Config
	cfg.Members = d.Int32("members", 1, 1<<16)
	cfg.Hidden = make([]int, d.Int32("hidden layers", 0, 256))
	for i := range cfg.Hidden {
		cfg.Hidden[i] = d.Int32("hidden width", 1, maxDim)
	}
	cfg.Activation = nn.Activation(d.Uint8())
	cfg.Deterministic = d.Bool("deterministic")
	cfg.MaxLogVar, cfg.MinLogVar = d.Float32(), d.Float32()
	if ver >= 2 {
		minPairs := 1 // versions 2 and 3 wrote pairs only if there were some
		if ver >= 4 {
			minPairs = 0
		}
		cfg.Angles = make([][2]int, counted(d, d.Int32("angle pairs", minPairs, outDim/2), 8))
		for i := range cfg.Angles {
			cfg.Angles[i] = [2]int{d.Int32("angle index", 0, outDim-1), d.Int32("angle index", 0, outDim-1)}
		}
		if len(cfg.Angles) == 0 {
			cfg.Angles = nil
		}
		if err := checkAngles(cfg.Angles, outDim); err != nil {
			d.Failf("%v", err)
		}
	}
	if ver >= 3 {
		cfg.AngleSums = d.Bool("angle sums")
		if cfg.AngleSums && len(cfg.Angles) == 0 {
			d.Failf("angle sums without angle pairs")
		}
	}
	cfg.Elites = d.Int32("elites", 1, cfg.Members)
	if d.Err() == nil && cfg.Members*outDim > 1<<24 {
		d.Failf("%d members × %d outputs", cfg.Members, outDim)
	}
	elites := make([]int, counted(d, cfg.Elites, 4))
	for i := range elites {
		elites[i] = d.Int32("elite", 0, cfg.Members-1)
	}
	netIn, netOut := netWidths(inDim, outDim, cfg)
	lens := []int{netIn, netIn, netOut, netOut, 0, 0}
	if !cfg.Deterministic {
		lens[4], lens[5] = cfg.Members*netOut, cfg.Members*netOut
	}
	var stats [6][]float32
	for i, n := range lens {
		stats[i] = d.Float32s(n)
	}
	if d.Err() != nil {
		return nil
	}
	e := newEnsemble(inDim, outDim, cfg, nil)
	copy(e.elites, elites)
	for i, x := range [][]float32{e.inMean, e.inStd, e.outMean, e.outStd, e.maxLogVar, e.minLogVar} {
		copy(x, stats[i])
	}
	return e
}

// counted returns n if d holds n values of size bytes, else 0, so that a
// lying count fails before it is allocated.
func counted(d *frame.Decoder, n, size int) int {
	if !d.Need(n * size) {
		return 0
	}
	return n
}

// attach sets e's network, loaded with error err, after checking that it
// is the one e's configuration describes.
func (e *Ensemble) attach(net *nn.MLP, err error) (*Ensemble, error) {
	if err != nil {
		return nil, fmt.Errorf("ensemble: load network: %w", err)
	}
	h, o := net.Activations()
	if net.Members() != e.cfg.Members || !slices.Equal(net.Sizes(), sizes(e.inDim, e.outDim, e.cfg)) || h != e.cfg.Activation || o != nn.Identity {
		return nil, fmt.Errorf("ensemble: load: %w: network %v×%d does not match the header", ErrCorrupt, net.Sizes(), net.Members())
	}
	e.net = net
	return e, nil
}

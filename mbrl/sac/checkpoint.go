package sac

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"sandbox/internal/frame"
	"sandbox/mbrl/nn"
)

// ErrCorrupt is returned, wrapped, by Load for a stream that is truncated,
// was not written by Save, or fails its checksum.
var ErrCorrupt = errors.New("sac: corrupt or truncated checkpoint")

const (
	magic   = "SBXSACAG"
	version = 2 // 1 checksummed the header too
)

// Save writes everything a resumed run needs to continue bit-identically:
// the configuration, the widths, the update count, log α, the actor, the
// critics and their targets, and the three Adam optimisers' moments and
// step counts, framed by package internal/frame with the magic "SBXSACAG".
// The random streams are the caller's to save.
func (a *Agent) Save(w io.Writer) error {
	var p bytes.Buffer
	cfg, err := json.Marshal(a.cfg)
	if err != nil {
		return fmt.Errorf("sac: save: %w", err)
	}
	u32 := func(v uint32) { p.Write(binary.LittleEndian.AppendUint32(nil, v)) }
	u32(uint32(len(cfg)))
	p.Write(cfg)
	u32(uint32(a.obsDim))
	u32(uint32(a.actDim))
	p.Write(binary.LittleEndian.AppendUint64(nil, uint64(a.updates)))
	u32(math.Float32bits(a.logAlpha[0]))
	for _, m := range []*nn.MLP{a.actor, a.critic, a.target} {
		if err := m.Save(&p); err != nil {
			return fmt.Errorf("sac: save: %w", err)
		}
	}
	for _, o := range []*nn.Adam{&a.actorOpt, &a.criticOpt, &a.alphaOpt} {
		b, err := o.MarshalBinary()
		if err != nil {
			return fmt.Errorf("sac: save: %w", err)
		}
		u32(uint32(len(b)))
		p.Write(b)
	}

	if err := frame.Write(w, magic, version, p.Bytes()); err != nil {
		return fmt.Errorf("sac: save: %w", err)
	}
	return nil
}

// Load reads an agent written by Save, reading exactly the bytes Save
// wrote. A truncated, foreign or corrupted stream yields an error wrapping
// ErrCorrupt; Load never panics on bad input and allocates in proportion to
// the bytes actually read.
func Load(r io.Reader) (*Agent, error) {
	payload, err := frame.Read(r, magic, version)
	if errors.Is(err, frame.ErrCorrupt) {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if err != nil {
		return nil, fmt.Errorf("sac: load: %w", err)
	}
	a, err := decode(bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return a, nil
}

// decode parses a payload whose checksum matched.
func decode(p *bytes.Reader) (*Agent, error) {
	u32 := func() (uint32, error) {
		var b [4]byte
		_, err := io.ReadFull(p, b[:])
		return binary.LittleEndian.Uint32(b[:]), err
	}
	bytesN := func() ([]byte, error) {
		n, err := u32()
		if err != nil {
			return nil, err
		}
		if int64(n) > int64(p.Len()) {
			return nil, fmt.Errorf("field of %d bytes with %d left", n, p.Len())
		}
		b := make([]byte, n)
		_, err = io.ReadFull(p, b)
		return b, err
	}
	cfgJSON, err := bytesN()
	if err != nil {
		return nil, err
	}
	var cfg Config
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var dims [3]uint32
	for i := range dims {
		if dims[i], err = u32(); err != nil {
			return nil, err
		}
	}
	a, err := newAgent(int(dims[0]), int(dims[1]), cfg)
	if err != nil {
		return nil, err
	}
	hi, err := u32()
	if err != nil {
		return nil, err
	}
	updates := uint64(dims[2]) | uint64(hi)<<32
	if updates > math.MaxInt32 {
		return nil, fmt.Errorf("update count %d", updates)
	}
	a.updates = int(updates)
	la, err := u32()
	if err != nil {
		return nil, err
	}
	a.logAlpha[0] = math.Float32frombits(la)
	if v := float64(a.logAlpha[0]); math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("log alpha %v", v)
	}
	act, _ := activation(a.cfg.Activation)
	nets := []struct {
		dst     **nn.MLP
		members int
		sizes   []int
	}{
		{&a.actor, 1, a.actorSizes()},
		{&a.critic, 2, a.criticSizes()},
		{&a.target, 2, a.criticSizes()},
	}
	for i, nt := range nets {
		m, err := nn.Load(p)
		if err != nil {
			return nil, fmt.Errorf("network %d: %w", i, err)
		}
		if h, _ := m.Activations(); m.Members() != nt.members || !slices.Equal(m.Sizes(), nt.sizes) || h != act {
			return nil, fmt.Errorf("network %d has %d members of sizes %v (%v), want %d of %v (%v)",
				i, m.Members(), m.Sizes(), h, nt.members, nt.sizes, act)
		}
		*nt.dst = m
	}
	for i, o := range []struct {
		opt *nn.Adam
		n   int
	}{{&a.actorOpt, len(a.actor.Params)}, {&a.criticOpt, len(a.critic.Params)}, {&a.alphaOpt, 1}} {
		b, err := bytesN()
		if err != nil {
			return nil, err
		}
		if err := o.opt.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("optimiser %d: %w", i, err)
		}
		if m, _, t := o.opt.State(); t > 0 && len(m) != o.n {
			return nil, fmt.Errorf("optimiser %d has %d moments for %d parameters", i, len(m), o.n)
		}
	}
	if p.Len() != 0 {
		return nil, fmt.Errorf("%d trailing bytes", p.Len())
	}
	a.init()
	return a, nil
}

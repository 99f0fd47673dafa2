package sac

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"sandbox/internal/frame"
	"sandbox/mbrl/nn"
)

// ErrCorrupt is returned, wrapped, by Load for a stream that is truncated,
// was not written by Save, or fails its checksum. It is the checkpoint
// codec's sentinel, the same for every part.
var ErrCorrupt = frame.ErrCorrupt

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
	var e frame.Encoder
	cfg, err := json.Marshal(a.cfg)
	if err != nil {
		return fmt.Errorf("sac: save: %w", err)
	}
	e.Int32(len(cfg))
	e.Write(cfg)
	e.Int32(a.obsDim)
	e.Int32(a.actDim)
	e.Int64(a.updates)
	e.Float32(a.logAlpha[0])
	for _, m := range []*nn.MLP{a.actor, a.critic, a.target} {
		if err := m.Save(&e); err != nil {
			return fmt.Errorf("sac: save: %w", err)
		}
	}
	for _, o := range []*nn.Adam{&a.actorOpt, &a.criticOpt, &a.alphaOpt} {
		b, err := o.MarshalBinary()
		if err != nil {
			return fmt.Errorf("sac: save: %w", err)
		}
		e.Int32(len(b))
		e.Write(b)
	}
	if err := frame.Write(w, magic, version, e.Bytes()); err != nil {
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
	if err != nil {
		return nil, fmt.Errorf("sac: load: %w", err)
	}
	d := frame.NewDecoder(payload)
	a, err := decode(d)
	if err == nil {
		err = d.Finish()
	}
	if err != nil {
		return nil, fmt.Errorf("sac: load: %w", err)
	}
	return a, nil
}

// decode parses a payload whose checksum matched.
func decode(d *frame.Decoder) (*Agent, error) {
	cfgJSON := d.Bytes(d.Int32("config length", 0, d.Len()))
	obsDim := d.Int32("observation width", 0, math.MaxInt32)
	actDim := d.Int32("action width", 0, math.MaxInt32)
	updates := d.Int64("update count", 0, math.MaxInt32)
	logAlpha := d.Float32()
	if err := d.Err(); err != nil {
		return nil, err
	}
	var cfg Config
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		return nil, fmt.Errorf("%w: config: %w", ErrCorrupt, err)
	}
	a, err := newAgent(obsDim, actDim, cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	a.updates = updates
	a.logAlpha[0] = logAlpha
	if v := float64(logAlpha); math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%w: log alpha %v", ErrCorrupt, v)
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
		m, err := nn.Load(d)
		if err != nil {
			return nil, fmt.Errorf("network %d: %w", i, err)
		}
		if h, _ := m.Activations(); m.Members() != nt.members || !slices.Equal(m.Sizes(), nt.sizes) || h != act {
			return nil, fmt.Errorf("%w: network %d has %d members of sizes %v (%v), want %d of %v (%v)",
				ErrCorrupt, i, m.Members(), m.Sizes(), h, nt.members, nt.sizes, act)
		}
		*nt.dst = m
	}
	for i, o := range []struct {
		opt *nn.Adam
		n   int
	}{{&a.actorOpt, len(a.actor.Params)}, {&a.criticOpt, len(a.critic.Params)}, {&a.alphaOpt, 1}} {
		b := d.Bytes(d.Int32("optimiser length", 0, d.Len()))
		if err := d.Err(); err != nil {
			return nil, err
		}
		if err := o.opt.UnmarshalBinary(b); err != nil {
			return nil, fmt.Errorf("optimiser %d: %w", i, err)
		}
		if m, _, t := o.opt.State(); t > 0 && len(m) != o.n {
			return nil, fmt.Errorf("%w: optimiser %d has %d moments for %d parameters", ErrCorrupt, i, len(m), o.n)
		}
	}
	a.init()
	return a, nil
}

package session

import (
	"fmt"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"io"
	"math"

	"sandbox/viewer/render"
)

// RecordConfig sets up Record. The zero value of each field selects its
// default.
type RecordConfig struct {
	// Episodes to record. Default 1.
	Episodes int
	// Width and Height of the images, px. Defaults 640 × 400.
	Width, Height int
	// Contacts draws the contact points.
	Contacts bool
	// Candidates draws the candidate futures of a planner (Imaginer).
	Candidates bool
}

// RecordResult describes a recording.
type RecordResult struct {
	Frames, Episodes, Successes int
}

// Record runs cfg.Episodes episodes of s (from its current episode on) and
// writes them to w as an animated GIF: one frame per control step, shown
// for the control period, so the GIF plays in real time. The camera is
// fixed per recording, fitted to everything the episodes show. It needs no
// display.
func Record(s *Session, w io.Writer, cfg RecordConfig) (RecordResult, error) {
	if cfg.Episodes == 0 {
		cfg.Episodes = 1
	}
	if cfg.Width == 0 {
		cfg.Width = 640
	}
	if cfg.Height == 0 {
		cfg.Height = 400
	}
	switch {
	case cfg.Episodes < 0 || cfg.Episodes > 10_000:
		return RecordResult{}, fmt.Errorf("session: %d episodes outside [1, 10000]", cfg.Episodes)
	case cfg.Width < 16 || cfg.Height < 16 || cfg.Width > 4096 || cfg.Height > 4096:
		return RecordResult{}, fmt.Errorf("session: image size %d×%d outside [16, 4096]", cfg.Width, cfg.Height)
	}
	type shot struct {
		f  *render.Frame
		st Stats
	}
	var shots []shot
	bounds := s.Extent()
	capture := func() {
		f := s.Frame()
		f.ShowContacts = cfg.Contacts
		f.ShowCandidates = cfg.Candidates
		bounds.Union(f.Bounds())
		shots = append(shots, shot{f, s.Stats()})
	}
	start := s.Stats()
	for ep := range cfg.Episodes {
		if ep > 0 || s.Done() || s.Stats().Step > 0 {
			s.Reset()
		}
		capture()
		for !s.Done() {
			if err := s.Step(); err != nil {
				return RecordResult{}, err
			}
			capture()
		}
	}
	end := s.Stats()
	// Keep the scene below the HUD's three lines.
	cam := render.FitBelow(bounds, cfg.Width, cfg.Height, 60, 0.05)
	delay := int(math.Round(100 * s.Env().Spec().ControlDt))
	var r render.Renderer
	img := image.NewRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
	q := newQuantizer()
	out := &gif.GIF{Config: image.Config{ColorModel: q.pal, Width: cfg.Width, Height: cfg.Height}}
	for _, sh := range shots {
		sh.f.HUD = sh.st.HUD(-1, 0, -1, false)
		r.Draw(img, cam, sh.f)
		out.Image = append(out.Image, q.paletted(img))
		out.Delay = append(out.Delay, delay)
	}
	// Hold the last frame for a second.
	if n := len(out.Delay); n > 0 {
		out.Delay[n-1] = 100
	}
	if err := gif.EncodeAll(w, out); err != nil {
		return RecordResult{}, fmt.Errorf("session: writing the GIF: %w", err)
	}
	return RecordResult{Frames: len(shots), Episodes: cfg.Episodes, Successes: end.Successes - start.Successes}, nil
}

// quantizer maps colours to the nearest of a fixed palette (Plan 9's 256
// colours), caching the answers: a scene has few distinct colours, and the
// palette's linear search would otherwise dominate.
type quantizer struct {
	pal   color.Palette
	cache map[uint32]uint8
}

func newQuantizer() *quantizer {
	return &quantizer{pal: palette.Plan9, cache: map[uint32]uint8{}}
}

func (q *quantizer) paletted(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	p := image.NewPaletted(b, q.pal)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):]
		out := p.Pix[p.PixOffset(b.Min.X, y):]
		for x := range b.Dx() {
			c := row[4*x : 4*x+4 : 4*x+4]
			key := uint32(c[0])<<16 | uint32(c[1])<<8 | uint32(c[2])
			i, ok := q.cache[key]
			if !ok {
				i = uint8(q.pal.Index(color.RGBA{c[0], c[1], c[2], 255}))
				q.cache[key] = i
			}
			out[x] = i
		}
	}
	return p
}

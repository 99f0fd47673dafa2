package render

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"slices"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"

	"sandbox/sim"
)

// Colours of the scene. GoalColor is drawn opaque at the centre of every
// goal marker (tests look for it there).
var (
	BackgroundColor = color.RGBA{22, 24, 30, 255}
	GridColor       = color.RGBA{36, 39, 48, 255}
	StaticColor     = color.RGBA{92, 98, 112, 255}
	OutlineColor    = color.RGBA{12, 12, 16, 255}
	JointColor      = color.RGBA{235, 235, 235, 255}
	GoalColor       = color.RGBA{60, 220, 90, 255}
	PlanColor       = color.RGBA{255, 150, 40, 255}
	CandidateColor  = color.RGBA{150, 110, 200, 255}
	TrailColor      = color.RGBA{80, 170, 255, 255}
	FocusColor      = color.RGBA{255, 255, 255, 255}
	ContactColor    = color.RGBA{255, 60, 60, 255}
	SpringColor     = color.RGBA{255, 230, 60, 255}
	TextColor       = color.RGBA{240, 240, 240, 255}
	PanelColor      = color.NRGBA{0, 0, 0, 170}
	// BodyColors colour the moving bodies by index, and StaticColor the
	// others, where the model file gives a shape no colour.
	BodyColors = []color.RGBA{
		{196, 120, 78, 255}, {86, 150, 200, 255}, {170, 110, 200, 255},
		{120, 180, 110, 255}, {210, 170, 80, 255}, {200, 100, 130, 255},
	}
)

// pt is a point in pixels.
type pt struct{ x, y float32 }

// Renderer draws Frames. It keeps scratch memory between calls and must not
// be used by several goroutines at once. The zero value is ready to use.
type Renderer struct {
	ras   vector.Rasterizer
	src   image.Uniform
	polys [][]pt
	buf   []pt
	cam   Camera
}

// Draw renders f as seen by cam into dst, which must be cam.Width ×
// cam.Height (larger images are drawn in their top-left part).
func (r *Renderer) Draw(dst *image.RGBA, cam Camera, f *Frame) {
	r.cam = cam
	draw.Draw(dst, dst.Bounds(), image.NewUniform(BackgroundColor), image.Point{}, draw.Src)
	r.grid(dst)
	if len(f.Trail) > 0 {
		pts := r.buf[:0]
		for _, p := range f.Trail {
			pts = append(pts, r.screen(p))
		}
		if f.HasFocus {
			pts = append(pts, r.screen(f.Focus))
		}
		r.buf = pts
		r.stroke(dst, TrailColor, 2, pts)
	}
	for i := range f.Shapes {
		s := &f.Shapes[i]
		r.shape(dst, s, s.Body < len(f.Static) && f.Static[s.Body])
	}
	for _, j := range f.Joints {
		c := r.screen(j)
		r.fill(dst, OutlineColor, r.circle(c, 4, false))
		r.fill(dst, JointColor, r.circle(c, 2.5, false))
	}
	// Goals over the bodies, translucent but for a thin outline and the
	// centre, so that neither hides the other.
	for _, m := range f.Goals {
		if m.Radius > 0 {
			c := r.screen(m.A)
			rad := float32(m.Radius * cam.Scale)
			r.fill(dst, withAlpha(GoalColor, 60), r.circle(c, rad, false))
			r.fill(dst, GoalColor, r.circle(c, rad, false), r.circle(c, rad-2, true))
			if m.B != m.A {
				r.stroke(dst, GoalColor, 2, []pt{c, r.screen(m.B)})
			}
			r.fill(dst, GoalColor, r.circle(c, 3, false))
		} else {
			a, b := r.screen(m.A), r.screen(m.B)
			r.stroke(dst, withAlpha(GoalColor, 80), 9, []pt{a, b})
			r.stroke(dst, GoalColor, 2, []pt{a, b})
			mid := pt{(a.x + b.x) / 2, (a.y + b.y) / 2}
			r.fill(dst, GoalColor, r.circle(mid, 3, false))
		}
	}
	if f.ShowContacts {
		for _, ct := range f.Contacts {
			c := r.screen(ct.Point)
			n := pt{float32(ct.Normal.X * 14), float32(-ct.Normal.Y * 14)}
			r.stroke(dst, ContactColor, 1.5, []pt{c, {c.x + n.x, c.y + n.y}})
			r.fill(dst, ContactColor, r.circle(c, 3, false))
		}
	}
	if f.ShowCandidates {
		for _, c := range f.Candidates {
			pts := r.buf[:0]
			for _, p := range c {
				pts = append(pts, r.screen(p))
			}
			r.buf = pts
			if len(pts) > 1 {
				r.stroke(dst, CandidateColor, 1, pts)
			}
		}
	}
	if len(f.Plan) > 1 {
		pts := r.buf[:0]
		for _, p := range f.Plan {
			pts = append(pts, r.screen(p))
		}
		r.buf = pts
		r.stroke(dst, PlanColor, 2.5, pts)
		for _, p := range pts[1:] {
			r.fill(dst, PlanColor, r.circle(p, 3, false))
		}
	}
	if f.HasFocus {
		c := r.screen(f.Focus)
		r.fill(dst, FocusColor, r.circle(c, 5, false), r.circle(c, 3.5, true))
	}
	if f.Spring.Active {
		a, b := r.screen(f.Spring.From), r.screen(f.Spring.To)
		r.stroke(dst, SpringColor, 2, []pt{a, b})
		r.fill(dst, SpringColor, r.circle(a, 4, false))
		r.fill(dst, SpringColor, r.circle(b, 3, false), r.circle(b, 1.5, true))
	}
	if len(f.HUD) > 0 {
		Text(dst, 8, 8, f.HUD)
	}
	if len(f.Help) > 0 {
		w, h := TextSize(f.Help)
		b := dst.Bounds()
		Text(dst, max(8, (b.Dx()-w)/2), max(8, (b.Dy()-h)/2), f.Help)
	}
}

// grid draws lines every 1, 2 or 5 × 10ⁿ m, the finest spacing that is at
// least 40 px.
func (r *Renderer) grid(dst *image.RGBA) {
	step := math.Pow(10, math.Floor(math.Log10(40/r.cam.Scale)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step*m*r.cam.Scale >= 40 {
			step *= m
			break
		}
	}
	b := dst.Bounds()
	lo := r.cam.ToWorld(0, float64(b.Dy()))
	hi := r.cam.ToWorld(float64(b.Dx()), 0)
	src := image.NewUniform(GridColor)
	for x := math.Ceil(lo.X/step) * step; x <= hi.X; x += step {
		px, _ := r.cam.ToScreen(sim.Vec2{X: x})
		draw.Draw(dst, image.Rect(int(px), 0, int(px)+1, b.Dy()), src, image.Point{}, draw.Src)
	}
	for y := math.Ceil(lo.Y/step) * step; y <= hi.Y; y += step {
		_, py := r.cam.ToScreen(sim.Vec2{Y: y})
		draw.Draw(dst, image.Rect(0, int(py), b.Dx(), int(py)+1), src, image.Point{}, draw.Src)
	}
}

func (r *Renderer) shape(dst *image.RGBA, s *sim.DrawShape, static bool) {
	var fill color.Color = StaticColor
	switch {
	case s.Color.A > 0: // the model file's colour
		fill = s.Color
	case !static:
		fill = BodyColors[s.Body%len(BodyColors)]
	}
	if s.Kind == sim.Circle {
		c := r.screen(s.Center)
		rad := float32(s.Radius * r.cam.Scale)
		r.fill(dst, OutlineColor, r.circle(c, rad+1, false))
		r.fill(dst, fill, r.circle(c, max(rad-0.5, 0.5), false))
		// A spoke shows the rotation of discs.
		sn, cs := math.Sincos(s.Angle)
		tip := pt{c.x + rad*float32(cs), c.y - rad*float32(sn)}
		r.stroke(dst, OutlineColor, 1.5, []pt{c, tip})
		return
	}
	pts := r.buf[:0]
	for _, v := range s.Vertices {
		pts = append(pts, r.screen(v))
	}
	if orientation(pts) < 0 {
		slices.Reverse(pts)
	}
	r.buf = pts
	r.fill(dst, fill, pts)
	pts = append(pts, pts[0])
	r.stroke(dst, OutlineColor, 1.5, pts)
}

func (r *Renderer) screen(p sim.Vec2) pt {
	x, y := r.cam.ToScreen(p)
	return pt{float32(x), float32(y)}
}

// circle returns a polygon approximating a circle; hole reverses its
// orientation so that, drawn in the same fill as a larger circle, it
// punches a ring.
func (r *Renderer) circle(c pt, rad float32, hole bool) []pt {
	n := int(math.Max(12, math.Min(96, float64(rad))))
	out := make([]pt, n)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		if hole {
			a = -a
		}
		sn, cs := math.Sincos(a)
		out[i] = pt{c.x + rad*float32(cs), c.y + rad*float32(sn)}
	}
	return out
}

// stroke draws a polyline of the given width (px) with round joins. Long
// polylines are filled in pieces of small extent: the rasterizer's cost
// is the area of the box around what it fills.
func (r *Renderer) stroke(dst *image.RGBA, col color.Color, width float32, pts []pt) {
	if len(pts) < 2 {
		return
	}
	polys := r.polys[:0]
	h := width / 2
	var lo, hi pt
	for i := 0; i+1 < len(pts); i++ {
		a, b := pts[i], pts[i+1]
		dx, dy := b.x-a.x, b.y-a.y
		l := float32(math.Hypot(float64(dx), float64(dy)))
		if !(l >= 1e-3) {
			continue
		}
		if len(polys) == 0 {
			lo, hi = a, a
		}
		lo = pt{min(lo.x, a.x, b.x), min(lo.y, a.y, b.y)}
		hi = pt{max(hi.x, a.x, b.x), max(hi.y, a.y, b.y)}
		nx, ny := -dy/l*h, dx/l*h
		polys = append(polys, []pt{{a.x - nx, a.y - ny}, {b.x - nx, b.y - ny}, {b.x + nx, b.y + ny}, {a.x + nx, a.y + ny}})
		if i > 0 && width > 1.5 {
			polys = append(polys, r.circle(a, h, false))
		}
		if (hi.x-lo.x)*(hi.y-lo.y) > 4096 {
			r.fill(dst, col, polys...)
			polys = polys[:0]
		}
	}
	if len(polys) > 0 {
		r.fill(dst, col, polys...)
	}
	r.polys = polys
}

// fill draws the union of polygons (px) in col, anti-aliased. Polygons
// wound like circle(…, false) add up; reversed ones cut holes.
func (r *Renderer) fill(dst *image.RGBA, col color.Color, polys ...[]pt) {
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, p := range polys {
		for _, q := range p {
			if math.IsNaN(float64(q.x)) || math.IsNaN(float64(q.y)) {
				return
			}
			minX, minY = min(minX, q.x), min(minY, q.y)
			maxX, maxY = max(maxX, q.x), max(maxY, q.y)
		}
	}
	// Far off-screen coordinates are clamped: the rasterizer works in
	// float32 and clips per row, so only the visible box matters.
	b := dst.Bounds()
	box := image.Rect(int(math.Floor(float64(max(minX, -1)))), int(math.Floor(float64(max(minY, -1)))),
		int(math.Ceil(float64(min(maxX, float32(b.Max.X+1))))), int(math.Ceil(float64(min(maxY, float32(b.Max.Y+1)))))).Intersect(b)
	if box.Empty() {
		return
	}
	r.ras.Reset(box.Dx(), box.Dy())
	ox, oy := float32(box.Min.X), float32(box.Min.Y)
	for _, p := range polys {
		if len(p) < 3 {
			continue
		}
		for i, q := range p {
			x, y := clampf(q.x-ox), clampf(q.y-oy)
			if i == 0 {
				r.ras.MoveTo(x, y)
			} else {
				r.ras.LineTo(x, y)
			}
		}
		r.ras.ClosePath()
	}
	r.src.C = col
	r.ras.Draw(dst, box, &r.src, image.Point{})
}

// orientation is +1 for polygons wound like circle(…, false) and −1 for
// the others (holes).
func orientation(p []pt) float32 {
	a := float32(0)
	for i := range p {
		q, s := p[i], p[(i+1)%len(p)]
		a += q.x*s.y - s.x*q.y
	}
	if a < 0 {
		return -1
	}
	return 1
}

// clampf keeps far off-screen coordinates in a range where float32 stays
// exact enough; the rasterizer clips rows and clamps columns itself.
func clampf(v float32) float32 { return max(-1e5, min(1e5, v)) }

func withAlpha(c color.RGBA, a uint8) color.NRGBA { return color.NRGBA{c.R, c.G, c.B, a} }

var face = basicfont.Face7x13

// Line metrics of the HUD font, px.
const (
	lineHeight = 15
	charWidth  = 7
	padding    = 6
)

// TextSize returns the size in pixels of the box Text draws for lines.
func TextSize(lines []string) (w, h int) {
	for _, l := range lines {
		w = max(w, len([]rune(l))*charWidth)
	}
	return w + 2*padding, len(lines)*lineHeight + 2*padding
}

// Text draws lines on a translucent panel whose top-left corner is (x, y).
func Text(dst *image.RGBA, x, y int, lines []string) {
	w, h := TextSize(lines)
	draw.Draw(dst, image.Rect(x, y, x+w, y+h), image.NewUniform(PanelColor), image.Point{}, draw.Over)
	d := font.Drawer{Dst: dst, Src: image.NewUniform(TextColor), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(x+padding, y+padding+i*lineHeight+11)
		d.DrawString(l)
	}
}

// Package render draws a scene — the simulator's shape list, a task's goal
// markers, a planner's imagined path, the real path and a HUD — into an
// *image.RGBA with a pure-Go rasterizer (golang.org/x/image/vector). The
// live window uploads the same image every frame and the GIF recorder
// encodes it, so both share one drawing code path. The package needs no
// display and does not import ebiten.
package render

import (
	"math"

	"sandbox/sim"
)

// Camera maps world coordinates (m, y up) to image pixels (y down). The
// zero Camera is not usable: build one with Fit or set every field.
type Camera struct {
	// Center is the world point shown at the image centre, m.
	Center sim.Vec2
	// Scale is the zoom, pixels per metre.
	Scale float64
	// Width and Height of the image, px.
	Width, Height int
}

// Zoom limits, pixels per metre.
const (
	MinScale = 1.0
	MaxScale = 1e5
)

// ToScreen returns the pixel coordinates of world point p.
func (c Camera) ToScreen(p sim.Vec2) (x, y float64) {
	return float64(c.Width)/2 + (p.X-c.Center.X)*c.Scale, float64(c.Height)/2 - (p.Y-c.Center.Y)*c.Scale
}

// ToWorld returns the world point at pixel (x, y); it inverts ToScreen.
func (c Camera) ToWorld(x, y float64) sim.Vec2 {
	return sim.Vec2{X: c.Center.X + (x-float64(c.Width)/2)/c.Scale, Y: c.Center.Y - (y-float64(c.Height)/2)/c.Scale}
}

// ZoomAt multiplies the scale by factor (clamped to [MinScale, MaxScale]),
// keeping the world point under pixel (x, y) in place, as a mouse wheel
// zoom does. Non-finite or non-positive factors are ignored.
func (c *Camera) ZoomAt(x, y, factor float64) {
	if !(factor > 0) || math.IsInf(factor, 0) {
		return
	}
	p := c.ToWorld(x, y)
	c.Scale = math.Max(MinScale, math.Min(MaxScale, c.Scale*factor))
	// Solve ToScreen(p) = (x, y) for the centre.
	c.Center.X = p.X - (x-float64(c.Width)/2)/c.Scale
	c.Center.Y = p.Y + (y-float64(c.Height)/2)/c.Scale
}

// Pan moves the view by (dx, dy) pixels so that the scene follows a mouse
// dragged by that much.
func (c *Camera) Pan(dx, dy float64) {
	c.Center.X -= dx / c.Scale
	c.Center.Y += dy / c.Scale
}

// Bounds is an axis-aligned box in world coordinates, m. The zero value is
// empty.
type Bounds struct {
	Min, Max sim.Vec2
	NonEmpty bool
}

// Add grows b to contain p; non-finite points are ignored.
func (b *Bounds) Add(p sim.Vec2) {
	if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
		return
	}
	if !b.NonEmpty {
		b.Min, b.Max, b.NonEmpty = p, p, true
		return
	}
	b.Min.X, b.Min.Y = math.Min(b.Min.X, p.X), math.Min(b.Min.Y, p.Y)
	b.Max.X, b.Max.Y = math.Max(b.Max.X, p.X), math.Max(b.Max.Y, p.Y)
}

// Union grows b to contain o.
func (b *Bounds) Union(o Bounds) {
	if o.NonEmpty {
		b.Add(o.Min)
		b.Add(o.Max)
	}
}

// Fit returns a camera for a w×h image that shows b with a margin of the
// given fraction of b's size on every side (0.1 when margin ≤ 0). An empty
// or degenerate b is shown as a 2 m square around its centre.
func Fit(b Bounds, w, h int, margin float64) Camera {
	if margin <= 0 {
		margin = 0.1
	}
	if !b.NonEmpty {
		b = Bounds{Min: sim.Vec2{X: -1, Y: -1}, Max: sim.Vec2{X: 1, Y: 1}, NonEmpty: true}
	}
	c := sim.Vec2{X: (b.Min.X + b.Max.X) / 2, Y: (b.Min.Y + b.Max.Y) / 2}
	sx, sy := b.Max.X-b.Min.X, b.Max.Y-b.Min.Y
	if sx < 1e-3 && sy < 1e-3 {
		sx, sy = 2, 2
	}
	sx, sy = sx*(1+2*margin), sy*(1+2*margin)
	scale := math.Min(float64(max(w, 1))/math.Max(sx, 1e-9), float64(max(h, 1))/math.Max(sy, 1e-9))
	scale = math.Max(MinScale, math.Min(MaxScale, scale))
	return Camera{Center: c, Scale: scale, Width: w, Height: h}
}

// FitBelow is Fit for the part of a w×h image below its top rows (a HUD):
// the camera covers the whole image, but b is fitted between row top and
// the bottom.
func FitBelow(b Bounds, w, h, top int, margin float64) Camera {
	top = max(0, min(top, h/2))
	c := Fit(b, w, h-top, margin)
	c.Height = h
	c.Center.Y += float64(top) / 2 / c.Scale
	return c
}

// Approach moves c a fraction t (0 to 1) of the way towards target, in
// centre and in log-scale: a smooth camera that follows a moving fit.
func (c *Camera) Approach(target Camera, t float64) {
	t = math.Max(0, math.Min(1, t))
	c.Center.X += t * (target.Center.X - c.Center.X)
	c.Center.Y += t * (target.Center.Y - c.Center.Y)
	c.Scale *= math.Pow(target.Scale/c.Scale, t)
	c.Width, c.Height = target.Width, target.Height
}

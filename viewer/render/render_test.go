package render_test

import (
	"image"
	"image/color"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/sim"
	"sandbox/tasks"
	"sandbox/viewer/render"
)

func TestCameraRoundTrip(t *testing.T) {
	cam := render.Camera{Center: sim.Vec2{X: 0.5, Y: -0.25}, Scale: 200, Width: 640, Height: 400}
	for _, p := range []sim.Vec2{{}, {X: 1, Y: 2}, {X: -3.5, Y: 0.125}} {
		x, y := cam.ToScreen(p)
		q := cam.ToWorld(x, y)
		// Exact up to rounding of a few float64 operations.
		assert.InDelta(t, p.X, q.X, 1e-12, "ToWorld(ToScreen(%v))", p)
		assert.InDelta(t, p.Y, q.Y, 1e-12, "ToWorld(ToScreen(%v))", p)
	}
	x, y := cam.ToScreen(cam.Center)
	assert.Equal(t, [2]float64{320, 200}, [2]float64{x, y}, "the centre is mid-image")
	x, y = cam.ToScreen(sim.Vec2{X: 1.5, Y: 0.75})
	assert.Equal(t, [2]float64{520, 0}, [2]float64{x, y}, "1 m right is 200 px right; 1 m up is 200 px up")
}

func TestCameraZoomKeepsThePointUnderTheCursor(t *testing.T) {
	tests := []struct {
		name         string
		x, y, factor float64
		wantScale    float64
	}{
		{"in", 100, 50, 2, 200},
		{"out", 600, 390, 0.5, 50},
		{"clamped out", 10, 10, 1e-9, render.MinScale},
		{"clamped in", 10, 10, 1e9, render.MaxScale},
		{"ignored", 10, 10, math.NaN(), 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cam := render.Camera{Center: sim.Vec2{X: 1, Y: 1}, Scale: 100, Width: 640, Height: 400}
			before := cam.ToWorld(tt.x, tt.y)
			cam.ZoomAt(tt.x, tt.y, tt.factor)
			assert.InDelta(t, tt.wantScale, cam.Scale, 1e-9)
			after := cam.ToWorld(tt.x, tt.y)
			assert.InDelta(t, before.X, after.X, 1e-9)
			assert.InDelta(t, before.Y, after.Y, 1e-9)
		})
	}
}

func TestCameraPanFollowsTheMouse(t *testing.T) {
	cam := render.Camera{Scale: 100, Width: 640, Height: 400}
	p := sim.Vec2{X: 0.3, Y: 0.2}
	x0, y0 := cam.ToScreen(p)
	cam.Pan(25, -40)
	x1, y1 := cam.ToScreen(p)
	assert.InDelta(t, x0+25, x1, 1e-9)
	assert.InDelta(t, y0-40, y1, 1e-9)
}

func TestFitShowsTheBoundsWithMargin(t *testing.T) {
	var b render.Bounds
	b.Add(sim.Vec2{X: -1, Y: -0.5})
	b.Add(sim.Vec2{X: 3, Y: 0.5})
	cam := render.Fit(b, 800, 400, 0.1)
	// Width limits: 4 m × 1.2 = 4.8 m in 800 px.
	assert.InDelta(t, 800/4.8, cam.Scale, 1e-9)
	for _, p := range []sim.Vec2{b.Min, b.Max} {
		x, y := cam.ToScreen(p)
		assert.True(t, x > 0 && x < 800 && y > 0 && y < 400, "%v at (%g, %g) is on screen", p, x, y)
	}
	empty := render.Fit(render.Bounds{}, 100, 100, 0)
	assert.InDelta(t, 100/2.4, empty.Scale, 1e-9, "an empty box shows 2 m")
}

func TestFitBelowLeavesTheTopFree(t *testing.T) {
	var b render.Bounds
	b.Add(sim.Vec2{X: -1, Y: -1})
	b.Add(sim.Vec2{X: 1, Y: 1})
	cam := render.FitBelow(b, 400, 400, 100, 0.1)
	assert.Equal(t, 400, cam.Height)
	_, top := cam.ToScreen(sim.Vec2{Y: 1})
	_, bottom := cam.ToScreen(sim.Vec2{Y: -1})
	assert.Greater(t, top, 100.0, "the box starts below the HUD rows")
	assert.Less(t, bottom, 400.0)
	assert.InDelta(t, 250, (top+bottom)/2, 1e-9, "centred in rows 100 to 400")
}

func at(img *image.RGBA, x, y float64) color.RGBA {
	return img.RGBAAt(int(math.Floor(x)), int(math.Floor(y)))
}

func TestDrawPutsTheGoalAndBodiesWhereTheCameraSays(t *testing.T) {
	goal := sim.Vec2{X: 0.8, Y: -0.3}
	box := []sim.Vec2{{X: -0.6, Y: 0.2}, {X: -0.2, Y: 0.2}, {X: -0.2, Y: 0.4}, {X: -0.6, Y: 0.4}}
	f := &render.Frame{
		Shapes: []sim.DrawShape{
			{Body: 0, Kind: sim.Circle, Center: sim.Vec2{}, Radius: 0.1},
			{Body: 1, Kind: sim.Box, Vertices: box, Center: sim.Vec2{X: -0.4, Y: 0.3}},
		},
		Static: []bool{true, false},
		Goals:  []tasks.Marker{{A: goal, B: goal, Radius: 0.05}},
		Plan:   []sim.Vec2{{X: 0, Y: -0.5}, {X: 0.5, Y: -0.5}, {X: 1, Y: -0.5}},
	}
	cam := render.Camera{Center: sim.Vec2{X: 0.1, Y: 0}, Scale: 200, Width: 400, Height: 300}
	img := image.NewRGBA(image.Rect(0, 0, cam.Width, cam.Height))
	var r render.Renderer
	r.Draw(img, cam, f)

	gx, gy := cam.ToScreen(goal)
	assert.Equal(t, render.GoalColor, at(img, gx, gy), "goal colour at the projected goal (%g, %g)", gx, gy)
	cx, cy := cam.ToScreen(sim.Vec2{X: -0.4, Y: 0.3})
	assert.Equal(t, render.BodyColors[1], at(img, cx, cy), "body 1's colour in the middle of its box")
	sx, sy := cam.ToScreen(sim.Vec2{X: 0.05, Y: 0.05})
	assert.Equal(t, render.StaticColor, at(img, sx, sy), "static disc in grey")
	px, py := cam.ToScreen(sim.Vec2{X: 0.5, Y: -0.5})
	assert.Equal(t, render.PlanColor, at(img, px, py), "a plan step is marked")
	assert.Equal(t, render.BackgroundColor, at(img, 390, 10), "background elsewhere")

	// Moving the camera moves the goal on the image.
	cam.Pan(-30, 20)
	r.Draw(img, cam, f)
	gx2, gy2 := cam.ToScreen(goal)
	assert.InDelta(t, gx-30, gx2, 1e-9)
	assert.Equal(t, render.GoalColor, at(img, gx2, gy2))
}

func TestDrawSegmentMarkerAndHUD(t *testing.T) {
	f := &render.Frame{
		Goals: []tasks.Marker{{A: sim.Vec2{X: -0.5, Y: 0.5}, B: sim.Vec2{X: 0.5, Y: 0.5}}},
		HUD:   []string{"task reacher"},
	}
	cam := render.Camera{Scale: 100, Width: 300, Height: 200}
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	var r render.Renderer
	r.Draw(img, cam, f)
	x, y := cam.ToScreen(sim.Vec2{X: 0.25, Y: 0.5})
	assert.Equal(t, render.GoalColor, at(img, x, y), "on the goal segment")
	text := 0
	w, h := render.TextSize(f.HUD)
	for yy := 8; yy < 8+h; yy++ {
		for xx := 8; xx < 8+w; xx++ {
			if img.RGBAAt(xx, yy) == render.TextColor {
				text++
			}
		}
	}
	assert.Greater(t, text, 30, "HUD text pixels")
}

func TestDrawSurvivesHugeAndNonFiniteCoordinates(t *testing.T) {
	f := &render.Frame{
		Shapes: []sim.DrawShape{{Kind: sim.Circle, Center: sim.Vec2{X: 1e12}, Radius: 1e9}},
		Static: []bool{false},
		Trail:  []sim.Vec2{{X: math.NaN()}, {X: 1, Y: math.Inf(1)}},
		Goals:  []tasks.Marker{{A: sim.Vec2{X: -1e30}, B: sim.Vec2{X: 1e30}}},
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	var r render.Renderer
	require.NotPanics(t, func() { r.Draw(img, render.Camera{Scale: 10, Width: 64, Height: 64}, f) })
}

func TestLerpMovesShapesHalfway(t *testing.T) {
	a := &render.Frame{Shapes: []sim.DrawShape{{Kind: sim.Box, Center: sim.Vec2{}, Angle: 3,
		Vertices: []sim.Vec2{{X: 0}, {X: 1}, {X: 1, Y: 1}}}}, HasFocus: true}
	b := &render.Frame{Shapes: []sim.DrawShape{{Kind: sim.Box, Center: sim.Vec2{X: 2}, Angle: -3,
		Vertices: []sim.Vec2{{X: 2}, {X: 3}, {X: 3, Y: 1}}}}, HasFocus: true, Focus: sim.Vec2{Y: 4}}
	var l render.Lerper
	m := l.Lerp(a, b, 0.5)
	assert.InDelta(t, 1.0, m.Shapes[0].Center.X, 1e-12)
	assert.InDelta(t, 2.0, m.Shapes[0].Vertices[1].X, 1e-12)
	assert.InDelta(t, 2.0, m.Focus.Y, 1e-12)
	// From 3 to −3 rad the short way passes π, not 0.
	assert.InDelta(t, math.Pi, math.Abs(m.Shapes[0].Angle), 1e-12)
	assert.Equal(t, 2.0, b.Shapes[0].Center.X, "b is not modified")

	c := &render.Frame{}
	assert.Empty(t, l.Lerp(a, c, 0.5).Shapes, "different shapes: b as it is")
}

func TestBoundsLeaveStaticShapesOut(t *testing.T) {
	f := &render.Frame{
		Shapes: []sim.DrawShape{
			{Body: 0, Kind: sim.Box, Vertices: []sim.Vec2{{X: -50, Y: -1}, {X: 50, Y: -1}, {X: 50}, {X: -50}}},
			{Body: 1, Kind: sim.Circle, Center: sim.Vec2{X: 1, Y: 1}, Radius: 0.5},
		},
		Static: []bool{true, false},
		Goals:  []tasks.Marker{{A: sim.Vec2{X: 2, Y: 2}, B: sim.Vec2{X: 2, Y: 2}, Radius: 0.1}},
	}
	b := f.Bounds()
	assert.InDelta(t, 0.5, b.Min.X, 1e-12)
	assert.InDelta(t, 2.1, b.Max.X, 1e-12)
	assert.InDelta(t, 2.1, b.Max.Y, 1e-12)
}

func BenchmarkDrawReacherSized(b *testing.B) {
	f := &render.Frame{Static: []bool{true}, HUD: []string{"task reacher   controller oracle", "episode 1", "success", "rtf"}}
	f.Shapes = append(f.Shapes, sim.DrawShape{Body: 0, Kind: sim.Circle, Radius: 0.06})
	for i := range 7 {
		x := 0.2 * float64(i)
		f.Static = append(f.Static, false)
		f.Shapes = append(f.Shapes,
			sim.DrawShape{Body: i + 1, Kind: sim.Box, Vertices: []sim.Vec2{{X: x, Y: -0.018}, {X: x + 0.2, Y: -0.018}, {X: x + 0.2, Y: 0.018}, {X: x, Y: 0.018}}},
			sim.DrawShape{Body: i + 1, Kind: sim.Circle, Center: sim.Vec2{X: x}, Radius: 0.025})
		f.Joints = append(f.Joints, sim.Vec2{X: x})
	}
	for i := range 100 {
		f.Trail = append(f.Trail, sim.Vec2{X: math.Cos(float64(i) / 20), Y: math.Sin(float64(i) / 20)})
	}
	for i := range 9 {
		f.Plan = append(f.Plan, sim.Vec2{X: 1.4 - 0.05*float64(i), Y: 0.05 * float64(i)})
	}
	f.Goals = []tasks.Marker{{A: sim.Vec2{X: 1, Y: 0.5}, B: sim.Vec2{X: 1, Y: 0.5}, Radius: 0.05}}
	cam := render.Camera{Scale: 200, Width: 960, Height: 600}
	img := image.NewRGBA(image.Rect(0, 0, 960, 600))
	var r render.Renderer
	for b.Loop() {
		r.Draw(img, cam, f)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// TestShapeColorsFromTheModel checks that a shape with a colour is drawn in
// it, static or not, and one without in the viewer's body colour.
func TestShapeColorsFromTheModel(t *testing.T) {
	red := color.NRGBA{200, 30, 30, 255}
	square := func(x float64) []sim.Vec2 {
		return []sim.Vec2{{X: x - 0.1, Y: -0.1}, {X: x + 0.1, Y: -0.1}, {X: x + 0.1, Y: 0.1}, {X: x - 0.1, Y: 0.1}}
	}
	f := &render.Frame{
		Shapes: []sim.DrawShape{
			{Body: 0, Kind: sim.Box, Center: sim.Vec2{X: -0.5}, Vertices: square(-0.5), Color: red},
			{Body: 1, Kind: sim.Circle, Center: sim.Vec2{X: 0.5}, Radius: 0.1, Color: red},
			{Body: 2, Kind: sim.Circle, Center: sim.Vec2{}, Radius: 0.1},
		},
		Static: []bool{true, false, false},
	}
	cam := render.Camera{Scale: 200, Width: 400, Height: 200}
	img := image.NewRGBA(image.Rect(0, 0, cam.Width, cam.Height))
	var r render.Renderer
	r.Draw(img, cam, f)
	at := func(p sim.Vec2) color.RGBA {
		x, y := cam.ToScreen(p)
		return img.RGBAAt(int(x), int(y)+5) // off the circle's spoke
	}
	want := color.RGBA{red.R, red.G, red.B, 255}
	assert.Equal(t, want, at(sim.Vec2{X: -0.5}), "a static shape with a colour")
	assert.Equal(t, want, at(sim.Vec2{X: 0.5}), "a moving shape with a colour")
	assert.Equal(t, render.BodyColors[2], at(sim.Vec2{}), "a shape without one")
}

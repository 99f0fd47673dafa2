package render_test

import (
	"fmt"
	"image"

	"sandbox/sim"
	"sandbox/tasks"
	"sandbox/viewer/render"
)

// A camera fitted to a goal disc draws it in the middle of the image.
func ExampleRenderer() {
	goal := sim.Vec2{X: 0.5, Y: 0.2}
	f := &render.Frame{Goals: []tasks.Marker{{A: goal, B: goal, Radius: 0.05}}}
	cam := render.Fit(f.Bounds(), 200, 100, 0.5)
	img := image.NewRGBA(image.Rect(0, 0, cam.Width, cam.Height))
	var r render.Renderer
	r.Draw(img, cam, f)
	x, y := cam.ToScreen(goal)
	fmt.Printf("goal at pixel (%.0f, %.0f), %.0f px/m\n", x, y, cam.Scale)
	fmt.Println("goal colour there:", img.RGBAAt(int(x), int(y)) == render.GoalColor)
	// Output:
	// goal at pixel (100, 50), 500 px/m
	// goal colour there: true
}

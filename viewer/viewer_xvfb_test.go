//go:build xvfb

// These tests open a real window: run them under a display, e.g.
//
//	xvfb-run -a -s "-screen 0 1280x800x24" go test -tags xvfb ./viewer/... ./cmd/sandbox-view/...
package viewer_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl"
	"sandbox/viewer"
	"sandbox/viewer/render"
	"sandbox/viewer/session"
)

var (
	smoke    viewer.Result
	smokeErr error
	shot     string
)

// TestMain runs the window on the main goroutine, as ebiten requires,
// before the tests look at what it produced.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "viewer")
	if err != nil {
		panic(err)
	}
	shot = filepath.Join(dir, "shot.png")
	s, err := session.New(session.Config{Task: "reacher", Controller: "scripted", Seed: 1, NewController: mbrl.NewController})
	if err != nil {
		panic(err)
	}
	smoke, smokeErr = viewer.Run(viewer.Options{Session: s, Width: 480, Height: 320, Frames: 30, Screenshot: shot})
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestWindowRunsAndTakesAScreenshot(t *testing.T) {
	require.NoError(t, smokeErr)
	assert.Equal(t, 30, smoke.Frames)
	assert.Greater(t, smoke.MeanFPS, 0.0)
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, image.Rect(0, 0, 480, 320), img.Bounds())
	colours := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), 255}]++
		}
	}
	assert.Greater(t, len(colours), 20, "not blank: the scene has many colours")
	assert.Greater(t, colours[render.GoalColor], 0, "the goal is drawn")
	assert.Less(t, colours[render.BackgroundColor], b.Dx()*b.Dy(), "not only background")
}

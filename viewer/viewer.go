// Package viewer is the live window of the sandbox: an Ebiten game that
// shows a session.Runner. The simulation and the controller run on the
// Runner's goroutine; the window only reads the latest frames, draws them
// with viewer/render into an image and uploads it, so a slow planner never
// freezes it. Linking this package needs a display (see docs/facts.md): the
// headless sandbox binary must not import it.
package viewer

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"sandbox/internal/safefile"
	"sandbox/tasks"
	"sandbox/viewer/render"
	"sandbox/viewer/session"
)

// Options sets up Run. Session is required; zero values of the other
// fields select their defaults.
type Options struct {
	// Session is shown; Run takes it over (see session.Start).
	Session *session.Session
	// Width and Height of the window, px. Defaults 960 × 600.
	Width, Height int
	// Speed is the initial simulated seconds per wall second. Default 1.
	Speed float64
	// Contacts starts with contact points shown.
	Contacts bool
	// Candidates starts with a planner's candidate futures shown.
	Candidates bool
	// Frames ends the run after this many drawn frames; 0 runs until the
	// window is closed.
	Frames int
	// Screenshot is a PNG file written with the window's last frame at
	// exit, read back from the GPU.
	Screenshot string
	// ScreenshotDir is where the S key saves screenshots. Default ".".
	ScreenshotDir string
	// Log receives notices (screenshots saved) and the frame-rate summary
	// at exit. Default os.Stderr.
	Log io.Writer
}

// Result summarises a run.
type Result struct {
	Frames  int
	Seconds float64 // wall time from the first to the last frame
	// MeanFPS is (Frames − 1) / Seconds.
	MeanFPS float64
	// RealTimeFactor is the simulation's at exit.
	RealTimeFactor float64
}

// Run opens the window and returns when it is closed, Escape is pressed or
// Options.Frames frames have been drawn. It must be called from the main
// goroutine.
func Run(opt Options) (Result, error) {
	if opt.Width == 0 {
		opt.Width = 960
	}
	if opt.Height == 0 {
		opt.Height = 600
	}
	if opt.Speed == 0 {
		opt.Speed = 1
	}
	if opt.ScreenshotDir == "" {
		opt.ScreenshotDir = "."
	}
	if opt.Log == nil {
		opt.Log = os.Stderr
	}
	if opt.Frames < 0 {
		return Result{}, fmt.Errorf("viewer: %d frames is negative", opt.Frames)
	}
	s := opt.Session
	if s == nil {
		return Result{}, errors.New("viewer: Options.Session is nil")
	}
	g := &game{opt: opt, runner: session.Start(s), contacts: opt.Contacts, candidates: opt.Candidates, auto: true, task: s.Stats().Task}
	defer g.runner.Stop()
	g.runner.SetSpeed(opt.Speed)
	ebiten.SetWindowSize(opt.Width, opt.Height)
	ebiten.SetWindowTitle("sandbox view")
	ebiten.SetWindowResizingMode(ebiten.WindowResizingModeEnabled)
	// Every pixel is written each frame: clearing first is wasted work
	// (measurable on software GL).
	ebiten.SetScreenClearedEveryFrame(false)
	err := ebiten.RunGame(g)
	if errors.Is(err, ebiten.Termination) {
		err = nil
	}
	res := g.result()
	if err == nil {
		err = g.err
	}
	return res, err
}

type game struct {
	opt    Options
	runner *session.Runner

	img        *image.RGBA
	pix        []byte
	renderer   render.Renderer
	lerper     render.Lerper
	cam        render.Camera
	auto       bool // camera follows the scene until the user zooms or pans
	seen       render.Bounds
	task       string
	contacts   bool
	candidates bool
	help       bool
	dragging   bool
	panning    bool
	lastX      int
	lastY      int
	shots      int
	frames     int
	first      time.Time
	last       time.Time
	rtf        float64
	shotDue    bool
	err        error
	notice     string
	noticeEnd  time.Time
	times      []time.Time // of the last frames, for the HUD's frame rate
	due        time.Time   // of the next frame
}

// fps is the frame rate over the last 30 frames.
func (g *game) fps() float64 {
	n := len(g.times)
	if n < 2 {
		return 0
	}
	return float64(n-1) / g.times[n-1].Sub(g.times[0]).Seconds()
}

func (g *game) result() Result {
	r := Result{Frames: g.frames, RealTimeFactor: g.rtf}
	if g.frames > 1 {
		r.Seconds = g.last.Sub(g.first).Seconds()
		r.MeanFPS = float64(g.frames-1) / r.Seconds
	}
	return r
}

// Layout implements ebiten.Game: one image pixel per window pixel.
func (g *game) Layout(w, h int) (int, int) { return w, h }

// Update implements ebiten.Game: it turns input into Runner commands.
func (g *game) Update() error {
	if g.opt.Frames > 0 && g.frames >= g.opt.Frames && !g.shotDue {
		return ebiten.Termination
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyEscape) {
		return ebiten.Termination
	}
	r := g.runner
	switch {
	case inpututil.IsKeyJustPressed(ebiten.KeySpace):
		r.TogglePause()
	case inpututil.IsKeyJustPressed(ebiten.KeyArrowRight):
		r.SingleStep()
	case inpututil.IsKeyJustPressed(ebiten.KeyR):
		r.Do(func(s *session.Session) { s.Reset() })
	case inpututil.IsKeyJustPressed(ebiten.KeyBracketLeft):
		r.SetSpeed(0.5)
	case inpututil.IsKeyJustPressed(ebiten.KeyBracketRight):
		r.SetSpeed(2)
	case inpututil.IsKeyJustPressed(ebiten.KeyC):
		r.Do(func(s *session.Session) { _ = s.CycleController() })
	case inpututil.IsKeyJustPressed(ebiten.KeyH):
		g.help = !g.help
	case inpututil.IsKeyJustPressed(ebiten.KeyK):
		g.contacts = !g.contacts
	case inpututil.IsKeyJustPressed(ebiten.KeyP):
		g.candidates = !g.candidates
	case inpututil.IsKeyJustPressed(ebiten.KeyF):
		g.auto, g.seen = true, render.Bounds{}
	case inpututil.IsKeyJustPressed(ebiten.KeyS):
		g.shotDue = true
	}
	ids := tasks.IDs()
	for i, k := range taskKeys {
		if i < len(ids) && inpututil.IsKeyJustPressed(k) {
			id := ids[i]
			r.Do(func(s *session.Session) { _ = s.SetTask(id) })
		}
	}
	g.mouse()
	return nil
}

// taskKeys select the tasks in tasks.IDs order: 1 to 9, then 0, then the
// function keys, so that every task has a key.
var taskKeys = []ebiten.Key{ebiten.Key1, ebiten.Key2, ebiten.Key3, ebiten.Key4, ebiten.Key5,
	ebiten.Key6, ebiten.Key7, ebiten.Key8, ebiten.Key9, ebiten.Key0,
	ebiten.KeyF1, ebiten.KeyF2, ebiten.KeyF3, ebiten.KeyF4, ebiten.KeyF5, ebiten.KeyF6,
	ebiten.KeyF7, ebiten.KeyF8, ebiten.KeyF9, ebiten.KeyF10, ebiten.KeyF11, ebiten.KeyF12}

// taskKeyName names taskKeys[i] for the help.
func taskKeyName(i int) string {
	switch {
	case i < 9:
		return fmt.Sprint(i + 1)
	case i == 9:
		return "0"
	default:
		return fmt.Sprintf("F%d", i-9)
	}
}

func (g *game) flash(msg string) {
	g.notice, g.noticeEnd = msg, time.Now().Add(4*time.Second)
}

// mouse handles the perturbation spring (left drag), panning (right drag)
// and zooming (wheel).
func (g *game) mouse() {
	x, y := ebiten.CursorPosition()
	if g.cam.Scale == 0 {
		return // no frame drawn yet: no camera to map the cursor with
	}
	p := g.cam.ToWorld(float64(x), float64(y))
	r := g.runner
	switch {
	case inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft):
		g.dragging = true
		r.Do(func(s *session.Session) { s.Grab(p) })
	case g.dragging && !ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft):
		g.dragging = false
		r.Do(func(s *session.Session) { s.Release() })
	case g.dragging && (x != g.lastX || y != g.lastY):
		r.Send(func(s *session.Session) { s.Drag(p) })
	}
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonRight) {
		g.panning = true
	} else if !ebiten.IsMouseButtonPressed(ebiten.MouseButtonRight) {
		g.panning = false
	}
	if g.panning && (x != g.lastX || y != g.lastY) {
		g.cam.Pan(float64(x-g.lastX), float64(y-g.lastY))
		g.auto = false
	}
	if _, wy := ebiten.Wheel(); wy != 0 {
		g.cam.ZoomAt(float64(x), float64(y), math.Pow(1.15, wy))
		g.auto = false
	}
	g.lastX, g.lastY = x, y
}

// Draw implements ebiten.Game: it renders the latest frames with the
// software renderer and uploads the image.
func (g *game) Draw(screen *ebiten.Image) {
	if g.opt.Frames > 0 && g.frames >= g.opt.Frames {
		return // a Draw without Update before termination: keep the last frame
	}
	// Without vsync (Xvfb, some drivers) Draw runs flat out: keep to
	// maxFPS on a fixed schedule (with slack for jitter, so that 60 Hz
	// calls are never halved) and leave the screen as it is in between.
	now := time.Now()
	if !g.shotDue && now.Before(g.due.Add(-3*time.Millisecond)) {
		return
	}
	g.due = g.due.Add(time.Second / maxFPS)
	if g.due.Before(now) {
		g.due = now.Add(time.Second / maxFPS)
	}
	b := screen.Bounds()
	w, h := b.Dx(), b.Dy()
	if g.img == nil || g.img.Bounds().Dx() != w || g.img.Bounds().Dy() != h {
		g.img = image.NewRGBA(image.Rect(0, 0, w, h))
	}
	v := g.runner.View()
	g.rtf = v.RealTimeFactor
	if v.Stats.Task != g.task {
		g.task, g.auto, g.seen = v.Stats.Task, true, render.Bounds{}
	}
	f := g.lerper.Lerp(v.Prev, v.Cur, v.Alpha)
	f.ShowContacts = g.contacts
	f.ShowCandidates = g.candidates
	if g.dragging && f.Spring.Active {
		x, y := ebiten.CursorPosition()
		f.Spring.To = g.cam.ToWorld(float64(x), float64(y))
	}
	g.follow(v, f, w, h)
	f.HUD = v.Stats.HUD(v.RealTimeFactor, v.Speed, g.fps(), v.Paused)
	f.HUD = append(f.HUD, "H: help")
	if time.Now().Before(g.noticeEnd) {
		f.HUD = append(f.HUD, g.notice)
	}
	if g.help {
		f.Help = helpLines()
	}
	g.renderer.Draw(g.img, g.cam, f)
	// Straight into the screen: one GPU pass fewer than an intermediate
	// image, about twice the frame rate under Xvfb's software GL.
	screen.WritePixels(g.img.Pix)

	now = time.Now()
	if g.frames == 0 {
		g.first = now
	}
	g.frames++
	g.last = now
	g.times = append(g.times, now)
	if len(g.times) > 31 {
		g.times = g.times[1:]
	}
	if g.shotDue {
		g.shotDue = false
		g.screenshot(screen)
	} else if g.opt.Frames > 0 && g.frames == g.opt.Frames && g.opt.Screenshot != "" {
		g.screenshot(screen)
	}
}

// maxFPS caps the frame rate where vsync does not.
const maxFPS = 60

// hudRows is the height of the HUD (px) that the automatic camera keeps
// the scene below.
const hudRows = 96

// follow keeps the camera on the scene: it fits everything seen since the
// task started, and eases towards that fit.
func (g *game) follow(v session.View, f *render.Frame, w, h int) {
	if g.cam.Scale == 0 {
		g.seen = v.Extent
		g.cam = render.FitBelow(g.seen, w, h, hudRows, 0.06)
	}
	g.cam.Width, g.cam.Height = w, h
	if !g.auto {
		return
	}
	g.seen.Union(v.Extent)
	g.seen.Union(f.Bounds())
	g.cam.Approach(render.FitBelow(g.seen, w, h, hudRows, 0.06), 0.15)
}

// screenshot reads the window's pixels back and writes a PNG: to
// Options.Screenshot at the end of a --frames run, else to a numbered
// file in ScreenshotDir.
func (g *game) screenshot(screen *ebiten.Image) {
	b := screen.Bounds()
	if len(g.pix) != 4*b.Dx()*b.Dy() {
		g.pix = make([]byte, 4*b.Dx()*b.Dy())
	}
	screen.ReadPixels(g.pix)
	img := &image.RGBA{Pix: g.pix, Stride: 4 * b.Dx(), Rect: image.Rect(0, 0, b.Dx(), b.Dy())}
	path := g.opt.Screenshot
	if path == "" || g.opt.Frames == 0 || g.frames < g.opt.Frames {
		g.shots++
		path = filepath.Join(g.opt.ScreenshotDir, fmt.Sprintf("sandbox-%s-%s-%03d.png", g.task, time.Now().Format("150405"), g.shots))
	}
	if err := writePNG(path, img); err != nil {
		g.err = err
		g.flash(err.Error())
		return
	}
	g.flash("saved " + path)
	fmt.Fprintf(g.opt.Log, "viewer: saved %s\n", path)
}

// writePNG writes img to path atomically: a full disk leaves no part of a
// file.
func writePNG(path string, img image.Image) error {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return fmt.Errorf("viewer: screenshot: %w", err)
	}
	if err := safefile.Write(path, b.Bytes()); err != nil {
		return fmt.Errorf("viewer: screenshot: %w", err)
	}
	return nil
}

func helpLines() []string {
	ids := tasks.IDs()
	lines := []string{
		"space       pause / resume",
		"right arrow single control step (pauses)",
		"R           reset: next episode, new goal",
		"[ and ]     slower / faster (x0.5, x2)",
	}
	for i, id := range ids {
		if i < len(taskKeys) {
			lines = append(lines, fmt.Sprintf("%-11s task %s", taskKeyName(i), id))
		}
	}
	return append(lines,
		"C           next controller (the task's zoo agents, scripted, oracle)",
		"K           contact points on / off",
		"P           a planner's candidate futures on / off (DADS)",
		"left drag   pull a body with a spring",
		"right drag  pan;  wheel: zoom;  F: follow again",
		"S           screenshot (PNG in the current directory)",
		"H           this help;  Esc: quit",
		"",
		"orange: the plan the MPC imagines;  blue: the real path",
		"green: the goal",
	)
}

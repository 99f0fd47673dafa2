// Package session runs a controller on a task for watching: episode after
// episode, it steps the Env, keeps the real path of the task's focus point,
// rolls the current plan of an MPC controller out on a clone of the Env to
// show what the planner imagines, applies mouse perturbations, and captures
// render.Frames. Runner paces a Session in real time on its own goroutine
// for the live window; Record writes an animated GIF headless. The package
// does not import ebiten.
package session

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/sim"
	"sandbox/tasks"
	"sandbox/viewer/render"
)

// ControllerFactory builds a controller from a spec ("zero", "oracle",
// "ckpt:DIR", …) for an Env; cmd passes mbrl.NewController.
type ControllerFactory func(spec string, env *tasks.Env) (control.Controller, error)

// Config sets up a Session. Task, Controller and NewController are required.
type Config struct {
	Task       string // task id
	Controller string // controller spec
	// Controllers is the cycle of specs that CycleController walks; the
	// default is Controller alone. Controller is added when missing.
	Controllers []string
	// Cycle, when set, gives the cycle for each task instead of
	// Controllers (the viewer's: the task's zoo agents, scripted and
	// oracle); a task switch starts with its first spec that builds when
	// the running one does not.
	Cycle         func(task string) []string
	NewController ControllerFactory
	// Seed selects the episodes: episode i draws its start and goal from
	// the stream (Seed, "eval-env", i) and the controller's randomness from
	// (Seed, "eval-controller", i), as mbrl.Evaluate does, so the viewer
	// shows the episodes that `sandbox eval --seed` scores.
	Seed uint64
	// Trail is the number of control steps of real path kept. Default 100.
	Trail int
	// NoImagination turns off the rollout of MPC plans.
	NoImagination bool
}

// Planner is implemented by controllers that expose their current plan,
// such as *control.MPC: Horizon·dim actions whose first dim are the action
// just taken.
type Planner interface {
	Plan() []float64
}

// Imaginer is implemented by controllers that weigh several imagined
// futures, such as DADS's latent-space planner: the predicted
// observations of each candidate of the last plan.
type Imaginer interface {
	Imagined() [][][]float64
}

// Stats describes the running episode for the HUD.
type Stats struct {
	Task, Controller string
	Episode          int     // 0-based index of the current episode
	Step, Steps      int     // control steps done, and per episode
	Time             float64 // simulated time of the episode, s
	Return           float64 // sum of rewards so far
	SuccessNow       bool    // Task.Success of the current observation
	// Successes among Finished episodes (success at the time limit, as
	// mbrl.Evaluate counts them).
	Successes, Finished int
	// Reason why the last episode ended.
	LastEnd string
	// Message is the latest notice (a controller that could not be built,
	// an error).
	Message string
}

// Session runs episodes of one task with one controller. It is not safe
// for concurrent use: Runner serialises access.
type Session struct {
	cfg Config

	task, spec string
	env        *tasks.Env
	imagine    *tasks.Env
	drawer     tasks.Drawer
	ctrl       control.Controller
	extent     render.Bounds

	obs, act []float64
	episode  int
	ret      float64
	done     bool
	stats    Stats
	trail    []sim.Vec2
	plan     []sim.Vec2
	cands    [][]sim.Vec2

	grab     *sim.Body
	grabAt   sim.Vec2 // body frame
	grabTo   sim.Vec2 // world
	contacts []sim.Contact
}

// New builds a Session and starts episode 0.
func New(cfg Config) (*Session, error) {
	if cfg.NewController == nil {
		return nil, errors.New("session: Config.NewController is nil")
	}
	if cfg.Trail == 0 {
		cfg.Trail = 100
	}
	if cfg.Trail < 0 {
		return nil, fmt.Errorf("session: trail %d is negative", cfg.Trail)
	}
	if cfg.Controller == "" {
		return nil, errors.New("session: no controller given")
	}
	if !slices.Contains(cfg.Controllers, cfg.Controller) {
		cfg.Controllers = append(slices.Clone(cfg.Controllers), cfg.Controller)
	}
	s := &Session{cfg: cfg}
	if err := s.SetTask(cfg.Task); err != nil {
		return nil, err
	}
	return s, nil
}

// SetTask switches to another task, keeping the controller spec when it
// builds for the new task and falling back to the first of the cycle that
// does. The episode count restarts. On error the Session is unchanged but
// for Stats.Message, which shows the error.
func (s *Session) SetTask(id string) error {
	err := s.setTask(id)
	if err != nil {
		s.stats.Message = err.Error()
	}
	return err
}

func (s *Session) setTask(id string) error {
	env, err := tasks.Make(id)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	imagine, err := tasks.Make(id)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	specs := append([]string{s.spec}, s.cycle(id)...)
	if s.spec == "" {
		specs[0] = s.cfg.Controller
	}
	var ctrl control.Controller
	var spec string
	var errs []string
	for _, sp := range specs {
		if sp == "" {
			continue
		}
		c, err := s.cfg.NewController(sp, env)
		if err == nil {
			ctrl, spec = c, sp
			break
		}
		errs = append(errs, err.Error())
		if sp == s.cfg.Controller && s.spec == "" {
			// The first task must accept the controller asked for.
			return fmt.Errorf("session: %w", err)
		}
	}
	if ctrl == nil {
		return fmt.Errorf("session: no controller works for %s: %s", id, strings.Join(errs, "; "))
	}
	prevSpec := s.spec
	s.task, s.spec, s.env, s.imagine, s.ctrl = id, spec, env, imagine, ctrl
	s.drawer, _ = env.Task().(tasks.Drawer)
	s.act = make([]float64, env.Spec().ActionDim)
	s.stats = Stats{Task: id, Controller: spec, Steps: env.Spec().Steps}
	if prevSpec != "" && spec != prevSpec {
		s.stats.Message = fmt.Sprintf("%s does not run %s: using %s", id, prevSpec, spec)
	}
	s.extent = s.sampleExtent()
	s.grab = nil
	s.reset(0)
	return nil
}

// sampleExtent is the box around the moving bodies and goals over a few
// random starts, which a camera can show from the first frame on.
func (s *Session) sampleExtent() render.Bounds {
	var b render.Bounds
	for k := range 8 {
		obs := s.imagine.Reset(seed.Stream(s.cfg.Seed, "view-extent", uint64(k)))
		f := s.frameOf(s.imagine, obs)
		b.Union(f.Bounds())
	}
	return b
}

// Extent returns a box (m) around the moving bodies and goals of a few
// random starts of the task.
func (s *Session) Extent() render.Bounds { return s.extent }

// SetController switches the controller, keeping the episode.
func (s *Session) SetController(spec string) error {
	c, err := s.cfg.NewController(spec, s.env)
	if err != nil {
		return fmt.Errorf("session: %w", err)
	}
	s.ctrl, s.spec = c, spec
	s.ctrl.Reset(seed.Stream(s.cfg.Seed, "eval-controller", uint64(s.episode)))
	s.plan, s.cands = s.plan[:0], s.cands[:0]
	s.stats.Controller, s.stats.Message = spec, ""
	return nil
}

// cycle returns the controller cycle of task.
func (s *Session) cycle(task string) []string {
	if s.cfg.Cycle == nil {
		return s.cfg.Controllers
	}
	list := s.cfg.Cycle(task)
	if task == s.cfg.Task && !slices.Contains(list, s.cfg.Controller) {
		list = append(slices.Clone(list), s.cfg.Controller)
	}
	return list
}

// CycleController switches to the next spec of the task's cycle
// (Config.Cycle, else Config.Controllers) that builds for the task.
func (s *Session) CycleController() error {
	list := s.cycle(s.task)
	if len(list) == 0 {
		return nil
	}
	i := slices.Index(list, s.spec)
	var errs []string
	for k := 1; k <= len(list); k++ {
		spec := list[(i+k)%len(list)]
		if spec == s.spec {
			break
		}
		err := s.SetController(spec)
		if err == nil {
			return nil
		}
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		s.stats.Message = errs[len(errs)-1]
		return fmt.Errorf("session: no other controller works for %s: %s", s.task, strings.Join(errs, "; "))
	}
	return nil
}

// Reset starts the next episode (a new start and goal).
func (s *Session) Reset() { s.reset(s.episode + 1) }

func (s *Session) reset(ep int) {
	s.episode = ep
	s.obs = s.env.Reset(seed.Stream(s.cfg.Seed, "eval-env", uint64(ep)))
	s.ctrl.Reset(seed.Stream(s.cfg.Seed, "eval-controller", uint64(ep)))
	s.ret, s.done = 0, false
	s.trail, s.plan, s.cands = s.trail[:0], s.plan[:0], s.cands[:0]
	s.stats.Episode, s.stats.Step, s.stats.Time, s.stats.Return = ep, 0, 0, 0
	s.stats.SuccessNow = s.env.Task().Success(s.obs)
	if s.grab != nil {
		// SetState dropped the force; keep pulling the same body.
		s.applySpring()
	}
}

// Done reports whether the current episode has ended (the next Step starts
// a new one).
func (s *Session) Done() bool { return s.done }

// Step runs one control step: the controller acts, the plan is imagined,
// the Env steps. After the last step of an episode, Step starts the next
// episode instead.
func (s *Session) Step() error {
	if s.done {
		s.Reset()
		return nil
	}
	s.ctrl.Act(s.obs, s.act)
	if !s.cfg.NoImagination {
		s.imaginePlan()
		s.imagineCandidates()
	}
	if s.drawer != nil && s.cfg.Trail > 0 {
		if len(s.trail) >= s.cfg.Trail {
			s.trail = append(s.trail[:0], s.trail[1:]...)
		}
		s.trail = append(s.trail, s.drawer.Focus(s.obs))
	}
	if s.grab != nil {
		s.applySpring()
	}
	st, err := s.env.Step(s.act)
	if err != nil {
		s.done = true
		s.stats.Message = err.Error()
		return fmt.Errorf("session: %w", err)
	}
	s.obs = st.Obs
	s.ret += st.Reward
	s.stats.Step = s.env.StepCount()
	s.stats.Time = float64(s.stats.Step) * s.env.Spec().ControlDt
	s.stats.Return = s.ret
	s.stats.SuccessNow = st.Info.Success
	if st.Terminated || st.Truncated {
		s.done = true
		s.stats.Finished++
		if st.Info.Success && !st.Terminated && st.Info.Reason == "time limit" {
			s.stats.Successes++
		}
		s.stats.LastEnd = st.Info.Reason
	}
	return nil
}

// imaginePlan rolls the controller's plan out on the clone from the
// current state and keeps the focus point's path.
func (s *Session) imaginePlan() {
	s.plan = s.plan[:0]
	p, ok := s.ctrl.(Planner)
	if !ok || s.drawer == nil {
		return
	}
	plan := p.Plan()
	dim := len(s.act)
	if len(plan) < dim {
		return
	}
	snap := s.env.Snapshot()
	snap.Step, snap.Done = 0, false
	if err := s.imagine.Restore(snap); err != nil {
		return
	}
	s.plan = append(s.plan, s.drawer.Focus(s.obs))
	for t := 0; t+dim <= len(plan); t += dim {
		st, err := s.imagine.Step(plan[t : t+dim])
		if err != nil {
			break
		}
		s.plan = append(s.plan, s.drawer.Focus(st.Obs))
		if st.Terminated || st.Truncated {
			break
		}
	}
}

// imagineCandidates keeps the focus point's path of every candidate the
// controller imagined, from the current focus point on.
func (s *Session) imagineCandidates() {
	s.cands = s.cands[:0]
	im, ok := s.ctrl.(Imaginer)
	if !ok || s.drawer == nil {
		return
	}
	start := s.drawer.Focus(s.obs)
	for _, path := range im.Imagined() {
		line := []sim.Vec2{start}
		for _, o := range path {
			line = append(line, s.drawer.Focus(o))
		}
		s.cands = append(s.cands, line)
	}
}

// Spring of the mouse perturbation: stiffness k = M·(2π·springHz)² on the
// robot's total moving mass M, so that it can drag the whole robot, and
// damping ratio springDamping. The world recomputes its force on every
// physics step dt (sim.Body.SetSpring), an explicit update that is stable
// only while the grabbed body's own frequency √(k/m)·dt stays below about
// 2: k is capped at m/dt² and the damping at m/dt.
const (
	springHz      = 1.2
	springDamping = 0.7
)

// Grab starts pulling the moving body under world point p (m) and reports
// whether there is one.
func (s *Session) Grab(p sim.Vec2) bool {
	b := BodyAt(s.env.Robot().World, p)
	if b == nil {
		return false
	}
	s.grab, s.grabAt, s.grabTo = b, b.LocalPoint(p), p
	s.applySpring()
	return true
}

// Drag moves the end of the spring to world point p (m).
func (s *Session) Drag(p sim.Vec2) {
	if s.grab != nil && !math.IsNaN(p.X) && !math.IsNaN(p.Y) {
		s.grabTo = p
		s.applySpring()
	}
}

// Release lets the grabbed body go.
func (s *Session) Release() {
	if s.grab != nil {
		s.grab.SetSpring(sim.Spring{})
		s.grab = nil
	}
}

func (s *Session) applySpring() {
	b := s.grab
	m, total := b.Mass(), 0.0
	for _, o := range s.env.Robot().World.Bodies() {
		if o.Type() == sim.Dynamic {
			total += o.Mass()
		}
	}
	dt := s.env.Robot().World.Dt()
	w := 2 * math.Pi * springHz
	k := math.Min(total*w*w, m/(dt*dt))
	c := math.Min(2*springDamping*math.Sqrt(k*m), m/dt)
	b.SetSpring(sim.Spring{At: s.grabAt, To: s.grabTo, K: k, C: c})
}

// BodyAt returns the topmost dynamic body of w with a shape containing
// world point p, or nil.
func BodyAt(w *sim.World, p sim.Vec2) *sim.Body {
	shapes := w.Shapes(nil)
	bodies := w.Bodies()
	for i := len(shapes) - 1; i >= 0; i-- {
		sh := &shapes[i]
		if bodies[sh.Body].Type() != sim.Dynamic {
			continue
		}
		if contains(sh, p) {
			return bodies[sh.Body]
		}
	}
	return nil
}

func contains(s *sim.DrawShape, p sim.Vec2) bool {
	if s.Kind == sim.Circle {
		return p.Sub(s.Center).Norm() <= s.Radius
	}
	n := len(s.Vertices)
	if n < 3 {
		return false
	}
	// Convex and counter-clockwise: p is left of (or on) every edge.
	for i := range n {
		a, b := s.Vertices[i], s.Vertices[(i+1)%n]
		if (b.X-a.X)*(p.Y-a.Y)-(b.Y-a.Y)*(p.X-a.X) < 0 {
			return false
		}
	}
	return true
}

// Stats returns the HUD figures of the running episode.
func (s *Session) Stats() Stats { return s.stats }

// Obs returns a copy of the current observation.
func (s *Session) Obs() []float64 { return slices.Clone(s.obs) }

// Env returns the Env being run (for tests and tools; do not step it).
func (s *Session) Env() *tasks.Env { return s.env }

// Frame captures the scene. The Frame shares no memory with the Session.
func (s *Session) Frame() *render.Frame {
	f := s.frameOf(s.env, s.obs)
	f.Trail = slices.Clone(s.trail)
	f.Plan = slices.Clone(s.plan)
	for _, c := range s.cands {
		f.Candidates = append(f.Candidates, slices.Clone(c))
	}
	s.contacts = s.env.Robot().World.Contacts(s.contacts[:0])
	for _, c := range s.contacts {
		f.Contacts = append(f.Contacts, render.Contact{Point: c.Point, Normal: c.Normal})
	}
	if s.grab != nil {
		f.Spring = render.Spring{From: s.grab.WorldPoint(s.grabAt), To: s.grabTo, Active: true}
	}
	return f
}

func (s *Session) frameOf(env *tasks.Env, obs []float64) *render.Frame {
	w := env.Robot().World
	f := &render.Frame{Shapes: w.Shapes(nil)}
	for _, b := range w.Bodies() {
		f.Static = append(f.Static, b.Type() == sim.Static)
	}
	for _, j := range w.Joints() {
		f.Joints = append(f.Joints, j.Anchor())
	}
	if d, ok := env.Task().(tasks.Drawer); ok {
		f.Goals = d.GoalMarkers(obs, nil)
		f.Focus, f.HasFocus = d.Focus(obs), true
	}
	return f
}

// HUD returns the lines the viewer and the recorder print over the scene.
// rtf (simulated over wall time) and fps are left out when negative.
func (st Stats) HUD(rtf, speed, fps float64, paused bool) []string {
	ok := "no"
	if st.SuccessNow {
		ok = "yes"
	}
	lines := []string{
		fmt.Sprintf("task %s   controller %s", st.Task, st.Controller),
		fmt.Sprintf("episode %d   step %d/%d   t %.1f s   return %.2f", st.Episode+1, st.Step, st.Steps, st.Time, st.Return),
		fmt.Sprintf("success now %s   episodes %d/%d", ok, st.Successes, st.Finished),
	}
	var perf []string
	if rtf >= 0 {
		perf = append(perf, fmt.Sprintf("real-time factor %.2f (target %.3g)", rtf, speed))
	}
	if fps >= 0 {
		perf = append(perf, fmt.Sprintf("FPS %.0f", fps))
	}
	if paused {
		perf = append(perf, "PAUSED")
	}
	if len(perf) > 0 {
		lines = append(lines, strings.Join(perf, "   "))
	}
	if st.Message != "" {
		lines = append(lines, st.Message)
	}
	return lines
}

package session

import (
	"fmt"
	"sync"
	"time"

	"sandbox/viewer/render"
)

// Speed limits of a Runner, simulated seconds per wall second.
const (
	MinSpeed = 1.0 / 16
	MaxSpeed = 16.0
)

// Runner steps a Session on its own goroutine, paced to real time times a
// speed factor, so that a draw loop never waits for the physics or a slow
// planner: when a step takes longer than its share of wall time the
// simulation simply falls behind, and RealTimeFactor shows by how much.
// All methods are safe for concurrent use.
type Runner struct {
	cmds chan func(*Session) bool
	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	mu        sync.Mutex
	s         *Session
	prev, cur *render.Frame
	curAt     time.Time     // when cur was published
	interval  time.Duration // wall time per control step at the current speed
	stats     Stats
	extent    render.Bounds
	paused    bool
	steps     int // single steps requested while paused
	speed     float64
	total     float64 // simulated time run, s
	hist      []sample
	dt        float64
}

type sample struct {
	wall time.Time
	sim  float64
}

// Start runs s on a new goroutine; the caller must not use s afterwards
// except through Do. Stop ends it.
func Start(s *Session) *Runner {
	r := &Runner{
		cmds: make(chan func(*Session) bool, 64), wake: make(chan struct{}, 1),
		quit: make(chan struct{}), done: make(chan struct{}),
		s: s, speed: 1,
	}
	r.publish(time.Now())
	go r.loop()
	return r
}

// Stop ends the goroutine and waits for it.
func (r *Runner) Stop() {
	select {
	case <-r.quit:
	default:
		close(r.quit)
	}
	<-r.done
}

// Do queues f to run on the simulation goroutine between steps (a reset, a
// task switch, a grab); the frame is republished after it, without
// interpolation from the one before. Do does not block: when 64 commands
// are already waiting, f is dropped.
func (r *Runner) Do(f func(*Session)) {
	r.queue(func(s *Session) bool { f(s); return true })
}

// Send is Do for commands that change nothing visible until the next step
// (moving the spring's end): the frames are left as they are, so motion
// stays smooth.
func (r *Runner) Send(f func(*Session)) {
	r.queue(func(s *Session) bool { f(s); return false })
}

func (r *Runner) queue(f func(*Session) bool) {
	select {
	case r.cmds <- f:
	default:
	}
}

// TogglePause pauses or resumes the simulation.
func (r *Runner) TogglePause() {
	r.mu.Lock()
	r.paused = !r.paused
	r.steps = 0
	r.hist = r.hist[:0]
	r.mu.Unlock()
	r.poke()
}

// SingleStep pauses the simulation and advances it by one control step.
func (r *Runner) SingleStep() {
	r.mu.Lock()
	r.paused = true
	r.steps++
	r.mu.Unlock()
	r.poke()
}

// SetSpeed multiplies the speed by factor, clamped to [MinSpeed, MaxSpeed].
func (r *Runner) SetSpeed(factor float64) {
	r.mu.Lock()
	if factor > 0 {
		r.speed = min(MaxSpeed, max(MinSpeed, r.speed*factor))
	}
	r.hist = r.hist[:0]
	r.mu.Unlock()
	r.poke()
}

func (r *Runner) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// View is what a draw loop needs from a Runner.
type View struct {
	// Prev and Cur are the last two published frames; Alpha (0 to 1) is
	// how far wall time has moved from Prev towards Cur, for smooth
	// motion between control steps.
	Prev, Cur *render.Frame
	Alpha     float64
	Stats     Stats
	Extent    render.Bounds
	// RealTimeFactor is simulated time over wall time in the last two
	// seconds or so of running, up to now (0 when paused, and in the first
	// 0.2 s); Speed is its target.
	RealTimeFactor, Speed float64
	Paused                bool
}

// View returns the latest frames and figures. The frames must not be
// modified.
func (r *Runner) View() View {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := View{Prev: r.prev, Cur: r.cur, Alpha: 1, Stats: r.stats, Extent: r.extent,
		Speed: r.speed, Paused: r.paused}
	// Up to the last step, or up to now when the next step is overdue: a
	// planner still thinking lowers it.
	if n := len(r.hist); n > 0 && !r.paused {
		end, now := r.hist[n-1].wall, time.Now()
		if now.Sub(end) > r.interval {
			end = now
		}
		if w := end.Sub(r.hist[0].wall).Seconds(); w > 0.2 {
			v.RealTimeFactor = (r.total - r.hist[0].sim) / w
		}
	}
	if r.interval > 0 && !r.paused {
		v.Alpha = min(1, float64(time.Since(r.curAt))/float64(r.interval))
	}
	return v
}

func (r *Runner) publish(now time.Time) {
	f := r.s.Frame()
	st := r.s.Stats()
	ext := r.s.Extent()
	dt := r.s.Env().Spec().ControlDt
	r.mu.Lock()
	r.prev, r.cur, r.curAt = r.cur, f, now
	r.stats, r.extent, r.dt = st, ext, dt
	r.interval = time.Duration(dt / r.speed * float64(time.Second))
	r.mu.Unlock()
}

func (r *Runner) loop() {
	defer close(r.done)
	// The loop runs at the window's priority: at nice +5 a learned agent's
	// planner, which runs on this goroutine, got a third of a core's share
	// on a loaded machine (real-time factor 0.25-0.43 under load 12-15),
	// while drawing a frame costs the window about 2 ms.
	next := time.Now()
	for {
		select {
		case <-r.quit:
			return
		case f := <-r.cmds:
			r.run(f)
			continue
		default:
		}
		r.mu.Lock()
		paused, steps, speed := r.paused, r.steps, r.speed
		r.mu.Unlock()
		now := time.Now()
		if paused && steps == 0 {
			r.wait(time.Hour)
			next = time.Now()
			continue
		}
		if !paused && now.Before(next) {
			r.wait(next.Sub(now))
			continue
		}
		if paused {
			r.mu.Lock()
			r.steps--
			r.mu.Unlock()
		}
		r.anchor(now)
		simBefore := r.s.Stats().Time
		if err := r.step(); err != nil {
			r.mu.Lock()
			r.paused = true
			r.mu.Unlock()
		}
		now = time.Now()
		r.publish(now)
		interval := time.Duration(r.dt / speed * float64(time.Second))
		// Catch up with scheduling jitter, but not with a slow planner:
		// more than a quarter second behind, the clock restarts and the
		// real-time factor shows the loss. A step that started the next
		// episode simulated nothing and takes no control period: the new
		// episode's first step follows at once.
		dsim := r.s.Stats().Time - simBefore
		if dsim > 0 {
			next = next.Add(interval)
		}
		if now.Sub(next) > 250*time.Millisecond {
			next = now
		}
		r.measure(now, dsim)
	}
}

// measure records that the simulation advanced by dsim seconds by now.
func (r *Runner) measure(now time.Time, dsim float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if dsim > 0 { // not a reset, where the episode clock restarts
		r.total += dsim
	}
	r.hist = append(r.hist, sample{now, r.total})
	// Keep the last sample older than two seconds as the anchor.
	for len(r.hist) > 2 && now.Sub(r.hist[1].wall) > 2*time.Second {
		r.hist = r.hist[1:]
	}
}

// anchor starts a measurement: the simulation runs from now on.
func (r *Runner) anchor(now time.Time) {
	r.mu.Lock()
	if len(r.hist) == 0 {
		r.hist = append(r.hist, sample{now, r.total})
	}
	r.mu.Unlock()
}

func (r *Runner) wait(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.wake:
	case <-r.quit:
	case f := <-r.cmds:
		r.run(f)
	}
}

// step runs one Session step, turning a controller's panic (a broken
// checkpoint, say) into an error shown on the HUD instead of killing the
// window.
func (r *Runner) step() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("session: controller or task panicked: %v", p)
			r.s.stats.Message = err.Error()
			r.s.done = true
		}
	}()
	return r.s.Step()
}

// run runs a command and republishes the frame if it asks to.
func (r *Runner) run(f func(*Session) bool) {
	changed := true
	func() {
		defer func() {
			if p := recover(); p != nil {
				r.s.stats.Message = fmt.Sprintf("session: command panicked: %v", p)
			}
		}()
		changed = f(r.s)
	}()
	if changed {
		r.publish(time.Now())
		r.mu.Lock()
		r.prev = nil
		r.mu.Unlock()
	}
}

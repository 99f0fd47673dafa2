// Package sim is a 2D rigid-body world for robot tasks, built on the Go port
// of Box2D (github.com/ByteArena/box2d), which no other package imports.
//
// A World steps at a fixed time step. Bodies carry convex shapes; revolute
// joints carry limits and a position servo. State and SetState give
// history-independent snapshots: after SetState(s), stepping with the same
// servo targets is a pure function of s, bit for bit, with or without
// contacts. This is what lets the simulator serve as the "oracle" model for
// planning and for tests.
//
// Inputs that would trip the port's bare "B2Assert" panics (zero-area or
// non-convex polygons, non-finite numbers, joints between one body and
// itself) are rejected with errors before they reach the port.
package sim

import (
	"errors"
	"fmt"
	"math"

	"github.com/ByteArena/box2d"
)

// ErrDiverged reports a physics blow-up: a non-finite or runaway position or
// velocity. A World that returned it must be restored with SetState before it
// is stepped again.
var ErrDiverged = errors.New("sim: physics diverged")

// Vec2 is a point or vector in metres (or m/s, N, as documented).
type Vec2 struct{ X, Y float64 }

// Add returns v+u.
func (v Vec2) Add(u Vec2) Vec2 { return Vec2{v.X + u.X, v.Y + u.Y} }

// Sub returns v−u.
func (v Vec2) Sub(u Vec2) Vec2 { return Vec2{v.X - u.X, v.Y - u.Y} }

// Scale returns s·v.
func (v Vec2) Scale(s float64) Vec2 { return Vec2{s * v.X, s * v.Y} }

// Norm returns the Euclidean length of v.
func (v Vec2) Norm() float64 { return math.Hypot(v.X, v.Y) }

// Rotate returns v rotated by angle a (radians, counter-clockwise).
func (v Vec2) Rotate(a float64) Vec2 {
	s, c := math.Sincos(a)
	return Vec2{c*v.X - s*v.Y, s*v.X + c*v.Y}
}

func (v Vec2) finite() bool { return finite(v.X) && finite(v.Y) }

func (v Vec2) b2() box2d.B2Vec2 { return box2d.B2Vec2{X: v.X, Y: v.Y} }

func fromB2(v box2d.B2Vec2) Vec2 { return Vec2{v.X, v.Y} }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Config sets up a World. The zero value of each field selects its default.
type Config struct {
	// Gravity in m/s². Default zero (a top-down scene).
	Gravity Vec2
	// Dt is the physics time step in seconds. Default 0.01 (100 Hz).
	Dt float64
	// VelocityIterations and PositionIterations are the constraint solver
	// iterations per step. Defaults 8 and 3 (Box2D's recommendation).
	VelocityIterations, PositionIterations int
	// MaxSpeed bounds linear (m/s) and angular (rad/s) speeds; a body going
	// faster is a blow-up and Step returns ErrDiverged. Default 100: Box2D
	// itself caps motion at 2 m and π/2 rad per step (200 m/s and 157 rad/s
	// at 100 Hz), so the bound must sit below those caps to ever trigger.
	MaxSpeed float64
	// Continuous enables continuous collision detection (time of impact),
	// about a third of a step's cost in contact-rich scenes. Default off:
	// task scenes move slowly enough at 100 Hz not to tunnel.
	Continuous bool
	// NoWarmStart disables the solver's warm starting. Warm starting keeps
	// resting contacts stiff, but on a long chain of servo motors (the
	// 7-link arm) Gauss–Seidel does not converge within a step and the
	// carried-over impulses sustain an oscillation of several tenths of a
	// radian; without it the chain settles. The impulses carried over are
	// state that State does not hold; ColdStart drops them for one step.
	NoWarmStart bool
}

func (c Config) withDefaults() (Config, error) {
	if c.Dt == 0 {
		c.Dt = 0.01
	}
	if c.VelocityIterations == 0 {
		c.VelocityIterations = 8
	}
	if c.PositionIterations == 0 {
		c.PositionIterations = 3
	}
	if c.MaxSpeed == 0 {
		c.MaxSpeed = 100
	}
	switch {
	case !c.Gravity.finite():
		return c, fmt.Errorf("sim: gravity %v is not finite", c.Gravity)
	case !(c.Dt > 0 && c.Dt <= 1):
		return c, fmt.Errorf("sim: time step %g s outside (0, 1]", c.Dt)
	case c.VelocityIterations < 1 || c.VelocityIterations > 1000 || c.PositionIterations < 1 || c.PositionIterations > 1000:
		return c, fmt.Errorf("sim: solver iterations %d/%d outside [1, 1000]", c.VelocityIterations, c.PositionIterations)
	case !(c.MaxSpeed > 0) || math.IsInf(c.MaxSpeed, 0):
		return c, fmt.Errorf("sim: max speed %g must be positive and finite", c.MaxSpeed)
	}
	return c, nil
}

// World is a fixed-step 2D physics world. It is not safe for concurrent use;
// separate Worlds may step in separate goroutines.
type World struct {
	cfg    Config
	b2     *box2d.B2World
	bodies []*Body
	joints []*Joint
	time   float64
	// tableBody is the hidden static body that bodies with table friction
	// rub against; created with the first of them.
	tableBody *box2d.B2Body
	// fixtures is SetState's scratch list of one body's fixtures.
	fixtures []*box2d.B2Fixture
}

// table returns the hidden static body of bw that table friction joints
// hold on to.
func (w *World) table(bw *box2d.B2World) *box2d.B2Body {
	if w.tableBody == nil {
		bd := box2d.MakeB2BodyDef()
		w.tableBody = bw.CreateBody(&bd)
	}
	return w.tableBody
}

// NewWorld returns an empty world.
func NewWorld(cfg Config) (*World, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &World{cfg: cfg}
	w.b2 = newB2World(cfg)
	return w, nil
}

func newB2World(cfg Config) *box2d.B2World {
	bw := box2d.MakeB2World(cfg.Gravity.b2())
	w := &bw
	w.SetAllowSleeping(false)
	// The port ignores collision filters unless a contact filter is set.
	w.SetContactFilter(&box2d.B2ContactFilter{})
	w.M_continuousPhysics = cfg.Continuous
	w.M_warmStarting = !cfg.NoWarmStart
	return w
}

// Config returns the world's configuration with defaults filled in.
func (w *World) Config() Config { return w.cfg }

// Dt returns the physics time step in seconds.
func (w *World) Dt() float64 { return w.cfg.Dt }

// Time returns the simulated time in seconds since creation or the last
// SetState.
func (w *World) Time() float64 { return w.time }

// Bodies returns the bodies in creation order. The slice is the world's own:
// do not modify it.
func (w *World) Bodies() []*Body { return w.bodies }

// Joints returns the joints in creation order. The slice is the world's own:
// do not modify it.
func (w *World) Joints() []*Joint { return w.joints }

// Step advances the world by one time step: servos set their motor speeds,
// external forces and springs are applied, Box2D steps, and the new state is checked. It
// returns an error wrapping ErrDiverged on a blow-up.
func (w *World) Step() error {
	for _, j := range w.joints {
		j.applyServo()
	}
	for _, b := range w.bodies {
		if b.force != (Vec2{}) {
			b.b2.ApplyForce(b.force.b2(), b.WorldPoint(b.forcePoint).b2(), true)
		}
		if b.spring.active() {
			b.applySpring()
		}
	}
	w.b2.Step(w.cfg.Dt, w.cfg.VelocityIterations, w.cfg.PositionIterations)
	w.time += w.cfg.Dt
	return w.check()
}

// ColdStart makes the next Step start its constraint solver from zero
// contact and joint impulses, as the first Step after SetState does,
// instead of from the impulses the previous Step ended with; later steps
// warm-start again. It costs nothing. A world that cold-starts at the
// start of every control period (robots.Robot.Command does, for a model
// whose world warm-starts "within_control_step") keeps stiff contacts
// within the period, and its next period depends, up to the order in
// which the solver visits its contacts, on State alone: what a clone
// restored from a snapshot computes.
func (w *World) ColdStart() { w.b2.M_inv_dt0 = 0 }

func (w *World) check() error {
	max := w.cfg.MaxSpeed
	for _, b := range w.bodies {
		p, v := b.b2.M_xf.P, b.b2.M_linearVelocity
		a, om := b.b2.M_sweep.A, b.b2.M_angularVelocity
		if !finite(p.X) || !finite(p.Y) || !finite(a) || !finite(v.X) || !finite(v.Y) || !finite(om) {
			return fmt.Errorf("%w: body %q has a non-finite state", ErrDiverged, b.name)
		}
		if s := math.Hypot(v.X, v.Y); s > max {
			return fmt.Errorf("%w: body %q moves at %.3g m/s (limit %g)", ErrDiverged, b.name, s, max)
		}
		if math.Abs(om) > max {
			return fmt.Errorf("%w: body %q spins at %.3g rad/s (limit %g)", ErrDiverged, b.name, om, max)
		}
	}
	return nil
}

// StepBox2D advances Box2D by one time step with the servos setting motor
// speeds (as any driven Box2D program does every step) but no external
// forces or divergence checks. It exists to measure what World.Step adds
// over the bare engine (sandbox bench); use Step everywhere else.
func (w *World) StepBox2D() {
	for _, j := range w.joints {
		j.applyServo()
	}
	w.b2.Step(w.cfg.Dt, w.cfg.VelocityIterations, w.cfg.PositionIterations)
	w.time += w.cfg.Dt
}

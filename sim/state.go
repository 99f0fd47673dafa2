package sim

import (
	"fmt"
	"image/color"
	"math"

	"github.com/ByteArena/box2d"
)

// BodyState is the pose and velocity of one body.
type BodyState struct {
	Position        Vec2    // m
	Angle           float64 // rad
	Velocity        Vec2    // m/s, centre of mass
	AngularVelocity float64 // rad/s
}

// State is a snapshot of a World: every body (in creation order), every
// servo target (in joint order), and the simulated time.
type State struct {
	Bodies  []BodyState
	Targets []float64
	Time    float64
}

// Clone returns a deep copy of s.
func (s State) Clone() State {
	return State{
		Bodies:  append([]BodyState(nil), s.Bodies...),
		Targets: append([]float64(nil), s.Targets...),
		Time:    s.Time,
	}
}

// State returns a snapshot of the world.
func (w *World) State() State {
	var s State
	w.StateInto(&s)
	return s
}

// StateInto writes a snapshot of the world into s, reusing its slices.
func (w *World) StateInto(s *State) {
	s.Bodies = s.Bodies[:0]
	for _, b := range w.bodies {
		s.Bodies = append(s.Bodies, BodyState{
			Position:        b.Position(),
			Angle:           b.Angle(),
			Velocity:        b.Velocity(),
			AngularVelocity: b.AngularVelocity(),
		})
	}
	s.Targets = s.Targets[:0]
	for _, j := range w.joints {
		s.Targets = append(s.Targets, j.target)
	}
	s.Time = w.time
}

// SetState restores a snapshot taken from this world (or from a world built
// the same way). The future depends on s alone: stepping after SetState(s)
// gives the same result bit for bit whatever the world did before, and the
// same as a freshly built world restored to s. External forces and springs
// are cleared.
//
// The Box2D world is reset in place rather than rebuilt (docs/facts.md):
// contacts are destroyed, joint impulses zeroed, and the broad-phase is
// rebuilt with every proxy created in creation order at its body's
// definition pose, as a fresh world creates them, before the bodies move
// to s; so proxy ids, fat boxes and therefore the order in which contacts
// are found and solved are those of a fresh world. It allocates almost
// nothing, where a rebuild allocated the whole world.
func (w *World) SetState(s State) error {
	if len(s.Bodies) != len(w.bodies) || len(s.Targets) != len(w.joints) {
		return fmt.Errorf("sim: state has %d bodies and %d targets, world has %d and %d",
			len(s.Bodies), len(s.Targets), len(w.bodies), len(w.joints))
	}
	for i, bs := range s.Bodies {
		if !bs.Position.finite() || !finite(bs.Angle) || !bs.Velocity.finite() || !finite(bs.AngularVelocity) {
			return fmt.Errorf("sim: state of body %q is not finite", w.bodies[i].name)
		}
	}
	for i, t := range s.Targets {
		if !finite(t) {
			return fmt.Errorf("sim: target of joint %q is not finite", w.joints[i].name)
		}
	}
	if !finite(s.Time) {
		return fmt.Errorf("sim: state time %g is not finite", s.Time)
	}
	w.resetB2()
	for i, j := range w.joints {
		j.target = s.Targets[i]
	}
	for i, b := range w.bodies {
		bs := s.Bodies[i]
		b.force, b.forcePoint, b.spring = Vec2{}, Vec2{}, Spring{}
		b.b2.SetTransform(bs.Position.b2(), bs.Angle)
		b.b2.SetLinearVelocity(bs.Velocity.b2())
		b.b2.SetAngularVelocity(bs.AngularVelocity)
	}
	w.time = s.Time
	return nil
}

// resetB2 returns the Box2D world to what newB2World and the bodies' and
// joints' create calls leave: no contacts, zero solver impulses, no
// pending forces, and a broad-phase holding each fixture's proxy created
// at its body's definition pose in creation order.
func (w *World) resetB2() {
	bw := w.b2
	cm := &bw.M_contactManager
	for c := cm.M_contactList; c != nil; {
		next := c.GetNext()
		cm.Destroy(c)
		c = next
	}
	for j := bw.M_jointList; j != nil; j = j.GetNext() {
		switch j := j.(type) {
		case *box2d.B2RevoluteJoint:
			j.M_impulse.SetZero()
			j.M_motorImpulse = 0
			j.M_limitState = box2d.B2LimitState.E_inactiveLimit
		case *box2d.B2FrictionJoint:
			j.M_linearImpulse.SetZero()
			j.M_angularImpulse = 0
		}
	}
	cm.M_broadPhase = box2d.MakeB2BroadPhase()
	for _, b := range w.bodies {
		bb := b.b2
		xf := box2d.MakeB2Transform()
		xf.Set(b.def.Position.b2(), b.def.Angle)
		w.fixtures = w.fixtures[:0]
		for f := bb.M_fixtureList; f != nil; f = f.M_next {
			w.fixtures = append(w.fixtures, f)
		}
		// The body's list runs newest first.
		for i := len(w.fixtures) - 1; i >= 0; i-- {
			f := w.fixtures[i]
			f.M_proxyCount = 0
			f.CreateProxies(&cm.M_broadPhase, xf)
		}
		bb.M_force.SetZero()
		bb.M_torque = 0
		bb.M_sweep.Alpha0 = 0
		bb.M_sleepTime = 0
	}
	bw.M_flags |= box2d.B2World_Flags.E_newFixture
	bw.M_inv_dt0 = 0
}

// Contact is a touching pair of shapes.
type Contact struct {
	A, B   *Body
	Point  Vec2 // m, world frame: the first manifold point
	Normal Vec2 // unit, from A to B
}

// Contacts appends the touching contacts to dst and returns it.
func (w *World) Contacts(dst []Contact) []Contact {
	var wm box2d.B2WorldManifold
	for c := w.b2.M_contactManager.M_contactList; c != nil; c = c.GetNext() {
		if !c.IsTouching() || !c.IsEnabled() {
			continue
		}
		a := c.GetFixtureA().GetBody().GetUserData().(*Body)
		b := c.GetFixtureB().GetBody().GetUserData().(*Body)
		c.GetWorldManifold(&wm)
		dst = append(dst, Contact{A: a, B: b, Point: fromB2(wm.Points[0]), Normal: fromB2(wm.Normal)})
	}
	return dst
}

// Touching reports whether bodies a and b are in contact.
func (w *World) Touching(a, b *Body) bool {
	for e := a.b2.M_contactList; e != nil; e = e.Next {
		if e.Other == b.b2 && e.Contact.IsTouching() && e.Contact.IsEnabled() {
			return true
		}
	}
	return false
}

// TouchingAny reports whether body a touches any other body.
func (w *World) TouchingAny(a *Body) bool {
	for e := a.b2.M_contactList; e != nil; e = e.Next {
		if e.Contact.IsTouching() && e.Contact.IsEnabled() {
			return true
		}
	}
	return false
}

// DrawShape is a shape in world coordinates, for drawing.
type DrawShape struct {
	Body int // index in World.Bodies
	Kind ShapeKind
	// Center and Radius of a Circle (m); Angle is its body's angle (rad),
	// for drawing a spoke that shows rotation.
	Center Vec2
	Radius float64
	Angle  float64
	// Vertices of a Box or Polygon, counter-clockwise, m.
	Vertices []Vec2
	// Color is the shape's ShapeDef.Color (alpha 0: the viewer's choice).
	Color color.NRGBA
}

// Shapes writes every shape of every body, in world coordinates, into dst
// (reusing its memory) and returns it.
func (w *World) Shapes(dst []DrawShape) []DrawShape {
	n := 0
	for _, b := range w.bodies {
		xf := b.b2.M_xf
		for _, s := range b.def.Shapes {
			if n == len(dst) {
				dst = append(dst, DrawShape{})
			}
			d := &dst[n]
			n++
			d.Body, d.Kind, d.Angle, d.Color = b.index, s.Kind, b.Angle(), s.Color
			d.Vertices = d.Vertices[:0]
			switch s.Kind {
			case Circle:
				d.Center = fromB2(box2d.B2TransformVec2Mul(xf, s.Center.b2()))
				d.Radius = s.Radius
			case Box:
				sn, cs := math.Sincos(s.Angle)
				for _, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
					lx, ly := c[0]*s.HalfWidth, c[1]*s.HalfHeight
					p := Vec2{s.Center.X + cs*lx - sn*ly, s.Center.Y + sn*lx + cs*ly}
					d.Vertices = append(d.Vertices, fromB2(box2d.B2TransformVec2Mul(xf, p.b2())))
				}
				d.Center = fromB2(box2d.B2TransformVec2Mul(xf, s.Center.b2()))
			case Polygon:
				ccw := polygonArea(s.Vertices) > 0
				for i := range s.Vertices {
					v := s.Vertices[i]
					if !ccw {
						v = s.Vertices[len(s.Vertices)-1-i]
					}
					d.Vertices = append(d.Vertices, fromB2(box2d.B2TransformVec2Mul(xf, v.b2())))
				}
				d.Center = fromB2(box2d.B2TransformVec2Mul(xf, polygonCentroid(s.Vertices).b2()))
			}
		}
	}
	return dst[:n]
}

func polygonArea(vs []Vec2) float64 {
	a := 0.0
	for i := range vs {
		p, q := vs[i], vs[(i+1)%len(vs)]
		a += p.X*q.Y - q.X*p.Y
	}
	return a / 2
}

func polygonCentroid(vs []Vec2) Vec2 {
	var c Vec2
	for _, v := range vs {
		c = c.Add(v)
	}
	return c.Scale(1 / float64(len(vs)))
}

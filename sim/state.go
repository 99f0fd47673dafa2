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
// the same way). It rebuilds the underlying Box2D world, dropping contact
// caches and solver warm starts, so the future depends on s alone: stepping
// after SetState(s) gives the same result bit for bit whatever the world did
// before. External forces are cleared.
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
	w.b2, w.tableBody = newB2World(w.cfg), nil
	for _, b := range w.bodies {
		b.create(w.b2)
		b.force, b.forcePoint = Vec2{}, Vec2{}
	}
	for i, j := range w.joints {
		j.create(w.b2)
		j.target = s.Targets[i]
	}
	for i, b := range w.bodies {
		bs := s.Bodies[i]
		b.b2.SetTransform(bs.Position.b2(), bs.Angle)
		b.b2.SetLinearVelocity(bs.Velocity.b2())
		b.b2.SetAngularVelocity(bs.AngularVelocity)
	}
	w.time = s.Time
	return nil
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

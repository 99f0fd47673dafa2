package render

import (
	"math"

	"sandbox/sim"
	"sandbox/tasks"
)

// Frame is everything drawn in one image, in world coordinates (m). A
// Frame handed to another goroutine must not share memory with the
// simulator: build it from copies.
type Frame struct {
	// Shapes is the simulator's shape list (sim.World.Shapes).
	Shapes []sim.DrawShape
	// Static marks, by body index, the bodies that never move; they are
	// drawn in grey and left out of Bounds.
	Static []bool
	// Joints are the joint anchors.
	Joints []sim.Vec2
	// Contacts are the touching contact points; drawn when ShowContacts.
	Contacts     []Contact
	ShowContacts bool
	// Goals are the task's goal markers (tasks.Drawer.GoalMarkers).
	Goals []tasks.Marker
	// Focus is the task's focus point (tasks.Drawer.Focus); HasFocus is
	// false for tasks that are not Drawers.
	Focus    sim.Vec2
	HasFocus bool
	// Trail is the past path of the focus point, oldest first.
	Trail []sim.Vec2
	// Plan is the focus point's path that the planner imagines, starting
	// at Focus.
	Plan []sim.Vec2
	// Candidates are the focus point's paths of the futures a planner
	// weighed (DADS's candidate skills); drawn when ShowCandidates.
	Candidates     [][]sim.Vec2
	ShowCandidates bool
	// Spring, when Active, is the mouse perturbation: a spring from a
	// point of a body (From) to the cursor (To).
	Spring Spring
	// HUD lines, top left.
	HUD []string
	// Help lines, drawn in a box in the middle when not empty.
	Help []string
}

// Contact is a contact point and its unit normal.
type Contact struct {
	Point, Normal sim.Vec2
}

// Spring is a mouse perturbation.
type Spring struct {
	From, To sim.Vec2
	Active   bool
}

// Bounds returns the box around the moving shapes and the goal markers,
// which a camera should keep in view. Static shapes are left out: a ground
// tens of metres wide would shrink the robot to a few pixels.
func (f *Frame) Bounds() Bounds {
	var b Bounds
	for i := range f.Shapes {
		s := &f.Shapes[i]
		if s.Body < len(f.Static) && f.Static[s.Body] {
			continue
		}
		addShape(&b, s)
	}
	for _, m := range f.Goals {
		r := math.Max(m.Radius, 0)
		for _, p := range []sim.Vec2{m.A, m.B} {
			b.Add(sim.Vec2{X: p.X - r, Y: p.Y - r})
			b.Add(sim.Vec2{X: p.X + r, Y: p.Y + r})
		}
	}
	if !b.NonEmpty {
		for i := range f.Shapes {
			addShape(&b, &f.Shapes[i])
		}
	}
	return b
}

func addShape(b *Bounds, s *sim.DrawShape) {
	if s.Kind == sim.Circle {
		b.Add(sim.Vec2{X: s.Center.X - s.Radius, Y: s.Center.Y - s.Radius})
		b.Add(sim.Vec2{X: s.Center.X + s.Radius, Y: s.Center.Y + s.Radius})
		return
	}
	for _, v := range s.Vertices {
		b.Add(v)
	}
}

// Lerper interpolates between frames, reusing its own memory.
type Lerper struct {
	shapes []sim.DrawShape
	joints []sim.Vec2
	out    Frame
}

// Lerp returns the frame a fraction t (0 to 1) of the way from a to b:
// shapes, joints and the focus point move linearly (angles the short way
// round), everything else is b's. When a is nil or does not have the same
// shapes as b (a reset in between, another task) the result is b's content.
// The result is owned by l and valid until the next call; it shares b's
// slices except Shapes and Joints.
func (l *Lerper) Lerp(a, b *Frame, t float64) *Frame {
	l.out = *b
	if a == nil || !sameShapes(a, b) || t >= 1 {
		return &l.out
	}
	t = math.Max(0, t)
	mix := func(p, q sim.Vec2) sim.Vec2 { return sim.Vec2{X: p.X + t*(q.X-p.X), Y: p.Y + t*(q.Y-p.Y)} }
	for len(l.shapes) < len(b.Shapes) {
		l.shapes = append(l.shapes, sim.DrawShape{})
	}
	for i := range b.Shapes {
		sa, sb, d := &a.Shapes[i], &b.Shapes[i], &l.shapes[i]
		verts := d.Vertices[:0]
		*d = *sb
		d.Center = mix(sa.Center, sb.Center)
		d.Angle = sa.Angle + t*math.Remainder(sb.Angle-sa.Angle, 2*math.Pi)
		for j := range sb.Vertices {
			verts = append(verts, mix(sa.Vertices[j], sb.Vertices[j]))
		}
		d.Vertices = verts
	}
	l.out.Shapes = l.shapes[:len(b.Shapes)]
	if len(a.Joints) == len(b.Joints) {
		l.joints = l.joints[:0]
		for i := range b.Joints {
			l.joints = append(l.joints, mix(a.Joints[i], b.Joints[i]))
		}
		l.out.Joints = l.joints
	}
	if a.HasFocus && b.HasFocus {
		l.out.Focus = mix(a.Focus, b.Focus)
	}
	return &l.out
}

func sameShapes(a, b *Frame) bool {
	if len(a.Shapes) != len(b.Shapes) {
		return false
	}
	for i := range a.Shapes {
		if a.Shapes[i].Body != b.Shapes[i].Body || a.Shapes[i].Kind != b.Shapes[i].Kind ||
			len(a.Shapes[i].Vertices) != len(b.Shapes[i].Vertices) {
			return false
		}
	}
	return true
}

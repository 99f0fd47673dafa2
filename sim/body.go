package sim

import (
	"fmt"
	"image/color"
	"math"

	"github.com/ByteArena/box2d"
)

// BodyType says how a body moves.
type BodyType int

const (
	// Static bodies never move (ground, a fixed base).
	Static BodyType = iota
	// Dynamic bodies move under forces, contacts and joints.
	Dynamic
)

func (t BodyType) String() string {
	switch t {
	case Static:
		return "static"
	case Dynamic:
		return "dynamic"
	}
	return fmt.Sprintf("BodyType(%d)", int(t))
}

// ShapeKind is the geometry of a shape.
type ShapeKind int

const (
	// Circle is a disc of Radius around Center.
	Circle ShapeKind = iota
	// Box is a rectangle of half extents HalfWidth × HalfHeight centred on
	// Center and rotated by Angle.
	Box
	// Polygon is a convex polygon with 3 to 8 Vertices.
	Polygon
)

func (k ShapeKind) String() string {
	switch k {
	case Circle:
		return "circle"
	case Box:
		return "box"
	case Polygon:
		return "polygon"
	}
	return fmt.Sprintf("ShapeKind(%d)", int(k))
}

// MaxPolygonVertices is the largest vertex count of a Polygon shape.
const MaxPolygonVertices = box2d.B2_maxPolygonVertices

// Filter decides which shapes collide (Box2D's rules): shapes sharing a
// negative Group never collide, sharing a positive Group always collide;
// otherwise a and b collide when a.Category&b.Mask != 0 and
// b.Category&a.Mask != 0. The zero Filter (Category and Mask both 0) means
// Category 1, Mask 0xFFFF: collide with everything.
type Filter struct {
	Category, Mask uint16
	Group          int16
}

func (f Filter) b2() box2d.B2Filter {
	out := box2d.MakeB2Filter()
	if f.Category != 0 || f.Mask != 0 {
		out.CategoryBits, out.MaskBits = f.Category, f.Mask
	}
	out.GroupIndex = f.Group
	return out
}

// ShapeDef describes a shape in its body's frame.
type ShapeDef struct {
	Kind ShapeKind
	// Radius of a Circle, m.
	Radius float64
	// HalfWidth and HalfHeight of a Box, m.
	HalfWidth, HalfHeight float64
	// Center of a Circle or Box in the body frame, m.
	Center Vec2
	// Angle of a Box in the body frame, rad.
	Angle float64
	// Vertices of a convex Polygon in the body frame, m.
	Vertices []Vec2
	// Density in kg/m². Zero makes the shape massless (a dynamic body needs
	// at least one shape with mass).
	Density float64
	// Friction coefficient (≥ 0) and Restitution (0 to 1).
	Friction, Restitution float64
	Filter                Filter
	// Color is how viewers draw the shape; the zero value (alpha 0) lets
	// them choose. Simulation ignores it.
	Color color.NRGBA
}

// BodyDef describes a body.
type BodyDef struct {
	Name     string
	Type     BodyType
	Position Vec2    // m, world frame
	Angle    float64 // rad
	// LinearDamping (1/s) and AngularDamping (1/s) slow the body down.
	LinearDamping, AngularDamping float64
	// TableFriction is the Coulomb coefficient (dimensionless, 0 to
	// MaxTableFriction) of a dynamic body sliding on a table under a
	// top-down scene, which Box2D does not have: a friction joint to a
	// hidden static body resists the body's motion with a force of at
	// most TableFriction·m·g and a torque of at most
	// TableFriction·m·g·√(2I/m) (I about the centre of mass; the disc's
	// radius for a disc), with g = TableGravity. Zero: no table.
	TableFriction float64
	Shapes        []ShapeDef
}

// TableGravity is the gravity pressing bodies on the table of a top-down
// scene, m/s² (BodyDef.TableFriction).
const TableGravity = 9.81

// MaxTableFriction bounds BodyDef.TableFriction: coefficients of real
// sliding pairs are below 1.5.
const MaxTableFriction = 10

// Body is a rigid body in a World.
type Body struct {
	world *World
	index int
	name  string
	def   BodyDef
	b2    *box2d.B2Body

	force, forcePoint Vec2
	spring            Spring
}

// Spring pulls a body-frame point of a body towards a world point with a
// damped spring, F = K·(To − p) − C·v(p), recomputed on every physics step
// from the body's state then (see Body.SetSpring).
type Spring struct {
	At Vec2    // body frame, m
	To Vec2    // world frame, m
	K  float64 // stiffness, N/m
	C  float64 // damping, N·s/m
}

func (s Spring) active() bool { return s.K != 0 || s.C != 0 }

// AddBody adds a body with its shapes. Errors name the body and shape.
func (w *World) AddBody(def BodyDef) (*Body, error) {
	if err := validateBody(def); err != nil {
		return nil, err
	}
	def.Shapes = append([]ShapeDef(nil), def.Shapes...)
	for i := range def.Shapes {
		def.Shapes[i].Vertices = append([]Vec2(nil), def.Shapes[i].Vertices...)
	}
	b := &Body{world: w, index: len(w.bodies), name: def.Name, def: def}
	b.create(w.b2)
	w.bodies = append(w.bodies, b)
	return b, nil
}

func (b *Body) create(bw *box2d.B2World) {
	def := b.def
	bd := box2d.MakeB2BodyDef()
	switch def.Type {
	case Static:
		bd.Type = box2d.B2BodyType.B2_staticBody
	case Dynamic:
		bd.Type = box2d.B2BodyType.B2_dynamicBody
	}
	bd.Position = def.Position.b2()
	bd.Angle = def.Angle
	bd.LinearDamping = def.LinearDamping
	bd.AngularDamping = def.AngularDamping
	bd.AllowSleep = false
	b.b2 = bw.CreateBody(&bd)
	b.b2.SetUserData(b)
	for _, s := range def.Shapes {
		fd := box2d.MakeB2FixtureDef()
		fd.Density = s.Density
		fd.Friction = s.Friction
		fd.Restitution = s.Restitution
		fd.Filter = s.Filter.b2()
		switch s.Kind {
		case Circle:
			c := box2d.MakeB2CircleShape()
			c.M_radius = s.Radius
			c.M_p = s.Center.b2()
			fd.Shape = &c
		case Box:
			p := box2d.MakeB2PolygonShape()
			p.SetAsBoxFromCenterAndAngle(s.HalfWidth, s.HalfHeight, s.Center.b2(), s.Angle)
			fd.Shape = &p
		case Polygon:
			p := box2d.MakeB2PolygonShape()
			vs := make([]box2d.B2Vec2, len(s.Vertices))
			for i, v := range s.Vertices {
				vs[i] = v.b2()
			}
			p.Set(vs, len(vs))
			fd.Shape = &p
		}
		b.b2.CreateFixtureFromDef(&fd)
	}
	if mu := def.TableFriction; mu > 0 && def.Type == Dynamic {
		m, i := b.b2.GetMass(), b.b2.M_I
		jd := box2d.MakeB2FrictionJointDef()
		jd.Initialize(b.world.table(bw), b.b2, b.b2.GetWorldCenter())
		jd.MaxForce = mu * m * TableGravity
		jd.MaxTorque = mu * TableGravity * math.Sqrt(2*i*m)
		bw.CreateJoint(&jd)
	}
}

// minSize is the smallest accepted shape dimension (m) and minArea the
// smallest polygon area (m²); Box2D's own slop is 5 mm, and it cannot
// handle degenerate shapes (the port's epsilon is the smallest float64).
const (
	minSize = 1e-3
	minArea = 1e-6
)

func validateBody(def BodyDef) error {
	name := def.Name
	if name == "" {
		return fmt.Errorf("sim: body has no name")
	}
	if def.Type != Static && def.Type != Dynamic {
		return fmt.Errorf("sim: body %q: unknown type %v", name, def.Type)
	}
	if !def.Position.finite() || !finite(def.Angle) {
		return fmt.Errorf("sim: body %q: pose %v, %g is not finite", name, def.Position, def.Angle)
	}
	if !(def.LinearDamping >= 0 && def.AngularDamping >= 0) || math.IsInf(def.LinearDamping+def.AngularDamping, 0) {
		return fmt.Errorf("sim: body %q: damping must be finite and ≥ 0", name)
	}
	if !(def.TableFriction >= 0 && def.TableFriction <= MaxTableFriction) {
		return fmt.Errorf("sim: body %q: table friction %g outside [0, %d]", name, def.TableFriction, MaxTableFriction)
	}
	if def.TableFriction > 0 && def.Type != Dynamic {
		return fmt.Errorf("sim: body %q: table friction on a body that never moves", name)
	}
	if len(def.Shapes) == 0 {
		return fmt.Errorf("sim: body %q has no shapes", name)
	}
	mass := 0.0
	for i, s := range def.Shapes {
		if err := validateShape(s); err != nil {
			return fmt.Errorf("sim: body %q shape %d: %w", name, i, err)
		}
		mass += s.Density
	}
	if def.Type == Dynamic && mass <= 0 {
		return fmt.Errorf("sim: dynamic body %q has no mass (all densities are 0)", name)
	}
	return nil
}

func validateShape(s ShapeDef) error {
	if !(s.Density >= 0) || math.IsInf(s.Density, 0) {
		return fmt.Errorf("density %g must be finite and ≥ 0", s.Density)
	}
	if !(s.Friction >= 0) || math.IsInf(s.Friction, 0) {
		return fmt.Errorf("friction %g must be finite and ≥ 0", s.Friction)
	}
	if !(s.Restitution >= 0 && s.Restitution <= 1) {
		return fmt.Errorf("restitution %g outside [0, 1]", s.Restitution)
	}
	if !s.Center.finite() || !finite(s.Angle) {
		return fmt.Errorf("center %v or angle %g is not finite", s.Center, s.Angle)
	}
	switch s.Kind {
	case Circle:
		if !(s.Radius >= minSize) || math.IsInf(s.Radius, 0) {
			return fmt.Errorf("circle radius %g m must be finite and ≥ %g", s.Radius, minSize)
		}
	case Box:
		if !(s.HalfWidth >= minSize && s.HalfHeight >= minSize) || math.IsInf(s.HalfWidth+s.HalfHeight, 0) {
			return fmt.Errorf("box half extents %g × %g m must be finite and ≥ %g", s.HalfWidth, s.HalfHeight, minSize)
		}
	case Polygon:
		return validatePolygon(s.Vertices)
	default:
		return fmt.Errorf("unknown shape kind %v", s.Kind)
	}
	return nil
}

// validatePolygon accepts convex polygons of 3 to 8 vertices in either
// winding, with no repeated or collinear-only vertices.
func validatePolygon(vs []Vec2) error {
	n := len(vs)
	if n < 3 || n > MaxPolygonVertices {
		return fmt.Errorf("polygon has %d vertices, want 3 to %d", n, MaxPolygonVertices)
	}
	for i, v := range vs {
		if !v.finite() {
			return fmt.Errorf("polygon vertex %d %v is not finite", i, v)
		}
	}
	area, sign := 0.0, 0.0
	for i := range vs {
		a, b, c := vs[i], vs[(i+1)%n], vs[(i+2)%n]
		if b.Sub(a).Norm() < minSize {
			return fmt.Errorf("polygon vertices %d and %d are closer than %g m", i, (i+1)%n, minSize)
		}
		cross := (b.X-a.X)*(c.Y-b.Y) - (b.Y-a.Y)*(c.X-b.X)
		if sign == 0 {
			sign = math.Copysign(1, cross)
		}
		if cross*sign <= 0 {
			return fmt.Errorf("polygon is not strictly convex at vertex %d", (i+1)%n)
		}
		area += a.X*b.Y - b.X*a.Y
	}
	if math.Abs(area)/2 < minArea {
		return fmt.Errorf("polygon area %g m² is below %g", math.Abs(area)/2, minArea)
	}
	return nil
}

// Name returns the body's name.
func (b *Body) Name() string { return b.name }

// Index returns the body's position in World.Bodies.
func (b *Body) Index() int { return b.index }

// Type returns the body's type.
func (b *Body) Type() BodyType { return b.def.Type }

// The port's getters have value receivers that copy the whole body on every
// call; the accessors below read its fields directly.

// Position returns the body origin in the world frame, m.
func (b *Body) Position() Vec2 { return fromB2(b.b2.M_xf.P) }

// Angle returns the body's angle, rad.
func (b *Body) Angle() float64 { return b.b2.M_sweep.A }

// Velocity returns the linear velocity of the centre of mass, m/s.
func (b *Body) Velocity() Vec2 { return fromB2(b.b2.M_linearVelocity) }

// AngularVelocity returns the angular velocity, rad/s.
func (b *Body) AngularVelocity() float64 { return b.b2.M_angularVelocity }

// WorldPoint converts a point in the body frame to the world frame.
func (b *Body) WorldPoint(local Vec2) Vec2 {
	return fromB2(box2d.B2TransformVec2Mul(b.b2.M_xf, local.b2()))
}

// LocalPoint converts a world point to the body frame.
func (b *Body) LocalPoint(world Vec2) Vec2 {
	return fromB2(box2d.B2TransformVec2MulT(b.b2.M_xf, world.b2()))
}

// PointVelocity returns the world velocity of a point given in the body
// frame, m/s.
func (b *Body) PointVelocity(local Vec2) Vec2 {
	return fromB2(b.b2.GetLinearVelocityFromLocalPoint(local.b2()))
}

// Mass returns the body's mass, kg.
func (b *Body) Mass() float64 { return b.b2.GetMass() }

// SetExternalForce applies force f (N, world frame) at the body-frame point
// local on every step until it is changed; the zero force clears it. The
// viewer uses it to pull bodies with the mouse.
func (b *Body) SetExternalForce(f, local Vec2) {
	if !f.finite() || !local.finite() {
		f = Vec2{}
	}
	b.force, b.forcePoint = f, local
}

// SetSpring attaches s to the body until it is changed; the zero Spring
// removes it. Unlike a force held by SetExternalForce, the spring's force
// follows the body within a control period: it is recomputed on every
// physics step, an explicit update that is stable while K ≤ m/dt² and
// C ≤ m/dt for the body's mass m and the step dt. SetState removes it. The
// viewer pulls bodies with the mouse through it.
func (b *Body) SetSpring(s Spring) {
	if !s.At.finite() || !s.To.finite() || !finite(s.K) || !finite(s.C) {
		s = Spring{}
	}
	b.spring = s
}

// Spring returns the body's spring (the zero Spring when it has none).
func (b *Body) Spring() Spring { return b.spring }

// applySpring adds the spring's force for the coming step.
func (b *Body) applySpring() {
	s := b.spring
	d := s.To.Sub(b.WorldPoint(s.At))
	v := b.PointVelocity(s.At)
	f := d.Scale(s.K).Sub(v.Scale(s.C))
	b.b2.ApplyForce(f.b2(), b.WorldPoint(s.At).b2(), true)
}

// Shapes returns the body's shape definitions. Do not modify them.
func (b *Body) Shapes() []ShapeDef { return b.def.Shapes }

package sim

import (
	"fmt"
	"math"

	"github.com/ByteArena/box2d"
)

// Servo is a joint's position controller. Box2D's revolute motor drives the
// joint at a commanded speed with a bounded torque; the servo commands
//
//	speed = clamp(Kp·(target − angle), −MaxSpeed, MaxSpeed)
//
// on every physics step, so the joint tracks its target like a position-
// controlled hobby servo (ROBEL's Dynamixels). A joint with MaxTorque 0 is
// passive; Friction then sets a motor at zero speed with that torque, which
// acts as Coulomb friction at the pin.
type Servo struct {
	Kp        float64 // gain, 1/s
	MaxSpeed  float64 // rad/s
	MaxTorque float64 // N·m; 0 = passive
	Friction  float64 // N·m, passive joints only
}

// Actuated reports whether the servo drives the joint.
func (s Servo) Actuated() bool { return s.MaxTorque > 0 }

// JointDef describes a revolute joint between a parent body A and a child
// body B that turn about a world point.
type JointDef struct {
	Name   string
	A, B   *Body
	Anchor Vec2 // m, world frame, at the bodies' current poses
	// Limit enables angle limits Lower ≤ angle ≤ Upper (rad), where the
	// angle is B's rotation relative to A from the pose at creation.
	Limit        bool
	Lower, Upper float64
	Servo        Servo
}

// Joint is a revolute joint.
type Joint struct {
	world  *World
	index  int
	name   string
	def    JointDef
	b2     *box2d.B2RevoluteJoint
	target float64
	// local anchors and reference angle computed at creation, reused when
	// the world is rebuilt
	localA, localB box2d.B2Vec2
	refAngle       float64
}

// AddJoint adds a revolute joint. Its servo target starts at the current
// angle (zero).
func (w *World) AddJoint(def JointDef) (*Joint, error) {
	if err := w.validateJoint(def); err != nil {
		return nil, err
	}
	j := &Joint{world: w, index: len(w.joints), name: def.Name, def: def}
	jd := box2d.MakeB2RevoluteJointDef()
	jd.Initialize(def.A.b2, def.B.b2, def.Anchor.b2())
	j.localA, j.localB, j.refAngle = jd.LocalAnchorA, jd.LocalAnchorB, jd.ReferenceAngle
	j.create(w.b2)
	w.joints = append(w.joints, j)
	return j, nil
}

func (w *World) validateJoint(def JointDef) error {
	name := def.Name
	switch {
	case name == "":
		return fmt.Errorf("sim: joint has no name")
	case def.A == nil || def.B == nil:
		return fmt.Errorf("sim: joint %q: both bodies are required", name)
	case def.A.world != w || def.B.world != w:
		return fmt.Errorf("sim: joint %q: a body belongs to another world", name)
	case def.A == def.B:
		return fmt.Errorf("sim: joint %q joins body %q to itself", name, def.A.name)
	case def.A.Type() == Static && def.B.Type() == Static:
		return fmt.Errorf("sim: joint %q joins two static bodies", name)
	case !def.Anchor.finite():
		return fmt.Errorf("sim: joint %q: anchor %v is not finite", name, def.Anchor)
	case def.Limit && !(finite(def.Lower) && finite(def.Upper) && def.Lower <= def.Upper):
		return fmt.Errorf("sim: joint %q: limits [%g, %g] must be finite with lower ≤ upper", name, def.Lower, def.Upper)
	}
	s := def.Servo
	for _, v := range []struct {
		field string
		x     float64
	}{{"kp", s.Kp}, {"max speed", s.MaxSpeed}, {"max torque", s.MaxTorque}, {"friction", s.Friction}} {
		if !(v.x >= 0) || math.IsInf(v.x, 0) {
			return fmt.Errorf("sim: joint %q: servo %s %g must be finite and ≥ 0", name, v.field, v.x)
		}
	}
	if s.Actuated() && (s.Kp == 0 || s.MaxSpeed == 0) {
		return fmt.Errorf("sim: joint %q: an actuated servo needs kp > 0 and max speed > 0", name)
	}
	return nil
}

// create builds the Box2D joint from the anchors and reference angle found
// at AddJoint, so that a rebuilt world has the same joint.
func (j *Joint) create(bw *box2d.B2World) {
	d := j.def
	jd := box2d.MakeB2RevoluteJointDef()
	jd.BodyA, jd.BodyB = d.A.b2, d.B.b2
	jd.LocalAnchorA, jd.LocalAnchorB, jd.ReferenceAngle = j.localA, j.localB, j.refAngle
	jd.CollideConnected = false
	jd.EnableLimit = d.Limit
	jd.LowerAngle, jd.UpperAngle = d.Lower, d.Upper
	switch {
	case d.Servo.Actuated():
		jd.EnableMotor = true
		jd.MaxMotorTorque = d.Servo.MaxTorque
	case d.Servo.Friction > 0:
		jd.EnableMotor = true
		jd.MaxMotorTorque = d.Servo.Friction
	}
	j.b2 = bw.CreateJoint(&jd).(*box2d.B2RevoluteJoint)
}

func (j *Joint) applyServo() {
	s := j.def.Servo
	if !s.Actuated() {
		return
	}
	v := s.Kp * (j.target - j.Angle())
	j.b2.SetMotorSpeed(math.Max(-s.MaxSpeed, math.Min(s.MaxSpeed, v)))
}

// Name returns the joint's name.
func (j *Joint) Name() string { return j.name }

// Index returns the joint's position in World.Joints.
func (j *Joint) Index() int { return j.index }

// Parent and Child return the joint's bodies.
func (j *Joint) Parent() *Body { return j.def.A }

// Child returns the body the joint turns.
func (j *Joint) Child() *Body { return j.def.B }

// Def returns the joint's definition.
func (j *Joint) Def() JointDef { return j.def }

// Angle returns the child's rotation relative to the parent, rad.
func (j *Joint) Angle() float64 {
	return j.b2.M_bodyB.M_sweep.A - j.b2.M_bodyA.M_sweep.A - j.refAngle
}

// Speed returns the joint's angular speed, rad/s.
func (j *Joint) Speed() float64 { return j.b2.GetJointSpeed() }

// Anchor returns the joint's pivot in the world frame, m.
func (j *Joint) Anchor() Vec2 { return fromB2(j.b2.GetAnchorB()) }

// Target returns the servo's target angle, rad.
func (j *Joint) Target() float64 { return j.target }

// SetTarget sets the servo's target angle (rad), clamped to the joint's
// limits when they are enabled. Non-finite targets are ignored.
func (j *Joint) SetTarget(t float64) {
	if !finite(t) {
		return
	}
	if j.def.Limit {
		t = math.Max(j.def.Lower, math.Min(j.def.Upper, t))
	}
	j.target = t
}

package robots

import (
	"fmt"
	"math"

	"sandbox/sim"
)

// Robot is a model built into a sim.World.
type Robot struct {
	Model *Model
	World *sim.World

	bodies    []*sim.Body // in model order (= World.Bodies order)
	byName    map[string]int
	joints    []*sim.Joint // all joints in model order
	actuators []Actuator   // actuated joints, in action order
	sites     map[string]Site
}

// Actuator is an actuated joint with its range and target rate limit.
type Actuator struct {
	Joint        *sim.Joint
	Lower, Upper float64 // rad
	Rate         float64 // rad/s: the most the target may move per second
}

// Site is a named point on a body.
type Site struct {
	Body  *sim.Body
	Local sim.Vec2 // m, body frame
}

// Pos returns the site's world position, m.
func (s Site) Pos() sim.Vec2 { return s.Body.WorldPoint(s.Local) }

// Build creates a world holding the model at joint angles zero.
func (m *Model) Build() (*Robot, error) {
	w, err := sim.NewWorld(m.simConfig())
	if err != nil {
		return nil, fmt.Errorf("robots: %s: world: %w", m.file, err)
	}
	r := &Robot{Model: m, World: w, byName: map[string]int{}, sites: map[string]Site{}}
	poses := m.restPoses(nil)
	for i, bs := range m.Bodies {
		def := bs.bodyDef(m.World.TableFriction)
		def.Position, def.Angle = poses[i].pos, poses[i].angle
		b, err := w.AddBody(def)
		if err != nil {
			return nil, fmt.Errorf("robots: %s: bodies[%d] (%q): %w", m.file, i, bs.Name, err)
		}
		r.bodies = append(r.bodies, b)
		r.byName[bs.Name] = i
		p := -1
		if bs.Parent != "" {
			p = r.byName[bs.Parent]
		}
		for name, local := range bs.Sites {
			r.sites[name] = Site{Body: b, Local: vec(local)}
		}
		js := bs.Joint
		if js == nil {
			continue
		}
		jd := sim.JointDef{Name: js.Name, A: r.bodies[p], B: b, Anchor: b.WorldPoint(vec(js.Anchor))}
		if js.RangeDeg != nil {
			jd.Limit, jd.Lower, jd.Upper = true, deg(js.RangeDeg[0]), deg(js.RangeDeg[1])
		}
		if a := js.Actuator; a != nil {
			jd.Servo = sim.Servo{Kp: a.Kp, MaxSpeed: a.MaxSpeed, MaxTorque: a.MaxTorque}
		} else {
			jd.Servo = sim.Servo{Friction: js.Friction}
		}
		j, err := w.AddJoint(jd)
		if err != nil {
			return nil, fmt.Errorf("robots: %s: bodies[%d] (%q).joint: %w", m.file, i, bs.Name, err)
		}
		r.joints = append(r.joints, j)
		if a := js.Actuator; a != nil {
			rate := a.Rate
			if rate == 0 {
				rate = a.MaxSpeed
			}
			r.actuators = append(r.actuators, Actuator{Joint: j, Lower: jd.Lower, Upper: jd.Upper, Rate: rate})
		}
	}
	return r, nil
}

type pose struct {
	pos   sim.Vec2
	angle float64
}

// restPoses returns world poses of all bodies for the given joint angles
// (by joint name; missing joints are at zero).
func (m *Model) restPoses(q map[string]float64) []pose {
	idx := map[string]int{}
	out := make([]pose, len(m.Bodies))
	for i, b := range m.Bodies {
		idx[b.Name] = i
		local := pose{vec(b.Pos), deg(b.AngleDeg)}
		if j := b.Joint; j != nil {
			// Turn the body about its anchor (a point fixed in both frames).
			a := vec(j.Anchor)
			ap := local.pos.Add(a.Rotate(local.angle))
			local.angle += q[j.Name]
			local.pos = ap.Sub(a.Rotate(local.angle))
		}
		if b.Parent == "" {
			out[i] = local
			continue
		}
		p := out[idx[b.Parent]]
		out[i] = pose{p.pos.Add(local.pos.Rotate(p.angle)), p.angle + local.angle}
	}
	return out
}

// Bodies returns the bodies in model order. Do not modify the slice.
func (r *Robot) Bodies() []*sim.Body { return r.bodies }

// Body returns the named body, or an error naming the model.
func (r *Robot) Body(name string) (*sim.Body, error) {
	i, ok := r.byName[name]
	if !ok {
		return nil, fmt.Errorf("robots: %s has no body %q", r.Model.file, name)
	}
	return r.bodies[i], nil
}

// Site returns the named site, or an error naming the model.
func (r *Robot) Site(name string) (Site, error) {
	s, ok := r.sites[name]
	if !ok {
		return Site{}, fmt.Errorf("robots: %s has no site %q", r.Model.file, name)
	}
	return s, nil
}

// Joints returns all joints (actuated and passive) in model order.
func (r *Robot) Joints() []*sim.Joint { return r.joints }

// Joint returns the named joint, or an error naming the model.
func (r *Robot) Joint(name string) (*sim.Joint, error) {
	for _, j := range r.joints {
		if j.Name() == name {
			return j, nil
		}
	}
	return nil, fmt.Errorf("robots: %s has no joint %q", r.Model.file, name)
}

// Actuators returns the actuated joints in action order. Do not modify.
func (r *Robot) Actuators() []Actuator { return r.actuators }

// ActionDim returns the number of actuators.
func (r *Robot) ActionDim() int { return len(r.actuators) }

// Pose returns a world state with the joints at angles q (by joint name,
// rad; missing joints at zero), every body at rest, and each actuator's
// target at its joint's angle. Bodies without a joint keep their pose
// relative to their parent.
func (r *Robot) Pose(q map[string]float64) sim.State {
	poses := r.Model.restPoses(q)
	s := sim.State{Bodies: make([]sim.BodyState, len(poses)), Targets: make([]float64, len(r.joints))}
	for i, p := range poses {
		s.Bodies[i] = sim.BodyState{Position: p.pos, Angle: p.angle}
	}
	for k, j := range r.joints {
		s.Targets[k] = q[j.Name()]
	}
	return s
}

// ActionToTarget maps an action component a ∈ [−1, 1] to a target angle in
// the actuator's range: lower + (a+1)/2·(upper−lower).
func (a Actuator) ActionToTarget(x float64) float64 {
	x = math.Max(-1, math.Min(1, x))
	return a.Lower + (x+1)/2*(a.Upper-a.Lower)
}

// TargetToAction is the inverse of ActionToTarget, clamped to [−1, 1].
func (a Actuator) TargetToAction(t float64) float64 {
	x := 2*(t-a.Lower)/(a.Upper-a.Lower) - 1
	return math.Max(-1, math.Min(1, x))
}

// Command starts a control step of dt seconds: it sets the actuators'
// targets from an action in [−1, 1]^n (ROBEL-style absolute joint
// positions), each moving at most Rate·dt from its current value, and,
// when the model's world warm-starts only within a control step, makes
// the solver start cold (sim.World.ColdStart). Components outside
// [−1, 1] are clamped; the caller must reject non-finite actions.
func (r *Robot) Command(act []float64, dt float64) {
	if r.Model.World.WarmStarting == WarmWithinControlStep {
		r.World.ColdStart()
	}
	for i, a := range r.actuators {
		want := a.ActionToTarget(act[i])
		cur := a.Joint.Target()
		step := a.Rate * dt
		a.Joint.SetTarget(math.Max(cur-step, math.Min(cur+step, want)))
	}
}

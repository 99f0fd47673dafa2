package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/control"
	"sandbox/robots"
	"sandbox/sim"
)

func init() { Register("quadruped-orient", func() Task { return &Quadruped{} }) }

// Quadruped is D'Kitty Orient (ROBEL, Ahn et al. 2019; random goals as in
// Rajeswaran et al. 2020) made planar: a quadruped seen from the side under
// gravity, standing on flat ground, must tilt its torso to a target pitch
// and hold it. In a plane, D'Kitty's heading becomes the torso's pitch θ
// (counter-clockwise, nose up, with the nose towards +x).
//
// Robot (assets/robots/quadruped.json): a 0.5 m torso and four legs of three
// pitch joints each (hip, knee, ankle; 12 actuated), two at each end of the
// torso. Joint angle zero is the standing pose, in the middle of each range
// (hip ±75°, knee ±75°, ankle ±60°), so the zero action stands. Links never
// collide with each other; the feet (friction 1.5) and the rest touch the
// ground. Servos: kp 10/s, 5 rad/s, 10 N·m. The model asks for 30 solver
// velocity iterations: with Box2D's default 8 the servo chains on the
// ground do not converge and the robot jitters and creeps (about 0.3 m per
// episode under the zero action); with 30 it stands still (< 4 cm). The
// solver warm-starts only within a control step ("warm_starting":
// "within_control_step"), so the feet's contact impulses do not carry into
// the next control step, where no observation shows them: a replay from
// the live Env's snapshot then ends 0.011 (RMS over the observation, one
// control step; sandbox bench) from the live Env instead of 0.21, and the
// scripted controller still succeeds on every goal.
//
// Start: standing with every joint offset by U(−0.1, 0.1) rad, lowered onto
// the ground (lowest foot just above it) at x = 0, at rest. Goal: target
// pitch θ* = ±U(10°, 30°), random sign. Episode: 80 control
// steps of 0.1 s. Actions: absolute joint targets in each joint's range,
// moving at most π rad/s (ROBEL's D'Kitty).
//
// Observation (50):
//
//	[0]     h                torso centre height, m
//	[1:3]   cos θ, sin θ     torso pitch
//	[3:5]   v                torso centre velocity, m/s
//	[5]     θ̇                torso angular speed, rad/s
//	[6:18]  q                joint angles, rad (fl hip, knee, ankle; fr; bl; br)
//	[18:30] q̇                joint speeds, rad/s
//	[30:34] feet             1 where a foot touches the ground (fl, fr, bl, br)
//	[34]    fallen           1 where the torso or a thigh touches the ground
//	[35]    x                torso centre x: the drift from the start, m
//	[36]    θ*               target pitch, rad (the goal)
//	[37]    err              wrap(θ − θ*), rad
//	[38:50] last action
//
// Reward (ROBEL's D'Kitty shape; e = |err|, terms by name):
//
//	standing  2·clamp((h − 0.15)/(0.30 − 0.15), 0, 1)
//	pitch     −4·e
//	drift     −4·|x|
//	bonus     5·1[e < 0.15] + 10·1[e < 0.087]
//	fall      −100 when fallen
//
// Failure ("fell"): the torso or a thigh touches the ground, or |θ| > 60°.
// Success: e < 0.087 rad (5°), not fallen, |x| < 0.25 m.
//
// Changes from the starting specification (docs/tasks.md) and ROBEL, and
// why:
//   - The goal leaves out |θ*| < 10° (quadGoalMin): standing still (the zero
//     action) keeps θ ≈ 0, which would succeed on every target within the
//     5° tolerance, a sixth of U(−30°, 30°).
//   - D'Kitty's upright term (torso up-vector against a threshold) is the
//     task variable in a plane; the standing term rewards torso height
//     instead, the remaining way to collapse.
//
// The oracle (Spec.Oracle) is MPC with CEM on the true simulator over a
// 6-step (0.6 s) horizon: 48 plans, 6 elites, 3 iterations, iCEM colored
// noise with β = 2 and initial σ = 0.2 (with σ = 0.3 the held pitch
// wandered up to 4.5° from the target, close to the 5° tolerance).
// Scripted is a stand-and-tilt posture controller. Measured success
// (sandbox eval): oracle 20/20 (seeds 101, 303), scripted 100/100, zero 0/100,
// random 2/100 (seed 202).
type Quadruped struct {
	acts   []robots.Actuator
	torso  *sim.Body
	ground *sim.Body
	feet   [4]*sim.Body
	thighs [4]*sim.Body
	legs   [4]quadLeg
	// footSites are the feet's disc centres (fl, fr, bl, br).
	footSites [4]robots.Site
	footR     float64 // m: foot disc radius
}

// quadLeg is one leg's geometry in the torso frame at joint angles zero.
type quadLeg struct {
	hip        sim.Vec2   // m
	lengths    [3]float64 // m: hip–knee, knee–ankle, ankle–foot centre
	restAngles [3]float64 // rad: direction of each link at rest
}

// Quadruped constants.
const (
	quadJoints       = 12
	quadSteps        = 80
	quadSuccess      = 0.087 // rad: success tolerance on |err| (5°)
	quadNear         = 0.15  // rad: small-bonus tolerance
	quadDriftMax     = 0.25  // m: success tolerance on |x|
	quadGoalMax      = math.Pi / 6
	quadGoalMin      = 10 * math.Pi / 180 // rad: see the doc comment
	quadTipOver      = math.Pi / 3        // rad: |θ| beyond this has fallen
	quadStandLow     = 0.15               // m: standing term is 0 below
	quadStandHigh    = 0.30               // m: standing term is full above
	quadFallPenalty  = 100
	quadStartOffset  = 0.1 // rad
	quadGroundMargin = 0.002
)

var quadLegNames = [4]string{"fl", "fr", "bl", "br"}

var quadObs = Layout("height", 1, "pitch_cos_sin", 2, "velocity", 2, "pitch_speed", 1, "q", 12, "qdot", 12,
	"foot_contacts", 4, "fallen", 1, "x", 1, "target_pitch*", 1, "err=", 1, "last_action!", 12)

// Spec implements Task.
func (*Quadruped) Spec() Spec {
	return Spec{ID: "quadruped-orient", Robot: "quadruped", Obs: quadObs, ActionDim: quadJoints,
		Steps: quadSteps, ControlDt: 0.1,
		Doc:    "planar quadruped: tilt the torso to a random pitch and hold it (success < 5°)",
		Oracle: OracleSpec{Horizon: 6, CEM: control.CEM{Population: 48, Elites: 6, Iterations: 3, Beta: 2, InitStd: 0.2}}}
}

// Setup implements Task.
func (t *Quadruped) Setup(r *robots.Robot) error {
	var err error
	if t.torso, err = r.Body("torso"); err != nil {
		return err
	}
	if t.ground, err = r.Body("ground"); err != nil {
		return err
	}
	t.acts = r.Actuators()
	if len(t.acts) != quadJoints {
		return fmt.Errorf("quadruped needs %d actuators, model has %d", quadJoints, len(t.acts))
	}
	for k, name := range quadLegNames {
		if t.thighs[k], err = r.Body("thigh_" + name); err != nil {
			return err
		}
		if t.feet[k], err = r.Body("foot_" + name); err != nil {
			return err
		}
		if t.footSites[k], err = r.Site("foot_" + name); err != nil {
			return err
		}
		// Three actuated joints per leg in file order: hip, knee, ankle.
		// The robot is at joint angles zero, the torso at angle zero.
		pts := [4]sim.Vec2{}
		for i := range 3 {
			pts[i] = t.torso.LocalPoint(t.acts[3*k+i].Joint.Anchor())
		}
		pts[3] = t.torso.LocalPoint(t.footSites[k].Pos())
		leg := quadLeg{hip: pts[0]}
		for i := range 3 {
			d := pts[i+1].Sub(pts[i])
			leg.lengths[i], leg.restAngles[i] = d.Norm(), math.Atan2(d.Y, d.X)
		}
		t.legs[k] = leg
	}
	t.footR = 0
	for _, b := range r.Model.Bodies {
		if b.Name == "foot_fl" {
			for _, s := range b.Shapes {
				if s.Circle != nil {
					t.footR = s.Circle.Radius
				}
			}
		}
	}
	if t.footR == 0 {
		return fmt.Errorf("quadruped: body \"foot_fl\" has no circle shape")
	}
	return nil
}

// Reset implements Task.
func (t *Quadruped) Reset(r *robots.Robot, rng *rand.Rand) (sim.State, []float64) {
	s := t.start(r, rng)
	target := quadGoalMin + (quadGoalMax-quadGoalMin)*rng.Float64()
	if rng.Float64() < 0.5 {
		target = -target
	}
	return s, []float64{target}
}

// start draws the standing start: every joint offset by
// U(−quadStartOffset, quadStartOffset) rad, lowered onto the ground at x = 0.
func (t *Quadruped) start(r *robots.Robot, rng *rand.Rand) sim.State {
	q := map[string]float64{}
	for _, a := range t.acts {
		q[a.Joint.Name()] = quadStartOffset * (2*rng.Float64() - 1)
	}
	return t.lower(r, r.Pose(q))
}

// lower moves every dynamic body of s up or down so that the lowest foot
// clears the ground by a hair.
func (t *Quadruped) lower(r *robots.Robot, s sim.State) sim.State {
	low := math.Inf(1)
	for _, fs := range t.footSites {
		b := s.Bodies[fs.Body.Index()]
		p := b.Position.Add(fs.Local.Rotate(b.Angle))
		low = math.Min(low, p.Y-t.footR)
	}
	for i, b := range r.World.Bodies() {
		if b.Type() == sim.Dynamic {
			s.Bodies[i].Position.Y += quadGroundMargin - low
		}
	}
	return s
}

// Observe implements Task.
func (t *Quadruped) Observe(r *robots.Robot, goal, last, obs []float64) {
	p, th := t.torso.Position(), t.torso.Angle()
	s, c := math.Sincos(th)
	v := t.torso.Velocity()
	obs[0], obs[1], obs[2] = p.Y, c, s
	obs[3], obs[4], obs[5] = v.X, v.Y, t.torso.AngularVelocity()
	for i, a := range t.acts {
		obs[6+i], obs[18+i] = a.Joint.Angle(), a.Joint.Speed()
	}
	w := r.World
	fallen := w.Touching(t.torso, t.ground)
	for k := range 4 {
		obs[30+k] = b2f(w.Touching(t.feet[k], t.ground))
		fallen = fallen || w.Touching(t.thighs[k], t.ground)
	}
	obs[34] = b2f(fallen)
	obs[35] = p.X
	obs[36] = goal[0]
	copy(obs[38:50], last)
	t.Derive(obs)
}

// Derive implements Deriver: the pitch error from the torso's cos/sin and
// the target.
func (*Quadruped) Derive(obs []float64) {
	obs[37] = math.Remainder(math.Atan2(obs[2], obs[1])-obs[36], 2*math.Pi)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// quadFallen reports whether obs shows a fall.
func quadFallen(obs []float64) bool {
	return obs[34] > 0.5 || math.Abs(math.Atan2(obs[2], obs[1])) > quadTipOver
}

// Reward implements Task.
func (t *Quadruped) Reward(obs, act, next []float64, terms map[string]float64) float64 {
	e := math.Abs(next[37])
	stand, bonus, fall := quadTerms(next, e, quadNear, quadSuccess)
	pitch := -4 * e
	drift := -4 * math.Abs(next[35])
	if terms != nil {
		terms["standing"], terms["pitch"], terms["drift"], terms["bonus"], terms["fall"] = stand, pitch, drift, bonus, fall
	}
	return stand + pitch + drift + bonus + fall
}

// quadTerms returns the reward terms both quadruped tasks share for the
// observation next with task error e: the standing term, the bonuses for e
// within near and within tol, and the fall penalty.
func quadTerms(next []float64, e, near, tol float64) (stand, bonus, fall float64) {
	stand = 2 * math.Max(0, math.Min(1, (next[0]-quadStandLow)/(quadStandHigh-quadStandLow)))
	if e < near {
		bonus += 5
	}
	if e < tol {
		bonus += 10
	}
	if quadFallen(next) {
		fall = -quadFallPenalty
	}
	return stand, bonus, fall
}

// Success implements Task.
func (t *Quadruped) Success(obs []float64) bool {
	return math.Abs(obs[37]) < quadSuccess && !quadFallen(obs) && math.Abs(obs[35]) < quadDriftMax
}

// Failure implements Task.
func (t *Quadruped) Failure(obs []float64) string {
	if quadFallen(obs) {
		return "fell"
	}
	return ""
}

// GoalMarkers implements Drawer: the torso's target line through its
// centre, with a dot at the target nose.
func (*Quadruped) GoalMarkers(obs []float64, dst []Marker) []Marker {
	c := sim.Vec2{X: obs[35], Y: obs[0]}
	d := sim.Vec2{X: 0.3, Y: 0}.Rotate(obs[36])
	return append(dst, Marker{A: c.Sub(d), B: c.Add(d)}, Marker{A: c.Add(d), B: c.Add(d), Radius: 0.02})
}

// Focus implements Drawer: the torso's centre.
func (*Quadruped) Focus(obs []float64) sim.Vec2 { return sim.Vec2{X: obs[35], Y: obs[0]} }

// Scripted implements Scripter: a stand-and-tilt posture controller.
func (t *Quadruped) Scripted(e *Env) (control.Controller, error) {
	return &quadPosture{t: t}, nil
}

// quadPosture commands a torso pose (pitch, height, x) over the feet where
// they stand, solving each leg's inverse kinematics with the foot link kept
// vertical: raising the torso's front lengthens the front legs and shortens
// the back ones. The commanded pitch integrates the measured pitch error,
// which takes up the servos' sag under load.
type quadPosture struct {
	t    *Quadruped
	bias float64 // rad: integral of the pitch error
}

// Posture controller gains.
const (
	quadKi      = 0.3  // per step: integral gain on the pitch error
	quadBiasMax = 0.2  // rad: integral clamp
	quadKx      = 0.5  // drift correction: fraction of x removed per step
	quadSag     = 0.03 // m: height dropped at |θ| = 30°
)

func (c *quadPosture) Reset(*rand.Rand) { c.bias = 0 }

func (c *quadPosture) Act(obs, act []float64) {
	t := c.t
	x := obs[35]
	th := math.Atan2(obs[2], obs[1])
	target := obs[36]
	c.bias = math.Max(-quadBiasMax, math.Min(quadBiasMax, c.bias-quadKi*obs[37]))
	cmd := target + c.bias
	// Desired torso pose: centre over x·(1−Kx), lowered as it tilts so both
	// ends stay within the legs' reach.
	want := sim.Vec2{X: x * (1 - quadKx), Y: quadStandHeight(t) - quadSag*math.Abs(cmd)/quadGoalMax}
	for k, leg := range t.legs {
		q := obs[6+3*k : 9+3*k]
		foot := leg.foot(q)
		// Measured foot x in the world; it stays on the ground.
		fx := x + foot.Rotate(th).X
		ankle := sim.Vec2{X: fx, Y: t.footR + leg.lengths[2]}
		sol := leg.solve(ankle.Sub(want).Rotate(-cmd), -math.Pi/2-cmd)
		for i := range 3 {
			act[3*k+i] = t.acts[3*k+i].TargetToAction(sol[i])
		}
	}
}

// quadStandHeight is the torso centre's height at rest: hip above the
// ankle, the foot link's length and the foot's radius above the ground.
func quadStandHeight(t *Quadruped) float64 {
	l := t.legs[0]
	p := l.hip
	for i := range 3 {
		p = p.Add(sim.Vec2{X: l.lengths[i]}.Rotate(l.restAngles[i]))
	}
	return t.footR - p.Y
}

// foot returns the foot centre in the torso frame for joint angles q.
func (l quadLeg) foot(q []float64) sim.Vec2 {
	p, a := l.hip, 0.0
	for i := range 3 {
		a += q[i]
		p = p.Add(sim.Vec2{X: l.lengths[i]}.Rotate(l.restAngles[i] + a))
	}
	return p
}

// solve returns the joint angles that put the ankle at ankle (torso frame)
// with the foot link pointing at angle footDir (torso frame), keeping the
// knee bent the way it is at rest.
func (l quadLeg) solve(ankle sim.Vec2, footDir float64) [3]float64 {
	l1, l2 := l.lengths[0], l.lengths[1]
	d := ankle.Sub(l.hip)
	r := math.Max(math.Abs(l1-l2)+1e-3, math.Min(l1+l2-1e-3, d.Norm()))
	cosBend := (r*r - l1*l1 - l2*l2) / (2 * l1 * l2)
	bend := math.Acos(math.Max(-1, math.Min(1, cosBend)))
	restBend := math.Remainder(l.restAngles[1]-l.restAngles[0], 2*math.Pi)
	if restBend < 0 {
		bend = -bend
	}
	a1 := math.Atan2(d.Y, d.X) - math.Atan2(l2*math.Sin(bend), l1+l2*math.Cos(bend))
	a2 := a1 + bend
	return [3]float64{
		math.Remainder(a1-l.restAngles[0], 2*math.Pi),
		math.Remainder(bend-restBend, 2*math.Pi),
		math.Remainder(footDir-a2-(l.restAngles[2]-l.restAngles[1]), 2*math.Pi),
	}
}

package tasks

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/control"
	"sandbox/robots"
	"sandbox/sim"
)

func init() { Register("reacher", func() Task { return &Reacher{} }) }

// Reacher is a planar 7-link arm (0.2 m links, 1.4 m reach) seen from
// above, without gravity, that must put its fingertip on a goal drawn
// uniformly from the annulus 0.4–1.3 m around its base (the 7-DOF reacher
// of Rajeswaran et al. 2020, made planar).
//
// Start: base joint U(−π, π), the others U(−0.5, 0.5) rad, at rest.
// Episode: 50 steps of 0.1 s. Actions: absolute joint targets in each
// joint's range (base ±180°, others ±150°), moving at most π rad/s.
//
// Observation (34):
//
//	[0:7]   cos q            joint angles, rad
//	[7:14]  sin q
//	[14:21] q̇                joint speeds, rad/s
//	[21:23] tip              fingertip xy, m
//	[23:25] goal             goal xy, m
//	[25:27] tip − goal       m
//	[27:34] last action
//
// Reward: −d − 0.05·mean((a − a_prev)²) + 1[d < 0.05], d = ‖tip − goal‖ (m).
// Success: d < 0.05 m.
type Reacher struct {
	tip    robots.Site
	acts   []robots.Actuator
	chain  control.PlanarChain
	joints []*sim.Joint
}

// Reacher observation slices and constants.
const (
	reacherJoints  = 7
	reacherRadius  = 0.05 // m: success radius
	reacherGoalMin = 0.4  // m
	reacherGoalMax = 1.3  // m
)

var reacherObs = Layout("cos_q", 7, "sin_q", 7, "qdot", 7, "tip=", 2, "goal*", 2, "tip_minus_goal=", 2, "last_action!", 7)

// Spec implements Task.
func (*Reacher) Spec() Spec {
	return Spec{ID: "reacher", Robot: "reacher", Obs: reacherObs, ActionDim: reacherJoints, Steps: 50, ControlDt: 0.1,
		Doc:    "7-link planar arm: fingertip to a random goal (success < 5 cm)",
		Oracle: reacherOracle, Learner: "pets"}
}

// reacherOracle plans 0.8 s ahead. Actions are absolute joint targets over
// ranges of up to 360°, so PETS's initial spread (0.5) throws the tip about
// by decimetres every step and the arm never settles inside 5 cm: a small
// spread of low-frequency (iCEM β = 2) noise around the warm-started plan,
// executing the elite mean, holds it there. 32 plans and 3 iterations (96
// rollouts a step, 0.15 s of CPU) keep its success (19/20 on `sandbox eval
// --seed 11`) at 2.7 times less work than 64 and 4, so that the viewer
// shows it in real time; a 6-step horizon does not (14/20).
var reacherOracle = OracleSpec{Horizon: 8, CEM: control.CEM{Population: 32, Elites: 6, Iterations: 3,
	InitStd: 0.1, Beta: 2, ReturnMean: true}}

// Setup implements Task.
func (t *Reacher) Setup(r *robots.Robot) error {
	var err error
	if t.tip, err = r.Site("tip"); err != nil {
		return err
	}
	t.acts = r.Actuators()
	if len(t.acts) != reacherJoints {
		return fmt.Errorf("reacher needs %d actuators, model has %d", reacherJoints, len(t.acts))
	}
	// Link lengths from the model at rest: pivot to pivot, then to the tip.
	for i, a := range t.acts {
		t.joints = append(t.joints, a.Joint)
		end := t.tip.Pos()
		if i+1 < len(t.acts) {
			end = t.acts[i+1].Joint.Anchor()
		}
		t.chain.Lengths = append(t.chain.Lengths, end.Sub(a.Joint.Anchor()).Norm())
		t.chain.Lower = append(t.chain.Lower, a.Lower)
		t.chain.Upper = append(t.chain.Upper, a.Upper)
	}
	return nil
}

// Reset implements Task.
func (t *Reacher) Reset(r *robots.Robot, rng *rand.Rand) (sim.State, []float64) {
	q := map[string]float64{}
	for i, j := range t.joints {
		if i == 0 {
			q[j.Name()] = math.Pi * (2*rng.Float64() - 1)
		} else {
			q[j.Name()] = 0.5 * (2*rng.Float64() - 1)
		}
	}
	// Uniform in the annulus: radius ∝ √U between the bounds.
	lo, hi := reacherGoalMin*reacherGoalMin, reacherGoalMax*reacherGoalMax
	rad := math.Sqrt(lo + (hi-lo)*rng.Float64())
	th := math.Pi * (2*rng.Float64() - 1)
	return r.Pose(q), []float64{rad * math.Cos(th), rad * math.Sin(th)}
}

// Observe implements Task.
func (t *Reacher) Observe(r *robots.Robot, goal, last, obs []float64) {
	for i, j := range t.joints {
		s, c := math.Sincos(j.Angle())
		obs[i], obs[7+i], obs[14+i] = c, s, j.Speed()
	}
	tip := t.tip.Pos()
	obs[21], obs[22] = tip.X, tip.Y
	obs[23], obs[24] = goal[0], goal[1]
	obs[25], obs[26] = tip.X-goal[0], tip.Y-goal[1]
	copy(obs[27:34], last)
}

// Derive implements Deriver: the fingertip from the joint angles (forward
// kinematics of the chain measured at Setup), and tip − goal.
func (t *Reacher) Derive(obs []float64) {
	var q [reacherJoints]float64
	for i := range q {
		q[i] = math.Atan2(obs[7+i], obs[i])
	}
	x, y := t.chain.Tip(q[:])
	obs[21], obs[22] = x, y
	obs[25], obs[26] = x-obs[23], y-obs[24]
}

// Reward implements Task.
func (t *Reacher) Reward(obs, act, next []float64, terms map[string]float64) float64 {
	d := math.Hypot(next[25], next[26])
	smooth := 0.0
	for i := range reacherJoints {
		da := next[27+i] - obs[27+i]
		smooth += da * da
	}
	smooth = 0.05 * smooth / reacherJoints
	bonus := 0.0
	if d < reacherRadius {
		bonus = 1
	}
	if terms != nil {
		terms["distance"], terms["smoothness"], terms["bonus"] = -d, -smooth, bonus
	}
	return -d - smooth + bonus
}

// Success implements Task.
func (t *Reacher) Success(obs []float64) bool { return math.Hypot(obs[25], obs[26]) < reacherRadius }

// Failure implements Task: the reacher cannot fail.
func (t *Reacher) Failure(obs []float64) string { return "" }

// Scripted implements Scripter: inverse kinematics to the goal.
func (t *Reacher) Scripted(e *Env) (control.Controller, error) {
	return &reacherIK{t: t}, nil
}

// reacherIK solves inverse kinematics each step, starting from its own
// previous solution (from the measured angles on the first step): starting
// from the lagging measured angles makes it hop between arm configurations.
type reacherIK struct {
	t     *Reacher
	q, s  []float64
	fresh bool
}

func (c *reacherIK) Reset(*rand.Rand) { c.fresh = true }

func (c *reacherIK) Act(obs, act []float64) {
	if c.q == nil {
		c.q, c.s = make([]float64, reacherJoints), make([]float64, reacherJoints)
	}
	if c.fresh {
		for i := range reacherJoints {
			c.s[i] = math.Atan2(obs[7+i], obs[i])
		}
		c.fresh = false
	}
	copy(c.q, c.s)
	// 1 mm: far below the 5 cm success radius, above what DLS reaches
	// from a good start.
	if err := c.t.chain.Solve(c.q, obs[23], obs[24], c.s); err > 1e-3 {
		c.t.chain.Curl(obs[23], obs[24], c.q)
		alt := make([]float64, reacherJoints)
		if c.t.chain.Solve(c.q, obs[23], obs[24], alt) < err {
			copy(c.s, alt)
		}
	}
	for i, a := range c.t.acts {
		act[i] = a.TargetToAction(c.s[i])
	}
}

// GoalMarkers implements Drawer: the success disc around the goal.
func (*Reacher) GoalMarkers(obs []float64, dst []Marker) []Marker {
	g := sim.Vec2{X: obs[23], Y: obs[24]}
	return append(dst, Marker{A: g, B: g, Radius: reacherRadius})
}

// Focus implements Drawer: the fingertip.
func (*Reacher) Focus(obs []float64) sim.Vec2 { return sim.Vec2{X: obs[21], Y: obs[22]} }

// Package pendulum is a worked example of a task added from outside the
// tasks package, through the public API only: a torque-limited pendulum
// swing-up with its own robot model file (pendulum.json, embedded). It is
// the running example of docs/adding-a-task.md.
//
// Importing the package registers the task "pendulum":
//
//	import _ "sandbox/examples/pendulum"
package pendulum

import (
	_ "embed"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"sandbox/control"
	"sandbox/robots"
	"sandbox/sim"
	"sandbox/tasks"
)

func init() { tasks.Register("pendulum", func() tasks.Task { return &Pendulum{} }) }

//go:embed pendulum.json
var modelFile []byte

// model parses the embedded model file once; every Env of the task builds
// its own world from it.
var model = sync.OnceValues(func() (*robots.Model, error) {
	return robots.Parse("examples/pendulum/pendulum.json", modelFile)
})

// Pendulum is a pole on a pin under gravity, seen from the side, driven by
// one position servo too weak to lift it: the servo's 1.9 N·m is 0.58 of
// the 3.26 N·m that gravity exerts on the horizontal pole (m·g·l of the rod
// and the bob). Pushing one way from rest it swings to about 77° (where the
// servo's work τ·θ equals the gain m·g·l·(1 − cos θ) in potential energy;
// above 2/π·m·g·l it would go over the top), so it must pump energy into
// the swing, then catch the pole and hold it near upright.
//
// Angles are measured from hanging down, counter-clockwise positive. Start:
// at rest at U(−0.3, 0.3) rad. Goal: a target angle π + U(−30°, 30°) (in
// either turning direction: the error is wrapped), where holding the pole
// takes at most half of m·g·l (0.86 of the servo's torque). Episode: 60 steps of 0.1 s. Action: the
// servo's target angle, −1…1 over the joint range −360°…360°, moving at
// most 25 rad/s.
//
// Observation (7):
//
//	[0] cos q         q: joint angle, rad
//	[1] sin q
//	[2] q̇             rad/s
//	[3] q             unwrapped, rad (actions are absolute targets on it)
//	[4] goal          target angle, rad
//	[5] error         q − goal wrapped to [−π, π), rad
//	[6] last action
//
// Reward: −|error| + 1[|error| < 0.1] − (a − a_prev)². Success:
// |error| < 0.1 rad at the last step. The pendulum cannot fail.
type Pendulum struct {
	hinge  *sim.Joint
	pivot  sim.Vec2 // m
	length float64  // m, pivot to tip
}

// Observation layout and constants.
const (
	tolerance  = 0.1                // rad: success when |error| is below
	goalSpread = 30 * math.Pi / 180 // rad: goal = π ± goalSpread
	startNoise = 0.3                // rad
	// smoothWeight scales the cost (a − a_prev)² of changing the action.
	// Without it (or at 0.05, as in the reacher) the oracle holds the
	// pole with bang-bang targets and wobbles out of tolerance: 3–6 of 10
	// episodes succeeded, 9 of 10 with weight 1.
	smoothWeight = 1.0
)

var layout = tasks.Layout("cos_q", 1, "sin_q", 1, "qdot", 1, "q", 1, "goal*", 1, "error", 1, "last_action!", 1)

// Indices into the observation.
const (
	iCos = iota
	iSin
	iQdot
	iQ
	iGoal
	iErr
	iLast
)

// Spec implements tasks.Task.
func (*Pendulum) Spec() tasks.Spec {
	return tasks.Spec{
		ID: "pendulum", Robot: "pendulum (examples/pendulum)", Obs: layout, ActionDim: 1, Steps: 60, ControlDt: 0.1,
		Doc:    "torque-limited pendulum: swing up to a random angle near upright (success < 0.1 rad)",
		Oracle: tasks.OracleSpec{Horizon: 15, CEM: control.CEM{Population: 64, Elites: 8, Iterations: 5, InitStd: 0.3, Beta: 2}},
	}
}

// RobotModel implements tasks.ModelProvider: the embedded pendulum.json.
func (*Pendulum) RobotModel() (*robots.Model, error) { return model() }

// Setup implements tasks.Task.
func (t *Pendulum) Setup(r *robots.Robot) error {
	if r.ActionDim() != 1 {
		return fmt.Errorf("pendulum needs 1 actuator, model has %d", r.ActionDim())
	}
	tip, err := r.Site("tip")
	if err != nil {
		return err
	}
	t.hinge = r.Actuators()[0].Joint
	t.pivot = t.hinge.Anchor()
	t.length = tip.Pos().Sub(t.pivot).Norm()
	return nil
}

// Reset implements tasks.Task.
func (t *Pendulum) Reset(r *robots.Robot, rng *rand.Rand) (sim.State, []float64) {
	q := startNoise * (2*rng.Float64() - 1)
	goal := math.Pi + goalSpread*(2*rng.Float64()-1)
	return r.Pose(map[string]float64{t.hinge.Name(): q}), []float64{goal}
}

// GoalPose implements tasks.GoalPoser: the pole at rest at the goal angle,
// the servo holding it there (for the conformance suite's checks near
// success).
func (t *Pendulum) GoalPose(r *robots.Robot, goal []float64) sim.State {
	return r.Pose(map[string]float64{t.hinge.Name(): goal[0]})
}

// Observe implements tasks.Task.
func (t *Pendulum) Observe(r *robots.Robot, goal, last, obs []float64) {
	q := t.hinge.Angle()
	s, c := math.Sincos(q)
	obs[iCos], obs[iSin], obs[iQdot], obs[iQ] = c, s, t.hinge.Speed(), q
	obs[iGoal], obs[iErr] = goal[0], wrap(q-goal[0])
	obs[iLast] = last[0]
}

// wrap returns x wrapped to [−π, π).
func wrap(x float64) float64 {
	x = math.Mod(x+math.Pi, 2*math.Pi)
	if x < 0 {
		x += 2 * math.Pi
	}
	return x - math.Pi
}

// Reward implements tasks.Task.
func (*Pendulum) Reward(obs, act, next []float64, terms map[string]float64) float64 {
	e := math.Abs(next[iErr])
	bonus := 0.0
	if e < tolerance {
		bonus = 1
	}
	da := next[iLast] - obs[iLast]
	smooth := smoothWeight * da * da
	if terms != nil {
		terms["angle"], terms["bonus"], terms["smoothness"] = -e, bonus, -smooth
	}
	return -e + bonus - smooth
}

// Success implements tasks.Task.
func (*Pendulum) Success(obs []float64) bool { return math.Abs(obs[iErr]) < tolerance }

// Failure implements tasks.Task: the pendulum cannot fail.
func (*Pendulum) Failure(obs []float64) string { return "" }

// GoalMarkers implements tasks.Drawer: a ghost of the pole at the target
// angle and the tolerance disc around its tip.
func (t *Pendulum) GoalMarkers(obs []float64, dst []tasks.Marker) []tasks.Marker {
	tip := t.point(obs[iGoal])
	return append(dst,
		tasks.Marker{A: t.pivot, B: tip},
		tasks.Marker{A: tip, B: tip, Radius: tolerance * t.length})
}

// Focus implements tasks.Drawer: the tip of the pole.
func (t *Pendulum) Focus(obs []float64) sim.Vec2 { return t.point(math.Atan2(obs[iSin], obs[iCos])) }

// point returns where the tip is when the pole is at angle q from hanging
// down.
func (t *Pendulum) point(q float64) sim.Vec2 {
	s, c := math.Sincos(q)
	return t.pivot.Add(sim.Vec2{X: t.length * s, Y: -t.length * c})
}

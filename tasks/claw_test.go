package tasks_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/sim"
	"sandbox/tasks"
)

// The claw shows its goal in the viewer.
var _ tasks.Drawer = &tasks.Claw{}

// clawAt returns a claw-turn Env with every finger at (j1, j2, j3) (rad,
// targets there too), the valve at angle theta (rad) and the target at
// target (rad).
func clawAt(t *testing.T, finger [3]float64, theta, target float64) *tasks.Env {
	t.Helper()
	env, err := tasks.Make("claw-turn")
	require.NoError(t, err)
	env.Reset(rand.New(rand.NewPCG(1, 1)))
	r := env.Robot()
	q := map[string]float64{"valve": theta}
	for i, a := range r.Actuators() {
		q[a.Joint.Name()] = finger[i%3]
	}
	s, c := math.Sincos(target)
	require.NoError(t, env.Restore(tasks.Snapshot{World: r.Pose(q), Goal: []float64{c, s}, Last: make([]float64, 9)}))
	return env
}

// clawHold drives every finger to (j1, j2, j3) for n control steps and
// returns the last observation.
func clawHold(t *testing.T, env *tasks.Env, finger [3]float64, n int) []float64 {
	t.Helper()
	act := make([]float64, 9)
	for i, a := range env.Robot().Actuators() {
		act[i] = a.TargetToAction(finger[i%3])
	}
	var obs []float64
	for range n {
		st, err := env.Step(act)
		require.NoError(t, err)
		obs = st.Obs
	}
	return obs
}

func clawAngle(obs []float64) float64 { return math.Atan2(obs[19], obs[18]) }

// clawRestPose is ROBEL's D'Claw reset pose, the task's start and nominal pose.
var clawRestPose = [3]float64{0, -math.Pi / 3, math.Pi / 3}

func TestClawValveStaysUntouched(t *testing.T) {
	for _, theta := range []float64{-1, 0, 0.5} {
		env := clawAt(t, clawRestPose, theta, math.Pi)
		obs := clawHold(t, env, clawRestPose, 30)
		// The fingers rest outside the spokes: nothing touches the valve.
		assert.InDelta(t, theta, clawAngle(obs), 1e-9, "valve at %g moved with the fingers at rest", theta)
	}

	// A spun valve stops by itself (pin friction), well within a second.
	env := clawAt(t, clawRestPose, 0, math.Pi)
	snap := env.Snapshot()
	snap.World.Bodies[1].AngularVelocity = 3 // rad/s; body 1 is the valve
	require.NoError(t, env.Restore(snap))
	obs := clawHold(t, env, clawRestPose, 10)
	// The friction motor holds the valve at zero speed up to solver
	// round-off.
	assert.InDelta(t, 0, obs[20], 1e-6, "valve still turning after 1 s")
	moved := clawAngle(obs)
	assert.Greater(t, moved, 0.01, "the spin turned the valve")
	assert.Less(t, moved, 0.5, "friction stops a 3 rad/s spin within half a radian")
}

// A hand-made stroke turns the valve: with the fingers bent, swing every
// base joint across its range. Each tip comes in from outside the spokes
// about 50° to one side of its finger's axis (finger 1's is at 90°), sweeps
// through the spokes to the other side and pushes a spoke on its way.
func TestClawStrokeTurnsValve(t *testing.T) {
	const deg = math.Pi / 180
	for _, tc := range []struct {
		name     string
		from, to [3]float64 // finger pose at the start and end of the sweep, rad
		theta    float64    // valve angle, rad
		sign     float64    // expected direction of the valve's turn
	}{
		// The tip enters at about axis+47° and leaves at axis−28°: a spoke
		// at axis+30° (120°) is pushed clockwise.
		{"clockwise", [3]float64{-0.48, -60 * deg, 60 * deg}, [3]float64{0.48, -60 * deg, 60 * deg}, 0, -1},
		// The tip enters at about axis−58° and leaves at axis+53°: a spoke
		// at axis−20° (70°) is pushed counter-clockwise.
		{"counter-clockwise", [3]float64{0.48, 0.3, 0.3}, [3]float64{-0.48, 0.3, 0.3}, -50 * deg, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := clawAt(t, tc.from, tc.theta, math.Pi)
			obs := clawHold(t, env, tc.from, 3)
			require.InDelta(t, tc.theta, clawAngle(obs), 1e-9, "the tips start outside the spokes")
			obs = clawHold(t, env, tc.to, 8)
			turned := math.Remainder(clawAngle(obs)-tc.theta, 2*math.Pi)
			// A stroke turns the valve by tens of degrees; 0.3 rad is
			// three times the success tolerance.
			assert.Greater(t, tc.sign*turned, 0.3, "stroke turned the valve by %g rad", turned)
			// Pin friction holds the valve once the stroke is over.
			held := clawHold(t, env, tc.to, 5)
			assert.InDelta(t, clawAngle(obs), clawAngle(held), 0.01, "valve drifted after the stroke")
		})
	}
}

func TestClawGoalDistribution(t *testing.T) {
	env, err := tasks.Make("claw-turn")
	require.NoError(t, err)
	var minStart, maxStart, minGoal, maxGoal = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for s := range uint64(400) {
		obs := env.Reset(rand.New(rand.NewPCG(s, 77)))
		th := clawAngle(obs)
		goal := math.Atan2(obs[22], obs[21])
		if goal < 0 {
			goal += 2 * math.Pi
		}
		minStart, maxStart = min(minStart, th), max(maxStart, th)
		minGoal, maxGoal = min(minGoal, goal), max(maxGoal, goal)
		// The error is the target minus the valve angle, wrapped.
		e := math.Remainder(goal-th, 2*math.Pi)
		require.InDelta(t, e, obs[23], 1e-9, "seed %d: err", s)
		require.Equal(t, 0.0, obs[20], "the valve starts at rest")
	}
	// 400 uniform draws cover all but a few degrees of each ±60° interval.
	const slack = 0.05 // rad
	third := math.Pi / 3
	assert.InDelta(t, -third, minStart, slack)
	assert.InDelta(t, third, maxStart, slack)
	assert.GreaterOrEqual(t, minStart, -third)
	assert.LessOrEqual(t, maxStart, third)
	assert.InDelta(t, math.Pi-third, minGoal, slack)
	assert.InDelta(t, math.Pi+third, maxGoal, slack)
}

// clawObs returns an observation with the fingers at the nominal pose, at
// rest, the valve at theta and the target at target (rad).
func clawObs(theta, target float64) []float64 {
	obs := make([]float64, 33)
	for i := range 9 {
		obs[i] = clawRestPose[i%3]
	}
	obs[18], obs[19] = math.Cos(theta), math.Sin(theta)
	obs[21], obs[22] = math.Cos(target), math.Sin(target)
	obs[23] = math.Remainder(target-theta, 2*math.Pi)
	return obs
}

func TestClawRewardAndSuccess(t *testing.T) {
	task := &tasks.Claw{}
	fast := clawObs(3, 3)
	fast[9], fast[10] = 0.4, -3 // 0.4 rad/s is below the 0.5 rad/s floor
	bent := clawObs(3, 3)
	bent[0], bent[4] = 0.3, -math.Pi/3+0.4 // f1 j1 and f2 j2 off clawRestPose
	for _, tc := range []struct {
		name    string
		obs     []float64
		reward  float64
		success bool
	}{
		{"on target", clawObs(3, 3), 60, true},
		{"inside 0.1 rad", clawObs(3, 3.09), -5*0.09 + 60, true},
		{"inside 0.25 rad", clawObs(3, 3.2), -5*0.2 + 10, false},
		{"far", clawObs(0, 2), -10, false},
		{"error wraps around ±π", clawObs(3.1, -3.1), -5*(2*math.Pi-6.2) + 60, true},
		{"joint speed above the floor", fast, 60 - 3, true},
		{"pose cost", bent, 60 - 0.5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := map[string]float64{}
			got := task.Reward(tc.obs, make([]float64, 9), tc.obs, terms)
			// Sums of a few float64 terms: 1e-9 is far above rounding.
			assert.InDelta(t, tc.reward, got, 1e-9, "Reward(%s)", tc.name)
			sum := 0.0
			for _, v := range terms {
				sum += v
			}
			assert.InDelta(t, got, sum, 1e-9, "terms add up to the reward")
			assert.Equal(t, tc.success, task.Success(tc.obs), "Success(%s)", tc.name)
			assert.Empty(t, task.Failure(tc.obs), "the claw cannot fail")
		})
	}
}

func TestClawObservationsSurviveExtremeStates(t *testing.T) {
	task := &tasks.Claw{}
	obs := clawObs(1e300, -1e300)
	obs[23] = math.Inf(1)
	r := task.Reward(obs, make([]float64, 9), obs, nil)
	assert.False(t, math.IsNaN(r), "reward of an extreme observation")
	assert.False(t, task.Success(obs))
}

func TestClawMarkers(t *testing.T) {
	task := &tasks.Claw{}
	obs := clawObs(0, math.Pi/2)
	m := task.GoalMarkers(obs, nil)
	require.Len(t, m, 2)
	assert.InDelta(t, 0, m[0].B.X, 1e-12)
	assert.InDelta(t, 0.12, m[0].B.Y, 1e-12, "the ghost spoke points at the target")
	assert.Equal(t, sim.Vec2{}, m[0].A, "the ghost spoke starts at the pin")
	assert.Positive(t, m[1].Radius)
	f := task.Focus(obs)
	assert.InDelta(t, 0.12, f.X, 1e-12, "focus on the marked spoke's tip")
	assert.InDelta(t, 0, f.Y, 1e-12)
}

// A claw-turn episode: 9 finger joints to command, and an observation that
// carries the valve's wrapped error to the target.
func ExampleClaw() {
	env, err := tasks.Make("claw-turn")
	if err != nil {
		panic(err)
	}
	spec := env.Spec()
	obs := env.Reset(rand.New(rand.NewPCG(1, 2)))
	e, _ := spec.Field("err")
	fmt.Println(spec.ObsDim(), "observations,", spec.ActionDim, "actions,", spec.Steps, "steps")
	fmt.Printf("turn the valve by %.2f rad\n", obs[e.Start])
	// Output:
	// 33 observations, 9 actions, 40 steps
	// turn the valve by 2.69 rad
}

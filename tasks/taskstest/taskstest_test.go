package taskstest_test

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/robots"
	"sandbox/sim"
	"sandbox/tasks"
	"sandbox/tasks/taskstest"
)

// arm is a task with a mistake a new task's author makes: a one-link arm
// that must turn to a goal angle, broken as bug says.
type arm struct {
	id, bug string
	hinge   *sim.Joint
}

const armModel = `{"name": "arm", "bodies": [
  {"name": "base", "type": "static", "shapes": [{"circle": {"radius": 0.05}}]},
  {"name": "link", "parent": "base", "shapes": [{"box": {"half": [0.1, 0.02], "center": [0.1, 0]}}],
   "joint": {"name": "hinge", "range_deg": [-90, 90], "actuator": {"kp": 10, "max_speed": 5, "max_torque": 5}}},
  {"name": "puck", "pos": [0.5, 0], "shapes": [{"circle": {"radius": 0.05}}]}]}`

func (t *arm) Spec() tasks.Spec {
	return tasks.Spec{ID: t.id, Robot: "arm", Obs: tasks.Layout("q", 1, "goal*", 1, "error", 1, "last!", 1),
		ActionDim: 1, Steps: 20, Doc: "a one-link arm with a mistake: " + t.bug}
}

func (t *arm) RobotModel() (*robots.Model, error) { return robots.Parse("arm.json", []byte(armModel)) }

func (t *arm) Setup(r *robots.Robot) error {
	var err error
	t.hinge, err = r.Joint("hinge")
	return err
}

func (t *arm) Reset(r *robots.Robot, rng *rand.Rand) (sim.State, []float64) {
	if t.bug == "reset" {
		return sim.State{}, []float64{0} // forgot the world state
	}
	return r.Pose(nil), []float64{rng.Float64() - 0.5}
}

func (t *arm) GoalPose(r *robots.Robot, goal []float64) sim.State {
	return r.Pose(map[string]float64{"hinge": goal[0]})
}

func (t *arm) Observe(r *robots.Robot, goal, last, obs []float64) {
	q := t.hinge.Angle()
	e := q - goal[0]
	obs[0], obs[1], obs[2] = q, goal[0], e
	switch t.bug {
	case "long": // a fifth value the layout does not declare
		obs[3], obs[4] = last[0], math.Abs(e)
	case "short": // the last action is declared but not written
	case "nan-obs": // a direction that is 0/0 at the goal
		obs[2] = e / math.Abs(e) * math.Abs(e)
		obs[3] = last[0]
	default:
		obs[3] = last[0]
	}
}

func (t *arm) Reward(obs, act, next []float64, terms map[string]float64) float64 {
	e := math.Abs(next[2])
	shaped := -e
	if t.bug == "nan-reward" && e < 0.1 { // a log barrier that only bites near success
		shaped = math.Log(e-0.1) * 0
	}
	if terms != nil {
		terms["angle"] = shaped
	}
	return shaped
}

func (t *arm) Success(obs []float64) bool   { return math.Abs(obs[2]) < 0.1 }
func (t *arm) Failure(obs []float64) string { return "" }

var bugs = []string{"long", "short", "reset", "nan-obs", "nan-reward"}

func init() {
	for _, bug := range append(bugs, "none") {
		tasks.Register("arm-"+bug, func() tasks.Task { return &arm{id: "arm-" + bug, bug: bug} })
	}
}

// TestCorrectArmConforms checks the fixture itself: without a bug it
// passes the suite.
func TestCorrectArmConforms(t *testing.T) { taskstest.Run(t, "arm-none") }

// TestMistakesAreOneLineErrors checks the Env's message for each mistake,
// found by tasks.Make (which resets once) or by the first step near the
// goal.
func TestMistakesAreOneLineErrors(t *testing.T) {
	for _, tc := range []struct{ bug, want string }{
		{"long", `tasks: task "arm-long": Observe at Reset goes past the declared observation layout of 4 values (index out of range [4] with length 4): make Spec.Obs match what Observe writes`},
		{"short", `tasks: task "arm-short": Observe at Reset wrote 3 of the 4 values of the declared observation layout (obs[3], in slice "last", is unwritten): make Spec.Obs match what Observe writes`},
		{"reset", `tasks: task "arm-reset": Reset returned an unusable start state (build it with Robot.Pose or World.State): sim: state has 0 bodies and 0 targets, world has 3 and 1`},
		{"nan-obs", `tasks: task "arm-nan-obs": Observe after Restore at step 0 wrote NaN to obs[2], in slice "error"`},
		{"nan-reward", `tasks: task "arm-nan-reward": Reward at step 1 returned NaN (terms angle = NaN)`},
	} {
		t.Run(tc.bug, func(t *testing.T) {
			err := nearGoal(t, "arm-"+tc.bug)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

// nearGoal makes the task's Env, puts it at the goal and takes a step.
func nearGoal(t *testing.T, id string) error {
	env, err := tasks.Make(id)
	if err != nil {
		return err
	}
	env.Reset(rand.New(rand.NewPCG(1, 2)))
	snap := env.Snapshot()
	snap.World = env.Task().(tasks.GoalPoser).GoalPose(env.Robot(), env.Goal())
	if err := env.Restore(snap); err != nil {
		return err
	}
	hold := []float64{env.Robot().Actuators()[0].TargetToAction(env.Goal()[0])}
	if _, err := env.Step(hold); err != nil {
		_, again := env.Step(hold)
		assert.Equal(t, err, again, "a task's mistake stays until the next Reset")
		return err
	}
	return nil
}

// TestSuiteFailsInFewLines runs the suite on each broken task in a child
// process and checks that the failure is reported in a few lines that
// carry the Env's message (a NaN reward used to print a line per step).
func TestSuiteFailsInFewLines(t *testing.T) {
	if id := os.Getenv("TASKSTEST_RUN"); id != "" {
		taskstest.Run(t, id)
		return
	}
	for _, bug := range bugs {
		t.Run(bug, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSuiteFailsInFewLines$")
			cmd.Env = append(os.Environ(), "TASKSTEST_RUN=arm-"+bug)
			out, err := cmd.CombinedOutput()
			require.Error(t, err, "the suite passed a task whose mistake is %s:\n%s", bug, out)
			text := string(out)
			assert.Contains(t, text, `tasks: task "arm-`+bug+`": `)
			// At most one message per failing subtest.
			assert.Less(t, strings.Count(text, "NaN"), 12, "%s", text)
			assert.Less(t, strings.Count(text, "\n"), 120, "%s", text)
		})
	}
}

// Package tasks defines robot tasks and the environment that runs them.
//
// A Task (dm_control's split) builds on a robot model: it samples an initial
// state and a goal, writes observations, and scores them. An Env owns the
// physics, the sub-steps and the time limit, with gymnasium's semantics:
// Terminated is the task's own end (a fall, a drop), Truncated is the time
// limit or a physics blow-up.
//
// Rewards and success read observations only: Reward(obs, act, next) and
// Success(obs) are pure functions of vectors that contain the goal, so the
// same code scores real steps, oracle look-ahead and learned-model
// predictions.
package tasks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"

	"sandbox/control"
	"sandbox/robots"
	"sandbox/sim"
)

// Slice names a contiguous part of an observation.
type Slice struct {
	Name       string
	Start, Len int
	// Goal marks parts that never change within an episode (the goal, the
	// target): a learned model can copy them instead of predicting them.
	Goal bool
	// Action marks the copy of the last action.
	Action bool
	// Derived marks parts the task computes from the others (a fingertip
	// from joint angles, see Deriver).
	Derived bool
}

// Spec describes a task's interface.
type Spec struct {
	ID    string // registry id, e.g. "reacher"
	Robot string // robot model name (assets/robots) or path
	// Obs lists the observation's named parts, in order, covering it.
	Obs       []Slice
	ActionDim int
	// Steps is the episode length in control steps.
	Steps int
	// ControlDt is the control period, s (default 0.1: 10 Hz).
	ControlDt float64
	// Doc is a one-line description for `sandbox tasks`.
	Doc string
	// Oracle is the planner setting of the task's oracle controller (MPC
	// over the true simulator); a zero Horizon selects the default.
	Oracle OracleSpec
	// Learner is the training algorithm recommended for the task: the one
	// whose shipped config (assets/configs/ALGO-TASK.json) was measured to
	// solve it, which `sandbox train` runs without --algo. Empty while no
	// learner solves the task.
	Learner string
}

// OracleSpec is a task's setting for the oracle controller: CEM over
// Horizon control steps (see control.CEM for the options' defaults).
type OracleSpec struct {
	Horizon int
	CEM     control.CEM
}

// ObsDim returns the observation length.
func (s Spec) ObsDim() int {
	if len(s.Obs) == 0 {
		return 0
	}
	last := s.Obs[len(s.Obs)-1]
	return last.Start + last.Len
}

// Field returns the named slice of the observation layout.
func (s Spec) Field(name string) (Slice, bool) {
	for _, f := range s.Obs {
		if f.Name == name {
			return f, true
		}
	}
	return Slice{}, false
}

// Layout builds consecutive Slices from names and lengths; a name ending in
// "*" is marked as Goal, one ending in "!" as Action and one ending in "="
// as Derived (the mark is stripped).
func Layout(parts ...any) []Slice {
	var out []Slice
	at := 0
	for i := 0; i+1 < len(parts); i += 2 {
		name, n := parts[i].(string), parts[i+1].(int)
		s := Slice{Name: name, Start: at, Len: n}
		if n, ok := strings.CutSuffix(name, "*"); ok {
			s.Name, s.Goal = n, true
		}
		if n, ok := strings.CutSuffix(name, "!"); ok {
			s.Name, s.Action = n, true
		}
		if n, ok := strings.CutSuffix(name, "="); ok {
			s.Name, s.Derived = n, true
		}
		out = append(out, s)
		at += n
	}
	return out
}

// Task is one robot task. A Task value serves one Env: Setup may keep
// handles into that Env's robot.
type Task interface {
	Spec() Spec
	// Setup is called once with the freshly built robot.
	Setup(r *robots.Robot) error
	// Reset samples an episode's initial state and goal from rng. The Env
	// keeps the goal and hands it back to Observe.
	Reset(r *robots.Robot, rng *rand.Rand) (sim.State, []float64)
	// Observe writes the observation of the current state into obs.
	Observe(r *robots.Robot, goal, lastAction, obs []float64)
	// Reward scores the step obs --act--> next. When terms is not nil it
	// receives the named reward terms.
	Reward(obs, act, next []float64, terms map[string]float64) float64
	// Success reports whether obs meets the task's goal.
	Success(obs []float64) bool
	// Failure returns why obs is a terminal failure (a fall, a drop), or ""
	// while the episode may go on.
	Failure(obs []float64) string
}

// Scripter is implemented by tasks that have a hand-written controller.
type Scripter interface {
	Scripted(e *Env) (control.Controller, error)
}

// GoalPoser is implemented by tasks that can put the robot where the task
// succeeds: GoalPose returns a world state (built with Robot.Pose, then
// free bodies placed; see docs/adding-a-task.md) in which Success holds on
// the observation for goal. The conformance suite (tasks/taskstest) steps
// from there, so that rewards and observations are checked near success
// too, where a distance that goes to zero often turns into a NaN.
type GoalPoser interface {
	GoalPose(r *robots.Robot, goal []float64) sim.State
}

// Deriver is implemented by tasks whose observation has Derived parts:
// values that are functions of the other parts, such as a fingertip
// position given by the joint angles through the arm's kinematics. Derive
// recomputes them in obs from the rest, so a learned model may predict the
// other parts only and leave the geometry to the task (PETS computes its
// reacher's end effector from predicted joint angles the same way).
type Deriver interface {
	Derive(obs []float64)
}

// ModelProvider is implemented by tasks that bring their own robot model,
// typically a model file embedded in the task's own package and parsed with
// robots.Parse, instead of one of the embedded assets. New then builds the
// robot from RobotModel and Spec.Robot only names it in listings. The model
// is shared by every Env of the task and must not be modified.
type ModelProvider interface {
	RobotModel() (*robots.Model, error)
}

var (
	regMu    sync.RWMutex
	registry = map[string]func() Task{}
)

// Register makes a task available under id. It panics if id is empty or
// taken: registration happens in init functions, where a duplicate is a
// programming error.
func Register(id string, factory func() Task) {
	regMu.Lock()
	defer regMu.Unlock()
	if id == "" || registry[id] != nil {
		panic(fmt.Sprintf("tasks: Register(%q): empty or duplicate id", id))
	}
	registry[id] = factory
}

// IDs returns the registered task ids, sorted.
func IDs() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	ids := make([]string, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ErrUnknownTask is wrapped by the error of Lookup and Make for an id that
// no task registered: a mistake of whoever typed it.
var ErrUnknownTask = errors.New("tasks: unknown task")

// ErrBrokenTask is wrapped by the error of Make for a registered task that
// does not build (a bad Spec, robot model or control period): a mistake in
// the task's code or files, not in a command line.
var ErrBrokenTask = errors.New("tasks: the task does not build")

// brokenTask marks an error of New as ErrBrokenTask, keeping its message.
type brokenTask struct{ err error }

func (e brokenTask) Error() string        { return e.err.Error() }
func (e brokenTask) Unwrap() error        { return e.err }
func (e brokenTask) Is(target error) bool { return target == ErrBrokenTask }

// Lookup returns the factory of a registered task.
func Lookup(id string) (func() Task, error) {
	regMu.RLock()
	f := registry[id]
	regMu.RUnlock()
	if f == nil {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownTask, id, strings.Join(IDs(), ", "))
	}
	return f, nil
}

// Make builds an Env for a registered task. An unknown id gives an error
// wrapping ErrUnknownTask; a task that does not build, one wrapping
// ErrBrokenTask.
func Make(id string) (*Env, error) {
	f, err := Lookup(id)
	if err != nil {
		return nil, err
	}
	env, err := New(f)
	if err != nil {
		return nil, brokenTask{err}
	}
	return env, nil
}

func validateSpec(s Spec) error {
	if s.ActionDim <= 0 || s.Steps <= 0 || s.ControlDt < 0 {
		return fmt.Errorf("tasks: task %q: action dim %d, steps %d, control dt %g must be positive", s.ID, s.ActionDim, s.Steps, s.ControlDt)
	}
	at := 0
	for _, f := range s.Obs {
		if f.Start != at || f.Len <= 0 {
			return fmt.Errorf("tasks: task %q: observation slice %q at %d+%d is not contiguous", s.ID, f.Name, f.Start, f.Len)
		}
		at += f.Len
	}
	if at == 0 {
		return fmt.Errorf("tasks: task %q has an empty observation", s.ID)
	}
	names := make([]string, len(s.Obs))
	for i, f := range s.Obs {
		names[i] = f.Name
	}
	slices.Sort(names)
	if len(slices.Compact(names)) != len(s.Obs) {
		return fmt.Errorf("tasks: task %q: duplicate observation slice names", s.ID)
	}
	return nil
}

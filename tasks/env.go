package tasks

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/robots"
	"sandbox/sim"
)

// Info carries what a step reports besides the observation and reward.
type Info struct {
	// Success is Task.Success of the new observation.
	Success bool
	// Reason says why the episode ended: "time limit", "diverged: ...", or
	// the task's failure ("fell", "dropped the pen"); empty while it runs.
	Reason string
	// Terms are the named reward terms.
	Terms map[string]float64
}

// Step is the outcome of Env.Step.
type Step struct {
	Obs        []float64
	Reward     float64
	Terminated bool // the task's own end: a fall, a drop
	Truncated  bool // the time limit or a physics blow-up
	Info       Info
}

// Env runs a Task on its robot with gymnasium semantics. It is not safe for
// concurrent use; Clone gives independent copies.
type Env struct {
	factory  func() Task
	task     Task
	spec     Spec
	robot    *robots.Robot
	substeps int

	goal, last, obs []float64
	step            int
	done            bool
}

// New builds an Env for the task the factory returns.
func New(factory func() Task) (*Env, error) {
	task := factory()
	spec := task.Spec()
	if spec.ControlDt == 0 {
		spec.ControlDt = 0.1
	}
	if err := validateSpec(spec); err != nil {
		return nil, err
	}
	var model *robots.Model
	var err error
	if mp, ok := task.(ModelProvider); ok {
		model, err = mp.RobotModel()
	} else {
		model, err = robots.Load(spec.Robot)
	}
	if err != nil {
		return nil, fmt.Errorf("tasks: task %q: %w", spec.ID, err)
	}
	robot, err := model.Build()
	if err != nil {
		return nil, fmt.Errorf("tasks: task %q: %w", spec.ID, err)
	}
	if robot.ActionDim() != spec.ActionDim {
		return nil, fmt.Errorf("tasks: task %q declares %d actions, robot %q has %d actuators", spec.ID, spec.ActionDim, model.Name, robot.ActionDim())
	}
	dt := robot.World.Dt()
	sub := int(math.Round(spec.ControlDt / dt))
	if sub < 1 || math.Abs(float64(sub)*dt-spec.ControlDt) > 1e-9 {
		return nil, fmt.Errorf("tasks: task %q: control period %g s is not a multiple of the physics step %g s", spec.ID, spec.ControlDt, dt)
	}
	if err := task.Setup(robot); err != nil {
		return nil, fmt.Errorf("tasks: task %q: %w", spec.ID, err)
	}
	e := &Env{factory: factory, task: task, spec: spec, robot: robot, substeps: sub,
		last: make([]float64, spec.ActionDim), done: true}
	return e, nil
}

// Clone returns an independent Env of the same task in the same state.
func (e *Env) Clone() (*Env, error) {
	c, err := New(e.factory)
	if err != nil {
		return nil, err
	}
	if e.goal != nil {
		if err := c.Restore(e.Snapshot()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Spec returns the task's spec (with defaults filled in).
func (e *Env) Spec() Spec { return e.spec }

// Task returns the task.
func (e *Env) Task() Task { return e.task }

// Robot returns the robot (for drawing and for scripted controllers).
func (e *Env) Robot() *robots.Robot { return e.robot }

// StepCount returns the number of control steps since Reset.
func (e *Env) StepCount() int { return e.step }

// Goal returns the current episode's goal vector. Do not modify it.
func (e *Env) Goal() []float64 { return e.goal }

// Obs returns a copy of the current observation.
func (e *Env) Obs() []float64 { return append([]float64(nil), e.obs...) }

// Reset starts an episode with an initial state and goal drawn from rng and
// returns the first observation.
func (e *Env) Reset(rng *rand.Rand) []float64 {
	state, goal := e.task.Reset(e.robot, rng)
	if err := e.robot.World.SetState(state); err != nil {
		// A task that returns a state of the wrong shape is a programming
		// error in the task, caught by the conformance suite.
		panic(fmt.Sprintf("tasks: task %q: Reset returned a bad state: %v", e.spec.ID, err))
	}
	e.goal = append(e.goal[:0], goal...)
	clear(e.last)
	for i, a := range e.robot.Actuators() {
		e.last[i] = a.TargetToAction(a.Joint.Target())
	}
	e.step, e.done = 0, false
	e.obs = e.observe()
	return e.Obs()
}

func (e *Env) observe() []float64 {
	obs := make([]float64, e.spec.ObsDim())
	e.task.Observe(e.robot, e.goal, e.last, obs)
	return obs
}

// ErrEpisodeOver is returned by Step after the episode has ended (or before
// the first Reset).
var ErrEpisodeOver = errors.New("tasks: episode is over: call Reset")

// Step applies an action in [−1, 1]^n for one control period. Actions of
// the wrong length or with non-finite components are rejected with an error
// and change nothing; components outside [−1, 1] are clipped.
func (e *Env) Step(act []float64) (Step, error) {
	if e.done {
		return Step{}, ErrEpisodeOver
	}
	if err := e.checkAction(act); err != nil {
		return Step{}, err
	}
	prev := e.obs
	next, err := e.advance(act)
	e.step++
	terms := map[string]float64{}
	if err != nil {
		// Keep the last finite observation: a blow-up must not leak NaNs.
		e.done = true
		return Step{Obs: e.Obs(), Truncated: true, Info: Info{Reason: "diverged: " + err.Error(), Terms: terms}}, nil
	}
	e.obs = next
	st := Step{Obs: e.Obs(), Reward: e.task.Reward(prev, act, next, terms)}
	st.Info = Info{Success: e.task.Success(next), Terms: terms}
	if why := e.task.Failure(next); why != "" {
		st.Terminated, st.Info.Reason = true, why
	} else if e.step >= e.spec.Steps {
		st.Truncated, st.Info.Reason = true, "time limit"
	}
	e.done = st.Terminated || st.Truncated
	return st, nil
}

func (e *Env) checkAction(act []float64) error {
	if len(act) != e.spec.ActionDim {
		return fmt.Errorf("tasks: %s: action has %d components, want %d", e.spec.ID, len(act), e.spec.ActionDim)
	}
	for i, a := range act {
		if math.IsNaN(a) || math.IsInf(a, 0) {
			return fmt.Errorf("tasks: %s: action[%d] = %g is not finite", e.spec.ID, i, a)
		}
	}
	return nil
}

// advance commands the robot and runs one control period of physics,
// returning the new observation, or an error wrapping sim.ErrDiverged.
func (e *Env) advance(act []float64) ([]float64, error) {
	e.robot.Command(act, e.spec.ControlDt)
	for i := range act {
		e.last[i] = math.Max(-1, math.Min(1, act[i]))
	}
	for range e.substeps {
		if err := e.robot.World.Step(); err != nil {
			return nil, err
		}
	}
	obs := e.observe()
	for _, x := range obs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w: non-finite observation", sim.ErrDiverged)
		}
	}
	return obs, nil
}

// Snapshot is a complete, restorable Env state.
type Snapshot struct {
	World sim.State
	Goal  []float64
	Last  []float64
	Step  int
	Done  bool
}

// Snapshot returns the Env's state. It does not share memory with the Env.
func (e *Env) Snapshot() Snapshot {
	return Snapshot{
		World: e.robot.World.State(),
		Goal:  append([]float64(nil), e.goal...),
		Last:  append([]float64(nil), e.last...),
		Step:  e.step,
		Done:  e.done,
	}
}

// Restore returns the Env to a snapshot taken from an Env of the same task.
// What follows depends on the snapshot alone (see sim.World.SetState).
func (e *Env) Restore(s Snapshot) error {
	if len(s.Last) != e.spec.ActionDim {
		return fmt.Errorf("tasks: %s: snapshot has %d actions, want %d", e.spec.ID, len(s.Last), e.spec.ActionDim)
	}
	if err := e.robot.World.SetState(s.World); err != nil {
		return fmt.Errorf("tasks: %s: %w", e.spec.ID, err)
	}
	e.goal = append(e.goal[:0], s.Goal...)
	copy(e.last, s.Last)
	e.step, e.done = s.Step, s.Done
	e.obs = e.observe()
	return nil
}

package tasks

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"

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
	// err is a mistake of the task found by Reset or Step; Step returns it
	// until the next Reset.
	err error
	// restoring is set while Restore observes, for error messages.
	restoring bool
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
	// One Reset from a fixed seed shows at once the mistakes that every
	// episode would hit: a start state of the wrong shape, an observation
	// layout that does not match what Observe writes.
	e.Reset(rand.New(rand.NewPCG(0, 0)))
	if e.err != nil {
		return nil, e.err
	}
	e.done = true
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
// returns the first observation. A mistake of the task (a start state of
// the wrong shape, an observation that does not fill the declared layout or
// is not finite) is returned by the next Step; New catches most of them by
// resetting once.
func (e *Env) Reset(rng *rand.Rand) []float64 {
	e.step, e.done, e.err = 0, false, nil
	state, goal := e.task.Reset(e.robot, rng)
	if err := e.robot.World.SetState(state); err != nil {
		e.fail(fmt.Errorf("tasks: task %q: Reset returned an unusable start state (build it with Robot.Pose or World.State): %w", e.spec.ID, err))
		e.obs = make([]float64, e.spec.ObsDim())
		return e.Obs()
	}
	e.goal = append(e.goal[:0], goal...)
	clear(e.last)
	for i, a := range e.robot.Actuators() {
		e.last[i] = a.TargetToAction(a.Joint.Target())
	}
	obs, err := e.observe()
	if err != nil {
		e.fail(err)
	}
	e.obs = obs
	return e.Obs()
}

// fail ends the episode on a mistake of the task.
func (e *Env) fail(err error) { e.done, e.err = true, err }

// unwritten fills the observation buffer before Observe: a NaN with a
// payload no arithmetic produces, so that a value Observe did not write
// is told apart from a NaN it computed.
var unwritten = math.Float64frombits(0x7ff4_0b5e_0b5e_0b5e)

// observe runs Task.Observe on a fresh observation and checks that it
// filled the declared layout with finite numbers. On a mistake it returns
// the observation with zeros in place of the bad values, and an error
// naming the task, Observe, the step and the slice.
func (e *Env) observe() (obs []float64, err error) {
	n := e.spec.ObsDim()
	obs = make([]float64, n)
	for i := range obs {
		obs[i] = unwritten
	}
	defer func() {
		if err != nil {
			for i, x := range obs {
				if !finite(x) {
					obs[i] = 0
				}
			}
		}
	}()
	if err := e.call("Observe", n, func() { e.task.Observe(e.robot, e.goal, e.last, obs) }); err != nil {
		return obs, err
	}
	missing, first := 0, -1
	for i, x := range obs {
		if math.Float64bits(x) == math.Float64bits(unwritten) {
			missing++
			if first < 0 {
				first = i
			}
		}
	}
	if missing > 0 {
		return obs, fmt.Errorf("tasks: task %q: Observe %s wrote %d of the %d values of the declared observation layout (obs[%d], in %s, is unwritten): make Spec.Obs match what Observe writes",
			e.spec.ID, e.at(), n-missing, n, first, e.slice(first))
	}
	for i, x := range obs {
		if !finite(x) {
			return obs, fmt.Errorf("tasks: task %q: Observe %s wrote %g to obs[%d], in %s", e.spec.ID, e.at(), x, i, e.slice(i))
		}
	}
	return obs, nil
}

// call runs a method of the task and turns an index out of range on a
// slice of the observation's length, which a layout shorter than what the
// method writes or reads causes, into an error. Other panics go on.
func (e *Env) call(method string, n int, f func()) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if re, ok := p.(runtime.Error); ok && strings.HasPrefix(re.Error(), "runtime error: index out of range") &&
			strings.HasSuffix(re.Error(), fmt.Sprintf(" with length %d", n)) {
			err = fmt.Errorf("tasks: task %q: %s %s goes past the declared observation layout of %d values (%v): make Spec.Obs match what Observe writes",
				e.spec.ID, method, e.at(), n, strings.TrimPrefix(re.Error(), "runtime error: "))
			return
		}
		panic(p)
	}()
	f()
	return nil
}

// at says where in the episode the Env is, for error messages.
func (e *Env) at() string {
	if e.restoring {
		return fmt.Sprintf("after Restore at step %d", e.step)
	}
	if e.step == 0 {
		return "at Reset"
	}
	return fmt.Sprintf("at step %d", e.step)
}

// slice names the observation slice holding index i.
func (e *Env) slice(i int) string {
	for _, f := range e.spec.Obs {
		if i >= f.Start && i < f.Start+f.Len {
			return fmt.Sprintf("slice %q", f.Name)
		}
	}
	return "no slice"
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// ErrEpisodeOver is returned by Step after the episode has ended (or before
// the first Reset).
var ErrEpisodeOver = errors.New("tasks: episode is over: call Reset")

// Step applies an action in [−1, 1]^n for one control period. Actions of
// the wrong length or with non-finite components are rejected with an error
// and change nothing; components outside [−1, 1] are clipped.
func (e *Env) Step(act []float64) (Step, error) {
	if e.err != nil {
		return Step{}, e.err
	}
	if e.done {
		return Step{}, ErrEpisodeOver
	}
	if err := e.checkAction(act); err != nil {
		return Step{}, err
	}
	prev := e.obs
	e.step++
	next, err := e.advance(act)
	terms := map[string]float64{}
	if errors.Is(err, sim.ErrDiverged) {
		// Keep the last finite observation: a blow-up must not leak NaNs.
		e.done = true
		return Step{Obs: e.Obs(), Truncated: true, Info: Info{Reason: "diverged: " + err.Error(), Terms: terms}}, nil
	}
	if err != nil {
		e.fail(err)
		return Step{}, err
	}
	e.obs = next
	st := Step{Obs: e.Obs()}
	if err := e.call("Reward", len(next), func() { st.Reward = e.task.Reward(prev, act, next, terms) }); err != nil {
		e.fail(err)
		return Step{}, err
	}
	if !finite(st.Reward) {
		err := fmt.Errorf("tasks: task %q: Reward %s returned %g%s", e.spec.ID, e.at(), st.Reward, badTerms(terms))
		e.fail(err)
		return Step{}, err
	}
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
// returning the new observation, or an error wrapping sim.ErrDiverged on a
// blow-up, or the task's mistake in Observe.
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
	// The world is finite here (World.Step checks it): a bad observation
	// is the task's mistake, not a blow-up.
	return e.observe()
}

// badTerms lists the reward terms that are not finite, for Reward's error.
func badTerms(terms map[string]float64) string {
	var bad []string
	for k, v := range terms {
		if !finite(v) {
			bad = append(bad, fmt.Sprintf("%s = %g", k, v))
		}
	}
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	return " (terms " + strings.Join(bad, ", ") + ")"
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
	e.step, e.done, e.err = s.Step, s.Done, nil
	e.restoring = true
	obs, err := e.observe()
	e.restoring = false
	e.obs = obs
	if err != nil {
		e.fail(err)
		return err
	}
	return nil
}

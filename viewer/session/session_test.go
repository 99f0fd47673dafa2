package session_test

import (
	"bytes"
	"fmt"
	"image/gif"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/control"
	"sandbox/mbrl"
	"sandbox/mbrl/eval"
	"sandbox/sim"
	"sandbox/tasks"
	"sandbox/viewer/session"
)

func newSession(t *testing.T, task, ctrl string) *session.Session {
	t.Helper()
	s, err := session.New(session.Config{Task: task, Controller: ctrl, Seed: 3, NewController: mbrl.NewController,
		Controllers: mbrl.ControllerNames})
	require.NoError(t, err)
	return s
}

func TestRecordWritesADecodableGIFOfTheEpisode(t *testing.T) {
	s := newSession(t, "reacher", "scripted")
	var buf bytes.Buffer
	res, err := session.Record(s, &buf, session.RecordConfig{Width: 160, Height: 100})
	require.NoError(t, err)
	g, err := gif.DecodeAll(&buf)
	require.NoError(t, err)
	steps := s.Env().Spec().Steps
	assert.Equal(t, steps+1, res.Frames, "the start and one frame per control step")
	assert.Len(t, g.Image, res.Frames)
	assert.GreaterOrEqual(t, len(g.Image), 40)
	assert.Equal(t, 10, g.Delay[0], "0.1 s control period: real time")
	assert.Equal(t, 160, g.Config.Width)
	assert.NotEqual(t, g.Image[0].Pix, g.Image[len(g.Image)-1].Pix, "the arm moved")
}

func TestRecordRejectsBadSizes(t *testing.T) {
	s := newSession(t, "reacher", "zero")
	for _, cfg := range []session.RecordConfig{{Width: 5}, {Episodes: -1}, {Height: 1 << 20}} {
		_, err := session.Record(s, &bytes.Buffer{}, cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

func TestSessionEpisodesAreEvalEpisodes(t *testing.T) {
	s := newSession(t, "reacher", "scripted")
	for !s.Done() {
		require.NoError(t, s.Step())
	}
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	ctrl, err := mbrl.NewController("scripted", env)
	require.NoError(t, err)
	res, err := eval.Run(env, ctrl, 1, 3, nil)
	require.NoError(t, err)
	st := s.Stats()
	assert.Equal(t, res.Returns[0], st.Return, "same seed, same episode, same return")
	assert.Equal(t, res.Successes, st.Successes)
	assert.Equal(t, 1, st.Finished)

	require.NoError(t, s.Step()) // starts episode 1
	assert.Equal(t, 1, s.Stats().Episode)
	assert.Equal(t, 0, s.Stats().Step)
	assert.False(t, s.Done())
}

// smallOracle is a cheap oracle for tests: CEM with a short horizon.
func smallOracle(spec string, env *tasks.Env) (control.Controller, error) {
	if spec != "oracle" {
		return mbrl.NewController(spec, env)
	}
	return mbrl.NewOracle(env, mbrl.OracleConfig{Horizon: 4, CEM: control.CEM{Population: 16, Elites: 4, Iterations: 2}, Workers: 1})
}

func TestImaginedPlanStartsAtTheFocusAndMatchesTheFirstRealStep(t *testing.T) {
	s, err := session.New(session.Config{Task: "reacher", Controller: "oracle", Seed: 1, NewController: smallOracle})
	require.NoError(t, err)
	d := s.Env().Task().(tasks.Drawer)
	before := d.Focus(s.Obs())
	require.NoError(t, s.Step())
	f := s.Frame()
	require.Len(t, f.Plan, 5, "the focus now and after each of the 4 planned steps")
	assert.Equal(t, before, f.Plan[0])
	after := d.Focus(s.Obs())
	// The real Env executed the plan's first action from the same state;
	// the simulator is deterministic, restores included (docs/facts.md).
	assert.InDelta(t, after.X, f.Plan[1].X, 1e-9)
	assert.InDelta(t, after.Y, f.Plan[1].Y, 1e-9)
	assert.Equal(t, []sim.Vec2{before}, f.Trail, "the real path so far")

	require.NoError(t, s.SetController("zero"))
	require.NoError(t, s.Step())
	assert.Empty(t, s.Frame().Plan, "no plan without a planner")
}

func TestBodyAtFindsMovingBodiesOnly(t *testing.T) {
	s := newSession(t, "reacher", "zero")
	w := s.Env().Robot().World
	var link, base *sim.Body
	for _, b := range w.Bodies() {
		switch {
		case b.Type() == sim.Static && base == nil:
			base = b
		case b.Type() == sim.Dynamic && link == nil:
			link = b
		}
	}
	require.NotNil(t, link)
	require.NotNil(t, base)
	// reacher.json: a link's box spans 0 to 0.2 m along its x axis.
	assert.Equal(t, link, session.BodyAt(w, link.WorldPoint(sim.Vec2{X: 0.1})))
	assert.Nil(t, session.BodyAt(w, sim.Vec2{X: 5, Y: 5}), "empty space")
	assert.Nil(t, session.BodyAt(w, base.Position().Add(sim.Vec2{X: 0.055})), "the static base (outside link 1's hub)")
}

func TestDraggingPullsTheBody(t *testing.T) {
	// Distance from the last link's end to a target 0.4 m away, after a
	// second of zero actions with and without the spring.
	run := func(pull bool) float64 {
		s := newSession(t, "reacher", "zero")
		bodies := s.Env().Robot().World.Bodies()
		tip := bodies[len(bodies)-1]
		p := tip.WorldPoint(sim.Vec2{X: 0.1})
		target := p.Add(p.Scale(0.4 / p.Norm()))
		if pull {
			require.True(t, s.Grab(p))
			s.Drag(target)
		}
		for range 10 {
			require.NoError(t, s.Step())
		}
		f := s.Frame()
		if pull {
			assert.True(t, f.Spring.Active)
			// The world recomputes the pull on every physics step: a
			// spring, not a force held for a control step.
			sp := tip.Spring()
			assert.Equal(t, target, sp.To)
			assert.Positive(t, sp.K)
			s.Release()
			assert.Zero(t, tip.Spring())
			assert.False(t, s.Frame().Spring.Active)
		}
		return tip.WorldPoint(sim.Vec2{X: 0.1}).Sub(target).Norm()
	}
	free, pulled := run(false), run(true)
	assert.Less(t, pulled, free-0.05, "the spring pulls the link towards the cursor (%.3f m vs %.3f m)", pulled, free)
}

func TestEveryTaskRunsAndShowsItsGoal(t *testing.T) {
	s := newSession(t, "reacher", "zero")
	for _, id := range tasks.IDs() {
		t.Run(id, func(t *testing.T) {
			require.NoError(t, s.SetTask(id))
			require.NoError(t, s.Step())
			f := s.Frame()
			assert.NotEmpty(t, f.Shapes)
			assert.Len(t, f.Static, len(s.Env().Robot().World.Bodies()))
			if _, ok := s.Env().Task().(tasks.Drawer); ok {
				assert.NotEmpty(t, f.Goals, "goal markers")
				assert.True(t, f.HasFocus)
			}
			assert.True(t, s.Extent().NonEmpty)
			assert.Equal(t, id, s.Stats().Task)
		})
	}
	assert.Error(t, s.SetTask("no-such-task"))
	assert.Contains(t, s.Stats().Message, "no-such-task", "the HUD shows the error")
}

func TestCycleControllerSkipsControllersThatDoNotBuild(t *testing.T) {
	s, err := session.New(session.Config{Task: "reacher", Controller: "zero", NewController: smallOracle,
		Controllers: []string{"zero", "bogus", "random"}})
	require.NoError(t, err)
	require.NoError(t, s.CycleController(), "bogus fails, random works")
	assert.Equal(t, "random", s.Stats().Controller)
	require.NoError(t, s.CycleController())
	assert.Equal(t, "zero", s.Stats().Controller, "bogus fails again on the way round")
}

// Config.Cycle gives each task its own cycle; a task switch starts with
// the first spec of the new task's cycle when the running one does not
// build there.
func TestCyclePerTask(t *testing.T) {
	only := func(spec string, env *tasks.Env) (control.Controller, error) {
		if strings.HasPrefix(spec, "only-") && spec != "only-"+env.Spec().ID {
			return nil, fmt.Errorf("%s is not for %s", spec, env.Spec().ID)
		}
		return control.Zero{}, nil
	}
	cycle := func(task string) []string { return []string{"only-" + task, "zero", "random"} }
	s, err := session.New(session.Config{Task: "reacher", Controller: "only-reacher", NewController: only, Cycle: cycle})
	require.NoError(t, err)
	for _, want := range []string{"zero", "random", "only-reacher"} {
		require.NoError(t, s.CycleController())
		assert.Equal(t, want, s.Stats().Controller)
	}
	other := tasks.IDs()[0]
	require.NoError(t, s.SetTask(other))
	assert.Equal(t, "only-"+other, s.Stats().Controller, "the new task's first controller")
	require.NoError(t, s.CycleController())
	assert.Equal(t, "zero", s.Stats().Controller)
}

func TestNewRejectsBadConfigs(t *testing.T) {
	for _, cfg := range []session.Config{
		{Task: "reacher", Controller: "zero"},
		{Task: "nope", Controller: "zero", NewController: mbrl.NewController},
		{Task: "reacher", Controller: "telepathy", NewController: mbrl.NewController},
		{Task: "reacher", NewController: mbrl.NewController},
		{Task: "reacher", Controller: "zero", NewController: mbrl.NewController, Trail: -1},
	} {
		_, err := session.New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
}

// gate is a controller whose Act waits until the test lets it go: a
// planner that is as slow as the test wants.
type gate struct {
	entered, release chan struct{}
}

func (g *gate) Reset(*rand.Rand) {}
func (g *gate) Act(_, act []float64) {
	g.entered <- struct{}{}
	<-g.release
	clear(act)
}

func TestRunnerKeepsServingFramesWhileThePlannerThinks(t *testing.T) {
	g := &gate{entered: make(chan struct{}), release: make(chan struct{})}
	s, err := session.New(session.Config{Task: "reacher", Controller: "gate",
		NewController: func(string, *tasks.Env) (control.Controller, error) { return g, nil }})
	require.NoError(t, err)
	r := session.Start(s)
	defer r.Stop()
	<-g.entered // the simulation goroutine is stuck in Act
	v := r.View()
	require.NotNil(t, v.Cur, "frames are served while the controller is busy")
	assert.Equal(t, 0, v.Stats.Step)
	r.SetSpeed(2)
	r.TogglePause()
	assert.True(t, r.View().Paused)
	g.release <- struct{}{}
	assert.Eventually(t, func() bool { return r.View().Stats.Step == 1 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, 2.0, r.View().Speed)

	// Paused: one single step, then nothing.
	r.SingleStep()
	<-g.entered
	g.release <- struct{}{}
	assert.Eventually(t, func() bool { return r.View().Stats.Step == 2 }, 10*time.Second, time.Millisecond)
	r.Do(func(s *session.Session) { s.Reset() })
	assert.Eventually(t, func() bool { return r.View().Stats.Episode == 1 }, 10*time.Second, time.Millisecond)
	assert.Equal(t, 0, r.View().Stats.Step)
}

func TestHUDNamesTheFigures(t *testing.T) {
	st := session.Stats{Task: "reacher", Controller: "oracle", Episode: 2, Step: 7, Steps: 50, Return: -1.5,
		SuccessNow: true, Successes: 1, Finished: 2}
	got := st.HUD(0.25, 1, 58, true)
	want := []string{"reacher", "oracle", "episode 3", "step 7/50", "return -1.50", "success now yes", "episodes 1/2",
		"real-time factor 0.25", "FPS 58", "PAUSED"}
	all := fmtHUD(got)
	for _, w := range want {
		assert.Contains(t, all, w)
	}
	assert.NotContains(t, fmtHUD(st.HUD(-1, 1, -1, false)), "FPS", "left out when negative")
}

func fmtHUD(lines []string) string {
	s := ""
	for _, l := range lines {
		s += l + "\n"
	}
	return s
}

func BenchmarkRecordReacher(b *testing.B) {
	s, err := session.New(session.Config{Task: "reacher", Controller: "scripted", NewController: mbrl.NewController})
	require.NoError(b, err)
	frames := 0
	for b.Loop() {
		res, err := session.Record(s, io.Discard, session.RecordConfig{})
		require.NoError(b, err)
		frames += res.Frames
	}
	b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
}

func TestRunnerMeasuresTheRealTimeFactor(t *testing.T) {
	s := newSession(t, "reacher", "zero")
	r := session.Start(s)
	defer r.Stop()
	r.SetSpeed(16)
	assert.Eventually(t, func() bool { return r.View().RealTimeFactor > 0 }, 20*time.Second, 10*time.Millisecond)
	assert.Equal(t, session.MaxSpeed, r.View().Speed)
	r.TogglePause()
	assert.Zero(t, r.View().RealTimeFactor, "paused")
}

// imaginer is a zero controller that imagines two futures: the current
// observation with the fingertip moved by ±0.1 m in x.
type imaginer struct {
	control.Zero
	obs []float64
}

func (c *imaginer) Act(obs, act []float64) { c.obs = append(c.obs[:0], obs...); c.Zero.Act(obs, act) }

func (c *imaginer) Imagined() [][][]float64 {
	var out [][][]float64
	for _, dx := range []float64{-0.1, 0.1} {
		o := append([]float64(nil), c.obs...)
		o[21] += dx // reacher observation: tip x
		out = append(out, [][]float64{o})
	}
	return out
}

func TestCandidatesAreTheImaginedFocusPaths(t *testing.T) {
	s, err := session.New(session.Config{Task: "reacher", Controller: "imaginer", Seed: 1,
		NewController: func(string, *tasks.Env) (control.Controller, error) { return &imaginer{}, nil }})
	require.NoError(t, err)
	d := s.Env().Task().(tasks.Drawer)
	before := d.Focus(s.Obs())
	require.NoError(t, s.Step())
	f := s.Frame()
	require.Len(t, f.Candidates, 2)
	for i, dx := range []float64{-0.1, 0.1} {
		require.Len(t, f.Candidates[i], 2, "from the focus now to the imagined step")
		assert.Equal(t, before, f.Candidates[i][0])
		assert.InDelta(t, before.X+dx, f.Candidates[i][1].X, 1e-12)
	}
}

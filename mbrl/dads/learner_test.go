package dads

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/sac"
	"sandbox/tasks"
)

// tinyConfig is a DADS setting small enough for unit tests.
func tinyConfig() Config {
	return Config{
		Seed: 3, PriorSamples: 4,
		Dynamics:      DynamicsConfig{Hidden: []int{16, 16}},
		DynamicsSteps: 2, DynamicsBatch: 32,
		Policy:      sac.Config{Hidden: []int{16, 16}, BatchSize: 32},
		PolicySteps: 2, InitialSteps: 50, CollectSteps: 50, BufferCapacity: 400,
		Planner: PlannerConfig{Candidates: 8, Refinements: 2, SkillSteps: 5},
	}
}

// TestLearnerSaveLoadResumes: a loaded Learner continues exactly as the
// saved one does.
func TestLearnerSaveLoadResumes(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := NewLearner(env, tinyConfig())
	require.NoError(t, err)
	st, err := l.Iterate()
	require.NoError(t, err)
	assert.Equal(t, Counters{Iteration: 1, Episodes: 2, EnvSteps: 100}, st.Counters)
	assert.Equal(t, 100, l.Buffer().Len())

	var buf bytes.Buffer
	require.NoError(t, l.Save(&buf))
	env2, err := tasks.Make("reacher")
	require.NoError(t, err)
	m, err := LoadLearner(bytes.NewReader(buf.Bytes()), env2)
	require.NoError(t, err)
	assert.Equal(t, l.Counters(), m.Counters())
	assert.Equal(t, l.Config(), m.Config())

	a, err := l.Iterate()
	require.NoError(t, err)
	b, err := m.Iterate()
	require.NoError(t, err)
	assert.Equal(t, a, b, "iteration after Save/Load differs")

	fan, err := m.SkillPaths(2, 5, 1)
	require.NoError(t, err)
	assert.Len(t, fan.Paths, 4)
	assert.Len(t, fan.Paths[0], 6, "start and five steps")
	p, err := m.Planner()
	require.NoError(t, err)
	act := make([]float64, env.Spec().ActionDim)
	p.Reset(nil)
	p.Act(env2.Reset(rand.New(rand.NewPCG(1, 1))), act)
	for _, v := range act {
		assert.True(t, v >= -1 && v <= 1, "action %v outside [−1, 1]", v)
	}
}

func TestLoadLearnerCorrupt(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := NewLearner(env, tinyConfig())
	require.NoError(t, err)
	_, err = l.Collect(20)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, l.Save(&buf))
	stream := buf.Bytes()
	for _, cut := range []int{0, 7, 20, len(stream) / 3, len(stream) - 1} {
		_, err := LoadLearner(bytes.NewReader(stream[:cut]), env)
		assert.ErrorIs(t, err, ErrCorrupt, "stream cut at %d of %d", cut, len(stream))
	}
	for _, at := range []int{3, 40, len(stream) / 2, len(stream) - 3} {
		bad := bytes.Clone(stream)
		bad[at] ^= 1
		_, err := LoadLearner(bytes.NewReader(bad), env)
		assert.ErrorIs(t, err, ErrCorrupt, "byte %d flipped", at)
	}
	claw, err := tasks.Make("claw-turn")
	require.NoError(t, err)
	_, err = LoadLearner(bytes.NewReader(stream), claw)
	assert.ErrorContains(t, err, `checkpoint is for task "reacher", env runs "claw-turn"`)
}

func TestConfigJSONAndErrors(t *testing.T) {
	c := tinyConfig().WithDefaults()
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var back Config
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, c, back.WithDefaults())

	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"skills", func(c *Config) { c.Skills = -1 }, "skill dimension"},
		{"prior", func(c *Config) { c.PriorSamples = -2 }, "prior samples"},
		{"capacity", func(c *Config) { c.BufferCapacity = -1 }, "buffer capacity"},
		{"policy", func(c *Config) { c.Policy.Gamma = 2 }, "dads: policy: sac: gamma"},
		{"planner", func(c *Config) { c.Planner.Gamma = -1 }, "planner gamma"},
	} {
		cfg := tinyConfig()
		tc.mod(&cfg)
		_, err := NewLearner(env, cfg)
		assert.ErrorContains(t, err, tc.want, tc.name)
	}
}

func TestLearnerNeedsASkillSpace(t *testing.T) {
	for _, id := range tasks.IDs() {
		env, err := tasks.Make(id)
		require.NoError(t, err)
		_, isSpacer := env.Task().(tasks.SkillSpacer)
		_, err = NewLearner(env, tinyConfig())
		if isSpacer {
			assert.NoError(t, err, id)
		} else {
			assert.ErrorContains(t, err, "has no skill space", id)
		}
	}
}

func TestWriteSkillsPlot(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := NewLearner(env, tinyConfig())
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "skills.png")
	fan, err := l.WriteSkillsPlot(path)
	require.NoError(t, err)
	assert.Len(t, fan.Skills, 25)
	// Even an untrained policy depends on its skill input.
	assert.Positive(t, fan.Spread)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte("\x89PNG")), "skills.png is not a PNG")
}

func TestSpread(t *testing.T) {
	paths := [][][]float64{{{0, 0}, {1, 0}}, {{0, 0}, {-1, 0}}, {{5, 5}, {0, 1}}, {{0, 0}, {0, -1}}}
	assert.InDelta(t, 1, spread(paths), 1e-12, "four unit vectors around the origin")
}

// TestHorizonKeepsFailedEpisodesWhole: with a k-step skill dynamics, an
// episode that a fall ends keeps all its transitions, and those with fewer
// than k steps left carry the skill state where it ended.
func TestHorizonKeepsFailedEpisodesWhole(t *testing.T) {
	const k = 5
	env, err := tasks.Make("quadruped-walk")
	require.NoError(t, err)
	cfg := tinyConfig()
	cfg.Skills, cfg.Dynamics.Horizon = 1, k
	l, err := NewLearner(env, cfg)
	require.NoError(t, err)
	_, err = l.Collect(600)
	require.NoError(t, err)
	obsDim, buf := env.Spec().ObsDim(), l.Buffer()
	fell := 0
	start := 0 // the first buffered transition of the episode
	for i := range buf.Len() {
		tr := buf.At(i)
		if i > 0 && !slices.Equal(buf.At(i - 1).Next[:obsDim], tr.Obs[:obsDim]) {
			start = i // an episode that ran to its time limit, shortened by k−1, ended before
		}
		if !tr.Terminated {
			continue
		}
		fell++
		n := i - start + 1
		require.Greater(t, n, k, "episode of %d steps", n)
		end := tr.Next[35] // torso x where it fell
		for j := range n {
			row := buf.At(start + j)
			if j >= n-k+1 {
				assert.Equal(t, end, row.Obs[obsDim+1], "transition %d of %d: the skill state where the episode ended", j, n)
			} else {
				assert.Equal(t, buf.At(start + j + k - 1).Next[35], row.Obs[obsDim+1], "transition %d of %d: x %d steps on", j, n, k)
			}
		}
		start = i + 1
	}
	require.Positive(t, fell, "the random skill policy never fell in 600 steps")
}

// TestHorizonPairsEachTransitionWithTheStateKStepsOn: with a k-step skill
// dynamics each buffered transition carries the skill state k steps
// later in its episode, the last k−1 of an episode are left out, and the
// Learner saves, loads and plans with it.
func TestHorizonPairsEachTransitionWithTheStateKStepsOn(t *testing.T) {
	const k = 5
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	cfg := tinyConfig()
	cfg.Dynamics.Horizon = k
	l, err := NewLearner(env, cfg)
	require.NoError(t, err)
	st, err := l.Collect(100)
	require.NoError(t, err)
	steps := env.Spec().Steps
	require.Equal(t, 2, st.Episodes)
	require.Equal(t, 2*(steps-k+1), l.Buffer().Len())
	obsDim, d := env.Spec().ObsDim(), l.Config().Skills
	tip := func(obs []float64) []float64 {
		s := make([]float64, 2)
		l.spacer.SkillState(obs, s)
		return s
	}
	for ep := range 2 {
		for i := range steps - k + 1 {
			row := l.Buffer().At(ep*(steps-k+1) + i).Obs
			require.Len(t, row, obsDim+d+2)
			if i+k < steps-k+1 { // the transition k steps on is buffered too
				later := l.Buffer().At(ep*(steps-k+1) + i + k).Obs
				assert.Equal(t, tip(later[:obsDim]), row[obsDim+d:], "episode %d, step %d", ep, i)
			}
		}
	}
	_, err = l.TrainDynamics()
	require.NoError(t, err)
	_, err = l.TrainPolicy()
	require.NoError(t, err)

	var buf bytes.Buffer
	require.NoError(t, l.Save(&buf))
	m, err := LoadLearner(bytes.NewReader(buf.Bytes()), env)
	require.NoError(t, err)
	assert.Equal(t, k, m.Dynamics().Config().Horizon)
	p, err := m.Planner()
	require.NoError(t, err)
	p.Reset(nil)
	p.Act(env.Reset(rand.New(rand.NewPCG(1, 1))), make([]float64, env.Spec().ActionDim))
	im := p.Imagined()
	require.Len(t, im, 8)
	assert.Len(t, im[0], cfg.Planner.SkillSteps/k, "one prediction every k steps")

	cfg.Planner.SkillSteps = 7
	_, err = NewLearner(env, cfg)
	assert.ErrorContains(t, err, "not a multiple of the skill-dynamics horizon 5")
	cfg.Dynamics.Horizon, cfg.Planner.SkillSteps = 60, 60
	_, err = NewLearner(env, cfg)
	assert.ErrorContains(t, err, `skill-dynamics horizon 60 is longer than task "reacher"'s episodes of 50 steps`)
}

// TestPolicyHide: hidden slices leave the skill policy's observation, all
// of them leave it only the skill, and an unknown name is an error that
// lists the known ones.
func TestPolicyHide(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	cfg := tinyConfig()
	l, err := NewLearner(env, cfg)
	require.NoError(t, err)
	full := l.Policy().ObsDim()
	cfg.PolicyHide = []string{"qdot"}
	l, err = NewLearner(env, cfg)
	require.NoError(t, err)
	assert.Equal(t, full-7, l.Policy().ObsDim())

	cfg.PolicyHide = []string{"cos_q", "sin_q", "qdot", "tip", "last_action"}
	l, err = NewLearner(env, cfg)
	require.NoError(t, err)
	require.Equal(t, 2, l.Policy().ObsDim(), "the skill alone")
	obs := env.Reset(rand.New(rand.NewPCG(1, 1)))
	in := make([]float64, 2)
	l.PolicyObs(obs, []float64{0.25, -0.5}, in)
	assert.Equal(t, []float64{0.25, -0.5}, in)
	_, err = l.Iterate()
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, l.Save(&buf))
	_, err = LoadLearner(bytes.NewReader(buf.Bytes()), env)
	require.NoError(t, err)

	cfg.PolicyHide = []string{"elbow"}
	_, err = NewLearner(env, cfg)
	assert.ErrorContains(t, err, `policy_hide names "elbow", not a slice of its observation (cos_q, sin_q, qdot, tip,`)
}

// TestSkillObsExtendsTheSkillSpace: observation slices named in SkillObs
// join the skill state, SetSkillState writes them back, and bad names are
// errors.
func TestSkillObsExtendsTheSkillSpace(t *testing.T) {
	env, err := tasks.Make("quadruped-walk")
	require.NoError(t, err)
	sp, _, err := skillView(env, View{SkillObs: []string{"pitch_cos_sin"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"torso x, m", "pitch_cos_sin[0]", "pitch_cos_sin[1]"}, sp.SkillSpace())
	obs := env.Reset(rand.New(rand.NewPCG(1, 2)))
	s := make([]float64, 3)
	sp.SkillState(obs, s)
	assert.Equal(t, []float64{obs[35], obs[1], obs[2]}, s)
	sp.SetSkillState(obs, []float64{0.7, 0.6, 0.8})
	assert.Equal(t, []float64{0.6, 0.8}, obs[1:3])
	assert.Equal(t, 0.7, obs[35])
	assert.InDelta(t, 0.7-obs[36], obs[37], 1e-12, "the x error derived from the new x")

	for _, bad := range []string{"no_such", "target_x", "last_action"} {
		_, _, err := skillView(env, View{SkillObs: []string{bad}})
		assert.ErrorContains(t, err, "skill_obs names", bad)
	}

	cfg := tinyConfig()
	cfg.Skills, cfg.SkillObs = 1, []string{"pitch_cos_sin"}
	l, err := NewLearner(env, cfg)
	require.NoError(t, err)
	assert.Equal(t, 3, l.Dynamics().StateDim())
	_, err = l.Iterate()
	require.NoError(t, err)
	fan, err := l.WriteSkillsPlot(filepath.Join(t.TempDir(), "skills.png"))
	require.NoError(t, err)
	assert.Len(t, fan.Paths[0][0], 1, "the plot is of the task's own skill space")
	var buf bytes.Buffer
	require.NoError(t, l.Save(&buf))
	m, err := LoadLearner(bytes.NewReader(buf.Bytes()), env)
	require.NoError(t, err)
	_, err = m.Planner()
	require.NoError(t, err)
}

// TestResampleSwitchesSkillsWithinEpisodes: with ResampleProb 1 the skill
// changes every SkillSteps steps, and with a k-step skill dynamics only
// the transitions whose k steps share one skill are stored.
func TestResampleSwitchesSkillsWithinEpisodes(t *testing.T) {
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	obsDim, steps := env.Spec().ObsDim(), env.Spec().Steps
	for _, k := range []int{1, 5} {
		cfg := tinyConfig()
		cfg.ResampleProb, cfg.Dynamics.Horizon = 1, k
		l, err := NewLearner(env, cfg)
		require.NoError(t, err)
		_, err = l.Collect(steps)
		require.NoError(t, err)
		buf := l.Buffer()
		require.Equal(t, steps/cfg.Planner.SkillSteps*(cfg.Planner.SkillSteps-k+1), buf.Len(), "k = %d", k)
		per := cfg.Planner.SkillSteps - k + 1 // stored transitions per skill
		for i := range buf.Len() {
			z := buf.At(i).Obs[obsDim : obsDim+2]
			if i%per > 0 {
				assert.Equal(t, buf.At(i - 1).Obs[obsDim:obsDim+2], z, "k = %d, transition %d: the skill held", k, i)
			} else if i > 0 {
				assert.NotEqual(t, buf.At(i - 1).Obs[obsDim:obsDim+2], z, "k = %d, transition %d: a new skill", k, i)
			}
		}
	}
	cfg := tinyConfig()
	cfg.ResampleProb = 1.5
	assert.ErrorContains(t, cfg.Validate(), "resample_prob 1.5")
}

package mbrl

import (
	"fmt"
	"strconv"

	"sandbox/mbrl/modelenv"
	"sandbox/tasks"
)

// Bounds on a run's sizes, checked by Config.Validate before anything is
// allocated, so that a mistyped number fails at once with a message
// naming it instead of exhausting memory or running for days. Memory
// estimates count the float32 networks four times (weights, gradients and
// Adam's two moments) and float64 buffers once; they are within a small
// factor of what the run allocates.
const (
	// MaxModelMB bounds the memory, in MB (10⁶ bytes), of one part of a
	// run: an ensemble or the SAC networks with their optimiser state, a
	// fit's or a plan's activations.
	MaxModelMB = 1024
	// MaxBufferMB bounds a replay buffer: buffer_capacity (or, when it is
	// 0, steps) transitions of 2·obs + act + 2 float64 values.
	MaxBufferMB = 4096
	// MaxPlanFLOP bounds the model arithmetic of one MPC control step
	// (2 FLOP per weight per row: samples × particles × horizon ×
	// iterations rows); 10¹² FLOP is minutes on a 2-core CPU (PETS's
	// reference settings cost 10¹¹).
	MaxPlanFLOP = 1e12
	maxLayers   = 16   // hidden layers of a network
	maxWidth    = 4096 // units of a hidden layer
	maxMembers  = 64   // networks of an ensemble
	maxBatch    = 1 << 16
	maxEpochs   = 100_000
	maxEvals    = 10_000 // evaluation episodes
)

// checkRange reports a real option that is not a number in [lo, hi].
func checkRange(name string, v, lo, hi float64) error {
	if !(v >= lo && v <= hi) {
		return fmt.Errorf("mbrl: %s %v outside [%g, %g]", name, v, lo, hi)
	}
	return nil
}

// mlpWeights is the number of weights of an MLP in → hidden → out.
func mlpWeights(in int, hidden []int, out int) float64 {
	n, prev := 0.0, float64(in)
	for _, h := range hidden {
		n += (prev + 1) * float64(h)
		prev = float64(h)
	}
	return n + (prev+1)*float64(out)
}

// widest is the largest of in, hidden and out.
func widest(in int, hidden []int, out int) float64 {
	w := max(in, out)
	for _, h := range hidden {
		w = max(w, h)
	}
	return float64(w)
}

// f32 widens a float32 option to the float64 it reads as ("1e30", not
// "1.0000000150474662e+30").
func f32(x float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	return v
}

func mb(values, bytes float64) float64 { return values * bytes / 1e6 }

// checkNetwork reports a network's hidden list beyond maxLayers or
// maxWidth.
func checkNetwork(name string, hidden []int) error {
	if len(hidden) > maxLayers {
		return fmt.Errorf("mbrl: %s: %d hidden layers, at most %d", name, len(hidden), maxLayers)
	}
	for _, h := range hidden {
		if h < 1 || h > maxWidth {
			return fmt.Errorf("mbrl: %s: hidden width %d outside [1, %d]", name, h, maxWidth)
		}
	}
	return nil
}

// checkLimits reports a size, rate or count of c (with its defaults) out
// of its range, or beyond the memory and time bounds above. Sizes that
// depend on the task's observation and action dimensions are checked when
// its env can be built (a task that cannot is reported by the run).
func (c Config) checkLimits() error {
	m, f := c.Model.WithDefaults(), c.Fit
	switch {
	case c.EvalEpisodes > maxEvals:
		return fmt.Errorf("mbrl: eval_episodes %d, at most %d", c.EvalEpisodes, maxEvals)
	case m.Members < 1 || m.Members > maxMembers:
		return fmt.Errorf("mbrl: model members %d outside [1, %d]", m.Members, maxMembers)
	case m.Elites < 1 || m.Elites > m.Members:
		return fmt.Errorf("mbrl: model elites %d outside [1, members = %d]", m.Elites, m.Members)
	case f.Epochs > maxEpochs || f.Patience > maxEpochs:
		return fmt.Errorf("mbrl: fit epochs %d, patience %d: at most %d", f.Epochs, f.Patience, maxEpochs)
	case f.BatchSize > maxBatch:
		return fmt.Errorf("mbrl: fit batch size %d, at most %d", f.BatchSize, maxBatch)
	case f.MaxValidation < 0 || f.MaxValidation > 1_000_000:
		return fmt.Errorf("mbrl: fit max validation %d outside [0, 1000000]", f.MaxValidation)
	case c.Schedule.UpdatesPerStep > 1000 || c.Schedule.UpdatesPerFit > 10_000_000:
		return fmt.Errorf("mbrl: schedule updates_per_step %d (at most 1000), updates_per_fit %d (at most 10000000)", c.Schedule.UpdatesPerStep, c.Schedule.UpdatesPerFit)
	}
	if err := checkNetwork("model", m.Hidden); err != nil {
		return err
	}
	if err := checkNetwork("policy", c.Policy.Hidden); err != nil {
		return err
	}
	for _, r := range []struct {
		name      string
		v, lo, hi float64
	}{
		// Zero selects a default for these.
		{"fit learning rate", f32(f.LearningRate), 0, 1},
		{"fit clip norm", f32(f.ClipNorm), 0, 1e6},
		{"fit log-variance penalty", f32(f.LogVarPenalty), -1, 100},
		{"fit validation fraction", f.ValidationFraction, -1, 0.9},
		{"fit improvement", f.Improvement, 0, 1e3},
		{"model max log-variance", f32(m.MaxLogVar), -50, 50},
		{"model min log-variance", f32(m.MinLogVar), -50, 50},
		{"policy learning rate", f32(c.Policy.LR), 0, 1},
		{"policy init alpha", c.Policy.InitAlpha, 0, 1e3},
		{"schedule converge tolerance", c.Schedule.ConvergeTol, 0, 1e3},
	} {
		if err := checkRange(r.name, r.v, r.lo, r.hi); err != nil {
			return err
		}
	}
	if f.LearningRate < 0 {
		return fmt.Errorf("mbrl: fit learning rate %v outside (0, 1] (0: the default, 1e-3)", f.LearningRate)
	}
	if m.MinLogVar >= m.MaxLogVar {
		return fmt.Errorf("mbrl: model min log-variance %v is not below max log-variance %v", m.MinLogVar, m.MaxLogVar)
	}
	for i, d := range f.WeightDecay {
		if err := checkRange(fmt.Sprintf("fit weight decay[%d]", i), f32(d), 0, 1); err != nil {
			return err
		}
	}
	if len(f.WeightDecay) > len(m.Hidden)+1 {
		return fmt.Errorf("mbrl: fit weight decay has %d entries for %d weight layers", len(f.WeightDecay), len(m.Hidden)+1)
	}
	env, err := tasks.Make(c.Task)
	if err != nil {
		return nil // newRun reports it
	}
	layout, err := modelenv.NewLayout(env.Task(), c.Derive)
	if err != nil {
		return nil
	}
	return c.checkMemory(layout, env.Spec().Steps)
}

// checkMemory reports a config whose networks, batches, plans or buffers
// exceed the bounds for the task's dimensions; episode is its length.
func (c Config) checkMemory(l modelenv.Layout, episode int) error {
	m, f, p := c.Model.WithDefaults(), c.Fit, c.Planner
	in, out := l.StateDim()+2*l.InputActDim(), 2*l.StateDim() // angles may widen the input: count it twice
	row := float64(2*l.ObsDim + l.ActDim + 2)

	weights := float64(m.Members) * mlpWeights(in, m.Hidden, out)
	if v := mb(4*weights, 4); v > MaxModelMB {
		return fmt.Errorf("mbrl: model of %d members × %v hidden units: %.0f M weights need %.0f MB with their optimiser state, more than MaxModelMB = %d MB",
			m.Members, m.Hidden, weights/1e6, v, MaxModelMB)
	}
	batch := max(f.BatchSize, 32)
	if v := mb(3*float64(m.Members*batch)*widest(in, m.Hidden, out)*float64(len(m.Hidden)+1), 4); v > MaxModelMB {
		return fmt.Errorf("mbrl: fit batch size %d × %d members × %d layers of up to %.0f units: activations need %.0f MB, more than MaxModelMB = %d MB",
			batch, m.Members, len(m.Hidden)+1, widest(in, m.Hidden, out), v, MaxModelMB)
	}

	{
		var samples, iters int
		switch p.Kind {
		case "cem":
			samples, iters = p.CEM.Population, p.CEM.Iterations
		case "mppi":
			samples, iters = p.MPPI.Samples, p.MPPI.Iterations
		case "random":
			samples, iters = p.Shooting.Samples, 1
		}
		rows := float64(samples) * float64(p.Particles)
		if v := mb(3*rows*widest(in, m.Hidden, out), 4); v > MaxModelMB {
			return fmt.Errorf("mbrl: planner samples × particles = %d × %d model rows: activations need %.0f MB, more than MaxModelMB = %d MB",
				samples, p.Particles, v, MaxModelMB)
		}
		if flop := 2 * weights / float64(m.Members) * rows * float64(p.Horizon) * float64(max(iters, 1)); flop > MaxPlanFLOP {
			return fmt.Errorf("mbrl: planner samples × particles × horizon × iterations = %d × %d × %d × %d model rows cost %.1e FLOP per control step, more than MaxPlanFLOP = %.0e",
				samples, p.Particles, p.Horizon, iters, flop, MaxPlanFLOP)
		}
	}

	spec, _ := LookupAlgo(c.Algo)
	{
		pol := c.Policy
		obs, act := l.ObsDim, l.ActDim
		w := mlpWeights(obs, pol.Hidden, 2*act) + 4*mlpWeights(obs+act, pol.Hidden, 1) // actor, two critics and their targets
		if v := mb(4*w, 4); v > MaxModelMB {
			return fmt.Errorf("mbrl: policy of %v hidden units: %.0f M weights need %.0f MB with their optimiser state, more than MaxModelMB = %d MB",
				pol.Hidden, w/1e6, v, MaxModelMB)
		}
		if v := mb(3*5*float64(pol.BatchSize)*widest(obs+act, pol.Hidden, 2*act)*float64(len(pol.Hidden)+1), 4); v > MaxModelMB {
			return fmt.Errorf("mbrl: policy batch size %d × %d layers: activations need %.0f MB, more than MaxModelMB = %d MB",
				pol.BatchSize, len(pol.Hidden)+1, v, MaxModelMB)
		}
		s := c.Schedule
		if s.usesModel() {
			k := max(s.RolloutLength[0], s.RolloutLength[1])
			n := float64(s.ModelRetain) * float64(s.Rollouts) * float64(s.ChunkUpdates) * float64(k)
			if v := mb(n*row, 8); v > MaxBufferMB {
				return fmt.Errorf("mbrl: schedule model_retain × rollouts × chunk_updates × rollout length = %d × %d × %d × %d model transitions need %.0f MB, more than MaxBufferMB = %d MB",
					s.ModelRetain, s.Rollouts, s.ChunkUpdates, k, v, MaxBufferMB)
			}
		}
	}

	if spec != nil && spec.CheckMemory != nil {
		if err := spec.CheckMemory(c, l); err != nil {
			return err
		}
	}
	if spec != nil && spec.OwnExperience {
		return nil // no driver buffer, no model fit
	}

	n := c.BufferCapacity
	if n == 0 {
		n = c.Steps + episode
	}
	if v := mb(float64(n)*row, 8); v > MaxBufferMB {
		what := fmt.Sprintf("buffer_capacity %d", c.BufferCapacity)
		if c.BufferCapacity == 0 {
			what = fmt.Sprintf("steps %d (buffer_capacity 0 keeps every transition)", c.Steps)
		}
		return fmt.Errorf("mbrl: %s × %d values per transition need %.0f MB, more than MaxBufferMB = %d MB", what, int(row), v, MaxBufferMB)
	}
	// The first fit follows the random episodes and needs a batch of
	// transitions; SAC minibatches too.
	need := max(episode, f.BatchSize)
	if spec != nil && spec.Policy {
		need = max(need, c.Policy.BatchSize)
	}
	if c.BufferCapacity > 0 && c.BufferCapacity < need {
		return fmt.Errorf("mbrl: buffer_capacity %d below %d (one %d-step episode of the task and a full batch: fit %d, policy %d)",
			c.BufferCapacity, need, episode, f.BatchSize, c.Policy.BatchSize)
	}
	return nil
}

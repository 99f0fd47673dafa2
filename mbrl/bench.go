package mbrl

import (
	"fmt"
	"time"

	"sandbox/internal/seed"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/modelenv"
	"sandbox/mbrl/nn"
	"sandbox/tasks"
)

// PlannerThroughput is what MeasurePlanner reports for a config.
type PlannerThroughput struct {
	// Rows is the planner batch: candidates × particles per model step.
	Rows int
	// ModelStepsPerS is particle steps per second through the ensemble
	// (forward pass, decoding, and noise unless the planner propagates
	// means), in batches of Rows.
	ModelStepsPerS float64
	// GFLOPS counts the multiply-adds of the network's layers only.
	GFLOPS float64
	// MPCStepMs is the wall time of one MPC control step (every planner
	// iteration over the horizon, with rewards), ms.
	MPCStepMs float64
	// MPCStepCPUMs is the process CPU time per MPC control step, ms: on a
	// shared machine, what the step would take with a core to itself
	// (0 where CPU time cannot be read).
	MPCStepCPUMs float64
	// Backend is the BLAS in use (nn.Backend).
	Backend string
}

// MeasurePlanner times the ensemble and MPC of cfg on its task with an
// untrained model (speed does not depend on the weights), each for about d.
func MeasurePlanner(cfg Config, d time.Duration) (PlannerThroughput, error) {
	if err := cfg.Validate(); err != nil {
		return PlannerThroughput{}, err
	}
	cfg = cfg.WithDefaults()
	env, err := tasks.Make(cfg.Task)
	if err != nil {
		return PlannerThroughput{}, err
	}
	layout, err := modelenv.NewLayout(env.Task(), cfg.Derive)
	if err != nil {
		return PlannerThroughput{}, err
	}
	ens, err := ensemble.New(layout.StateDim()+layout.InputActDim(), layout.StateDim(), cfg.Model, seed.Stream(1, "bench-model"))
	if err != nil {
		return PlannerThroughput{}, fmt.Errorf("mbrl: %w", err)
	}
	agent, err := NewAgent(ens, env.Task(), cfg)
	if err != nil {
		return PlannerThroughput{}, err
	}
	p := cfg.Planner
	var cands int
	switch p.Kind {
	case "cem":
		cands = p.CEM.BatchSize()
	case "mppi":
		cands = p.MPPI.BatchSize()
	default:
		cands = p.Shooting.BatchSize()
	}
	out := PlannerThroughput{Rows: cands * p.Particles, Backend: nn.Backend()}
	rng := seed.Stream(1, "bench")
	obs := env.Reset(rng)
	state := make([]float32, out.Rows*layout.StateDim())
	in := make([]float32, out.Rows*layout.InputActDim())
	members := make([]int, out.Rows)
	s1, a1 := make([]float32, layout.StateDim()), make([]float32, layout.InputActDim())
	layout.Split(obs, make([]float64, layout.ActDim), s1, a1)
	for r := range out.Rows {
		copy(state[r*len(s1):], s1)
		copy(in[r*len(a1):], a1)
	}
	ens.AssignMembers(members, rng)
	next := make([]float32, len(state))
	noise := rng
	if p.Mean {
		noise = nil
	}
	start, n := time.Now(), 0
	for time.Since(start) < d || n < 3 {
		ens.Step(ensemble.TSInf, state, in, members, next, noise)
		n++
	}
	el := time.Since(start).Seconds()
	out.ModelStepsPerS = float64(n*out.Rows) / el
	sizes := ens.Net().Sizes()
	flops := 0.0
	for l := 1; l < len(sizes); l++ {
		flops += 2 * float64(sizes[l-1]*sizes[l])
	}
	out.GFLOPS = out.ModelStepsPerS * flops / 1e9

	act := make([]float64, layout.ActDim)
	agent.Reset(rng)
	start, cpu, n := time.Now(), cpuTime(), 0
	for time.Since(start) < d || n < 2 {
		agent.Act(obs, act)
		n++
	}
	out.MPCStepMs = 1000 * time.Since(start).Seconds() / float64(n)
	if c := cpuTime(); c > 0 {
		out.MPCStepCPUMs = 1000 * (c - cpu).Seconds() / float64(n)
	}
	return out, nil
}

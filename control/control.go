// Package control holds controllers and planners. It is pure math over
// []float64 and knows nothing of the simulator or of tasks: a planner
// optimises an Objective over action sequences, and whoever owns a model (a
// learned ensemble, or the true simulator through snapshots) turns it into
// that Objective.
//
// Planners: CEM (PETS's cross-entropy method, optionally with iCEM's colored
// noise), MPPI (with PDDM's temporal filtering) and RandomShooting. Their
// exported fields are options whose zero values are documented defaults;
// each planner's Validate checks the options and the memory a Plan of a
// given shape needs (at most MaxBatchMB), so that callers holding options
// from a user (a config file) can return an error where Plan would panic.
// Controllers: MPC, which replans with a Planner at every step, and the
// baselines Zero and Random. Every random number comes from the *rand.Rand
// passed in, so a seed fixes every plan and action.
package control

import "math/rand/v2"

// Controller maps observations to actions in [-1, 1]^n.
type Controller interface {
	// Reset prepares the controller for a new episode. rng is the
	// controller's own random stream; it must be its only source of
	// randomness.
	Reset(rng *rand.Rand)
	// Act writes the action for obs into act, whose length is the action
	// dimension. It must not retain obs or act.
	Act(obs, act []float64)
}

// Objective scores a batch of action sequences. plans[i] is a flattened
// sequence of Horizon actions of dimension Dim (step t occupies
// plans[i][t*Dim:(t+1)*Dim]) with values in [-1, 1]. Objective writes the
// score of plans[i] (higher is better) into scores[i]. It must not retain
// plans or scores.
type Objective func(plans [][]float64, scores []float64)

// Problem is one planning query.
type Problem struct {
	Horizon   int // steps in a plan
	Dim       int // action dimension
	Objective Objective
	// Init is the warm-start mean plan (Horizon*Dim values); nil means zeros.
	Init []float64
	// Prev is the last executed action (Dim values), used by planners that
	// filter actions in time (MPPI with PDDM's filtering); nil means zeros.
	Prev []float64
}

// Planner optimises Problem.Objective over action sequences in [-1, 1].
type Planner interface {
	// Plan writes the best plan found (Horizon*Dim values) into dst.
	Plan(p Problem, rng *rand.Rand, dst []float64)
}

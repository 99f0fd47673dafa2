package mbrl

import (
	"fmt"
	"io"
	"strings"

	"sandbox/control"
	"sandbox/mbrl/modelenv"
)

// Algorithm is one training algorithm's side of Train's loop, in the
// manner of gonum's optimize.Method: the driver owns the environment, the
// replay buffer of real transitions, the step budget, evaluations,
// metrics and checkpoints, and asks the algorithm for what only it knows.
//
// Each training episode is collected with Controller(r, false) (uniform
// random actions for the config's first RandomEpisodes), calling AfterStep
// after every transition added and AfterEpisode at its end. Evaluations
// run Controller(r, true) on held-out goals; Report adds the algorithm's
// figures to the evaluation's Metric; Parts are saved in the checkpoint
// and given back to the registered AlgoSpec.Load on resume.
type Algorithm interface {
	Controller(r *Run, eval bool) (control.Controller, error)
	AfterStep(r *Run) error
	AfterEpisode(r *Run) error
	Report(r *Run, m *Metric) error
	Parts() []Part
}

// Collector is an Algorithm that gathers its own experience instead of
// the driver's episodes (DADS collects skill episodes into its own
// buffer): Collect advances the run by at least one env step, updating
// the run's counters. Its AlgoSpec sets OwnExperience.
type Collector interface {
	Collect(r *Run) error
}

// Finisher is an Algorithm with work at the end of a run that has a
// directory (the model diagnostics of the model-based algorithms).
type Finisher interface {
	Finish(r *Run) error
}

// Part is one file of a checkpoint.
type Part struct {
	Name  string
	Saver interface{ Save(io.Writer) error }
}

// AlgoSpec registers an algorithm by name.
type AlgoSpec struct {
	Name string
	// Summary is a one-line description with the paper it comes from.
	Summary string
	// Policy marks the algorithms that learn a SAC policy (and have a
	// Schedule) rather than planning with MPC or over skills.
	Policy bool
	// SmallProducts marks algorithms whose model math is minibatch-sized
	// (SAC updates, skill dynamics): too small for BLAS to share across
	// threads, so a run sets one BLAS thread.
	SmallProducts bool
	// OwnExperience marks algorithms that collect their own experience (a
	// Collector): the driver keeps no replay buffer and fits no model.
	OwnExperience bool
	// Overshoot, if not nil, bounds the env steps a run of c may take
	// past c.Steps, for a Collector that gathers more than one episode at
	// a time; the default is one episode of episode steps.
	Overshoot func(c Config, episode int) int
	// CheckMemory, if not nil, bounds the algorithm's own sizes in c
	// (which has its defaults) before anything is allocated.
	CheckMemory func(c Config, l modelenv.Layout) error
	// Defaults fills the algorithm's zero fields of c, before the common
	// defaults of Config.WithDefaults.
	Defaults func(c *Config)
	// Validate checks the algorithm's sections of c, which has its
	// defaults.
	Validate func(c Config) error
	// New starts the algorithm for a fresh run.
	New func(r *Run) (Algorithm, error)
	// Load restores it from the parts of a checkpoint.
	Load func(r *Run, parts Parts) (Algorithm, error)
	// Replan, if not nil, copies the planner settings of plan (which has
	// the algorithm's defaults) into c: the algorithm's evaluation
	// controller plans, and NewCheckpointControllerPlanning can swap its
	// planner.
	Replan func(c *Config, plan Config)
}

// algorithms is the registry, in the order help texts list them.
var algorithms = []*AlgoSpec{&petsSpec, &pddmSpec, &sacSpec, &mbpoSpec, &dynaSpec, &palSpec, &malSpec, &dadsSpec}

// Algos lists the registered algorithms' names.
var Algos = func() []string {
	names := make([]string, len(algorithms))
	for i, a := range algorithms {
		names[i] = a.Name
	}
	return names
}()

// LookupAlgo returns the registered algorithm called name.
func LookupAlgo(name string) (*AlgoSpec, error) {
	for _, a := range algorithms {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("mbrl: unknown algorithm %q (known: %s)", name, strings.Join(Algos, ", "))
}

// PolicyAlgo reports whether algo learns a policy (SAC and the
// model-based algorithms built on it) rather than planning.
func PolicyAlgo(algo string) bool {
	a, err := LookupAlgo(algo)
	return err == nil && a.Policy
}

// noHooks gives an Algorithm the hooks it does not need.
type noHooks struct{}

func (noHooks) AfterStep(*Run) error       { return nil }
func (noHooks) AfterEpisode(*Run) error    { return nil }
func (noHooks) Report(*Run, *Metric) error { return nil }

package mbrl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"sandbox/internal/jsonfile"

	"sandbox/mbrl/dads"
	"sandbox/mbrl/ensemble"
	"sandbox/mbrl/sac"
)

// Config is a training run. PETS (Chua et al. 2018) and PDDM (Nagabandi et
// al. 2019) plan with MPC on the ensemble; SAC, MBPO, Dyna, PAL and MAL
// learn a policy with SAC, the model-based ones on model rollouts too, as
// their Schedule says (see Schedule for each algorithm's defaults).
//
// PETS and PDDM collect episodes with MPC on the current ensemble (random
// actions for the first RandomEpisodes), add them to a replay buffer, and
// refit the ensemble every RetrainEvery env steps; they differ in the
// planner (CEM vs MPPI with filtering) and the ensemble size, set in the
// defaults of assets/configs. Zero fields take the defaults documented on
// each field.
//
// The reference settings (PETS: 5 members of 4×200, CEM 400×20 particles
// over 15 steps, 5 iterations) cost ~100 GFLOP per control step, far beyond
// a 2-core CPU. assets/configs/pets-reacher.json scales them down to about
// 45 ms of CPU per control step with OpenBLAS: 5 members of 3×128 that see
// the reacher's joint angles as angles and the link orientations (their
// running sums, ensemble.Config.Angles and AngleSums); CEM with
// 64 plans, 8 elites, 3 iterations over 8 steps, scored by each member's
// mean prediction (5 particles, TS∞ without sampled noise); iCEM's colored
// noise (β = 2) with a small initial spread (0.1) and the elite mean
// executed, because the reacher's actions are absolute joint targets and a
// wide spread throws the fingertip about by decimetres (see the reacher's
// oracle settings); fits of up to 50 epochs (batch 32, early stopping)
// every 500 env steps.
type Config struct {
	Task string `json:"task"`
	Algo string `json:"algo"`
	// Steps is the budget of training env steps; default 15000 (PETS's
	// reacher budget). The run ends with the episode that reaches it.
	Steps int `json:"steps"`
	// Seed fixes every random draw of the run.
	Seed uint64 `json:"seed"`
	// RandomEpisodes is the number of initial episodes with uniform random
	// actions; default 1 (PETS).
	RandomEpisodes int `json:"random_episodes"`
	// RetrainEvery is the number of env steps between model fits; default
	// 250. The first fit follows the random episodes.
	RetrainEvery int `json:"retrain_every"`
	// EvalEvery is the number of env steps between evaluations (and
	// checkpoints); default 2500. The run also evaluates at its end.
	EvalEvery int `json:"eval_every"`
	// EvalEpisodes is the number of evaluation episodes; default 10.
	EvalEpisodes int `json:"eval_episodes"`
	// BufferCapacity caps the replay buffer; 0 keeps every transition.
	BufferCapacity int `json:"buffer_capacity"`
	// Derive has the model predict the task's primary observation parts
	// only; the task computes its derived parts (tasks.Deriver: the
	// reacher's fingertip from the joint angles) from every prediction.
	Derive bool `json:"derive,omitempty"`
	// Model is the ensemble architecture (see ensemble.Config).
	Model ensemble.Config `json:"model"`
	// Fit holds the model-fitting options (see ensemble.TrainConfig).
	Fit ensemble.TrainConfig `json:"fit"`
	// Planner is the MPC planner of PETS and PDDM (see PlannerConfig).
	Planner PlannerConfig `json:"planner"`
	// Policy is the SAC learner of the policy algorithms (see sac.Config).
	Policy sac.Config `json:"policy,omitzero"`
	// Schedule interleaves env steps, model fits, model rollouts and
	// policy updates for the policy algorithms (see Schedule).
	Schedule Schedule `json:"schedule,omitzero"`
	// DADS sets skill discovery (algorithm "dads", see dads.Config); its
	// Seed is derived from the run's.
	DADS dads.Config `json:"dads,omitzero"`
}

// ParseConfig decodes a JSON config: one object (not null) and nothing
// after it, unknown fields rejected, errors at line:column.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := jsonfile.Decode(data, &c); err != nil {
		return c, fmt.Errorf("mbrl: config: %w", err)
	}
	return c, nil
}

// maxConfigBytes bounds a config file: the largest shipped is a few kB.
const maxConfigBytes = 1 << 20

// ReadConfig reads and decodes the config file at path (see ParseConfig);
// a file above 1 MB is refused unread.
func ReadConfig(path string) (Config, error) {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Config{}, fmt.Errorf("mbrl: config file %q does not exist", path)
	case err != nil:
		return Config{}, fmt.Errorf("mbrl: config: %w", err)
	case fi.IsDir():
		return Config{}, fmt.Errorf("mbrl: config file %q is a directory", path)
	case fi.Size() > maxConfigBytes:
		return Config{}, fmt.Errorf("mbrl: config file %q holds %d bytes, more than a config's limit of %d", path, fi.Size(), maxConfigBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("mbrl: config: %w", err)
	}
	var c Config
	if err := jsonfile.Decode(data, &c); err != nil {
		return c, fmt.Errorf("mbrl: config %s:%w", path, err)
	}
	return c, nil
}

// WithDefaults returns c with zero fields set to their defaults: its
// algorithm's first (AlgoSpec.Defaults), then the common ones below.
func (c Config) WithDefaults() Config {
	if a, err := LookupAlgo(c.Algo); err == nil {
		a.Defaults(&c)
	}
	if c.Steps == 0 {
		c.Steps = 15000
	}
	if c.RandomEpisodes == 0 {
		c.RandomEpisodes = 1
	}
	if c.RetrainEvery == 0 {
		c.RetrainEvery = 250
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = 2500
	}
	if c.EvalEpisodes == 0 {
		c.EvalEpisodes = 10
	}
	c.Planner = c.Planner.withDefaults()
	return c
}

// Validate reports the first invalid field of c (after defaults).
func (c Config) Validate() error {
	algo, err := LookupAlgo(c.Algo)
	if err != nil {
		return err
	}
	c = c.WithDefaults()
	switch {
	case c.Task == "":
		return fmt.Errorf("mbrl: config has no task")
	case c.Steps < 1 || c.Steps > 100_000_000:
		return fmt.Errorf("mbrl: steps %d outside [1, 100000000]", c.Steps)
	case c.RandomEpisodes < 1 || c.RetrainEvery < 1 || c.EvalEvery < 1 || c.EvalEpisodes < 1:
		return fmt.Errorf("mbrl: random_episodes %d, retrain_every %d, eval_every %d, eval_episodes %d must be positive",
			c.RandomEpisodes, c.RetrainEvery, c.EvalEvery, c.EvalEpisodes)
	case c.BufferCapacity < 0:
		return fmt.Errorf("mbrl: buffer_capacity %d < 0", c.BufferCapacity)
	case c.Fit.Epochs < 0 || c.Fit.BatchSize < 0 || c.Fit.Patience < 0:
		return fmt.Errorf("mbrl: fit epochs %d, batch size %d, patience %d must not be negative", c.Fit.Epochs, c.Fit.BatchSize, c.Fit.Patience)
	}
	for _, h := range c.Model.Hidden {
		if h < 1 || h > 1<<14 {
			return fmt.Errorf("mbrl: model hidden width %d outside [1, 16384]", h)
		}
	}
	if c.Model.Members < 0 || c.Model.Members > 64 || c.Model.Elites < 0 {
		return fmt.Errorf("mbrl: model members %d outside [1, 64] or elites %d negative", c.Model.Members, c.Model.Elites)
	}
	if err := algo.Validate(c); err != nil {
		return err
	}
	return c.checkLimits()
}

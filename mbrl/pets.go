package mbrl

// petsSpec is PETS (Chua et al. 2018, "Deep Reinforcement Learning in a
// Handful of Trials using Probabilistic Dynamics Models"): a probabilistic
// ensemble with trajectory sampling, planned over with CEM. The paper's
// settings (5 members of 4×200, CEM 400–500 candidates with 40–50 elites,
// 20 particles, TS∞) are the zero-value defaults of Config; the shipped
// assets/configs/pets-*.json scale them to a small CPU.
var petsSpec = AlgoSpec{
	Name:     "pets",
	Summary:  "PETS: MPC with CEM on a probabilistic ensemble (Chua et al. 2018)",
	Defaults: modelDefaults,
	Validate: func(c Config) error { return c.Planner.Validate() },
	New:      newMPC,
	Load:     loadMPC,
	Replan:   func(c *Config, plan Config) { c.Planner = plan.Planner },
}

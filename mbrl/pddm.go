package mbrl

// pddmSpec is PDDM (Nagabandi et al. 2019, "Deep Dynamics Models for
// Learning Dexterous Manipulation"): the PETS loop with MPPI over
// filtered (β-smoothed) action noise and reward-weighted averaging (γ),
// each plan scored by every member's mean prediction.
var pddmSpec = AlgoSpec{
	Name:    "pddm",
	Summary: "PDDM: MPC with filtered MPPI on an ensemble (Nagabandi et al. 2019)",
	Defaults: func(c *Config) {
		if c.Planner.Kind == "" {
			c.Planner.Kind = "mppi"
		}
		modelDefaults(c)
	},
	Validate: func(c Config) error { return c.Planner.Validate() },
	New:      newMPC,
	Load:     loadMPC,
	Replan:   func(c *Config, plan Config) { c.Planner = plan.Planner },
}

package mbrl

// palSpec is PAL, policy as leader (Rajeswaran et al. 2020, "A Game
// Theoretic Framework for Model Based Reinforcement Learning"): every 1000
// env steps the model is refit to convergence (early stopping) on the 10k
// most recent transitions only, the aggressive follower, then the policy
// takes a conservative step of 2500 updates on model rollouts.
var palSpec = policySpec("pal", "PAL: policy as leader, model fit to convergence on recent data (Rajeswaran et al. 2020)",
	policyDefaults(Schedule{UpdatesPerFit: 2500, ModelWindow: 10000, RealRatio: 0.05, Rollouts: 10,
		RolloutLength: [4]int{1, 10, 5000, 25000}}, 0, func(c *Config) {
		if c.RetrainEvery == 0 {
			c.RetrainEvery = 1000
		}
	}))

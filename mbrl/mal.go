package mbrl

// malSpec is MAL, model as leader (Rajeswaran et al. 2020): every 1000 env
// steps the model takes a conservative step of 2 epochs on a 100k buffer,
// then the policy is optimised to convergence in it (up to 20000 updates,
// stopping when its model return stops improving).
var malSpec = policySpec("mal", "MAL: model as leader, policy optimised to convergence in the model (Rajeswaran et al. 2020)",
	policyDefaults(Schedule{UpdatesPerFit: 20000, PolicyConverge: true, RealRatio: 0.05, Rollouts: 10,
		RolloutLength: [4]int{1, 10, 5000, 25000}}, 20, func(c *Config) {
		if c.RetrainEvery == 0 {
			c.RetrainEvery = 1000
		}
		if c.BufferCapacity == 0 {
			c.BufferCapacity = 100000
		}
		if c.Fit.Epochs == 0 {
			c.Fit.Epochs = 2
		}
	}))

package mbrl

// sacSpec is model-free SAC (Haarnoja et al. 2018, "Soft Actor-Critic
// Algorithms and Applications"): one update per env step on real data.
var sacSpec = policySpec("sac", "SAC: model-free soft actor-critic (Haarnoja et al. 2018)",
	policyDefaults(Schedule{UpdatesPerStep: 1, RealRatio: 1}, 20, nil))

package mbrl

// dynaSpec is Dyna (Sutton 1990) with SAC: 2 updates per env step on half
// real, half one-step model transitions, 5 rollouts per update.
var dynaSpec = policySpec("dyna", "Dyna: SAC on real and one-step model transitions (Sutton 1990)",
	policyDefaults(Schedule{UpdatesPerStep: 2, RealRatio: 0.5, Rollouts: 5, RolloutLength: [4]int{1, 1, 0, 0}}, 20, nil))

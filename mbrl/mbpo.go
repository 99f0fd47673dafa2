package mbrl

// mbpoSpec is MBPO (Janner et al. 2019, "When to Trust Your Model:
// Model-Based Policy Optimization"): SAC on short branched rollouts of the
// ensemble. The paper takes 20 updates per env step on 5% real data with
// 400 rollouts per env step and k from 1 to 15; here 10 updates per step,
// 10 rollouts per update and k from 1 to 10 over env steps 5k–25k.
var mbpoSpec = policySpec("mbpo", "MBPO: SAC on branched model rollouts (Janner et al. 2019)",
	policyDefaults(Schedule{UpdatesPerStep: 10, RealRatio: 0.05, Rollouts: 10, RolloutLength: [4]int{1, 10, 5000, 25000}}, 20, nil))

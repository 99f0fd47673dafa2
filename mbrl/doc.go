// Package mbrl is the model-based RL core's training layer: one driver
// loop (Train) over an Algorithm interface, the algorithms registered by
// name (one file each: pets, pddm, sac, mbpo, dyna, pal, mal, dads),
// their configs and defaults, checkpoints, and controllers by name
// (NewController: zero, random, scripted, oracle, oracle:FILE,
// ckpt:DIR).
//
// The layers below it, as in mbrl-lib:
//
//	mbrl/nn, mbrl/ensemble  neural networks and probabilistic ensembles (models)
//	mbrl/modelenv           an ensemble as a task's environment: PETS's
//	                        planning objective and MBPO's rollouts
//	mbrl/replay, mbrl/sac   replay buffers and the SAC learner
//	mbrl/dads               skill discovery and its latent-space planner
//	control                 the planners (CEM, MPPI, random shooting)
//
// and beside it: mbrl/eval (success rates on held-out goals),
// mbrl/compare (several algorithms over seeds), mbrl/plot (figures).
package mbrl

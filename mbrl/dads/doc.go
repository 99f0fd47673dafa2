// Package dads implements DADS, dynamics-aware unsupervised discovery of
// skills (Sharma, Gu, Levine, Kumar and Hausman, ICLR 2020;
// google-research/dads), and its latent-space planner.
//
// DADS learns, with no task reward, a skill-conditioned policy π(a|o, z)
// (SAC, package sandbox/mbrl/sac) and skill dynamics q(Δs|s, z), a mixture
// of Gaussians over a low-dimensional skill space s of the observation
// (tasks.SkillSpacer: the reacher's fingertip, the quadruped's torso x and
// pitch, the claw's valve angle). Skills z ~ U[−1, 1]^D are drawn per
// episode; the policy's reward is the intrinsic reward
//
//	r = log q(Δs|s, z) − log (1/L) Σ_i q(Δs|s, z_i),   z_i ~ U[−1, 1]^D,
//
// which is high where the skill is predictable from z and different from
// other skills. A Learner runs the loop (collect, train the skill dynamics,
// relabel rewards, train SAC) a phase at a time.
//
// Zero-shot control: a Planner (a control.Controller) runs MPPI over skill
// sequences, rolls each candidate out in the skill dynamics, scores the
// predicted observations with the task's own reward, and executes π(a|o, z)
// for H_Z steps before it replans.
package dads

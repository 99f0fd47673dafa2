package tasks

import "math"

// SkillSpacer is implemented by tasks that name a low-dimensional skill
// space: the part of the observation in which DADS (Sharma et al. 2019)
// learns skill dynamics q(Δs|s, z) and its latent-space planner predicts
// where a skill goes. Task rewards read fields derived from that state (the
// reacher's tip − goal, the quadruped's pitch error), so the planner writes
// predicted states back into an observation with SetSkillState before it
// calls Task.Reward on it.
type SkillSpacer interface {
	// SkillSpace names the skill state's components, with units; its
	// length is the skill-space dimension.
	SkillSpace() []string
	// SkillState writes the skill state of obs into s.
	SkillState(obs, s []float64)
	// SetSkillState writes the skill state s into obs and updates the
	// fields derived from it; every other field is left alone.
	SetSkillState(obs, s []float64)
	// GoalDependent names the observation slices that depend on the goal:
	// the goal itself and the fields derived from it. A skill policy that
	// must behave the same whatever the goal does not observe them.
	GoalDependent() []string
}

// SkillSpace implements SkillSpacer: the fingertip position.
func (*Reacher) SkillSpace() []string { return []string{"tip x, m", "tip y, m"} }

// SkillState implements SkillSpacer.
func (*Reacher) SkillState(obs, s []float64) { s[0], s[1] = obs[21], obs[22] }

// SetSkillState implements SkillSpacer: the tip and tip − goal.
func (*Reacher) SetSkillState(obs, s []float64) {
	obs[21], obs[22] = s[0], s[1]
	obs[25], obs[26] = s[0]-obs[23], s[1]-obs[24]
}

// GoalDependent implements SkillSpacer.
func (*Reacher) GoalDependent() []string { return []string{"goal", "tip_minus_goal"} }

// SkillSpace implements SkillSpacer: the torso's drift and pitch, the
// planar counterparts of DADS's D'Kitty x-y.
func (*Quadruped) SkillSpace() []string { return []string{"torso x, m", "pitch θ, rad"} }

// SkillState implements SkillSpacer. The pitch is θ = atan2(sin θ, cos θ),
// within ±60° while the robot has not fallen, so it does not wrap.
func (*Quadruped) SkillState(obs, s []float64) {
	s[0], s[1] = obs[35], math.Atan2(obs[2], obs[1])
}

// SetSkillState implements SkillSpacer: x, cos θ, sin θ and the pitch
// error.
func (*Quadruped) SetSkillState(obs, s []float64) {
	obs[35] = s[0]
	sn, c := math.Sincos(s[1])
	obs[1], obs[2] = c, sn
	obs[37] = math.Remainder(s[1]-obs[36], 2*math.Pi) // Derive's value from θ itself, not atan2(sin θ, cos θ)
}

// GoalDependent implements SkillSpacer.
func (*Quadruped) GoalDependent() []string { return []string{"target_pitch", "err"} }

// SkillSpace implements SkillSpacer: the valve angle as a point on the
// unit circle, which, unlike the angle, does not jump at ±π (the valve
// crosses it on the way to most targets).
func (*Claw) SkillSpace() []string { return []string{"valve cos θ", "valve sin θ"} }

// SkillState implements SkillSpacer.
func (*Claw) SkillState(obs, s []float64) { s[0], s[1] = obs[18], obs[19] }

// SetSkillState implements SkillSpacer: cos θ and sin θ, projected back
// onto the unit circle (a predicted point is off it), and the error to the
// target. A zero s leaves the valve where it was.
func (t *Claw) SetSkillState(obs, s []float64) {
	r := math.Hypot(s[0], s[1])
	if r == 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return
	}
	obs[18], obs[19] = s[0]/r, s[1]/r
	t.Derive(obs)
}

// GoalDependent implements SkillSpacer.
func (*Claw) GoalDependent() []string { return []string{"target_cos_sin", "err"} }

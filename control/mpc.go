package control

import (
	"fmt"
	"math/rand/v2"
)

// MPC is a receding-horizon Controller: at every step it plans Horizon
// actions ahead with Planner, executes the first, and replans at the next
// step (PETS, Chua et al. 2018; PDDM, Nagabandi et al. 2019).
//
// The planner is warm-started with the previous plan shifted one step
// earlier. The step left free at the end repeats the previous plan's last
// step by default, as PDDM's MPPI does; set ZeroFill to fill it with zeros,
// as PETS and mbrl-lib do. Problem.Prev is the action executed at the
// previous step (zeros after Reset), which MPPI's filtering starts from.
//
// Act allocates nothing beyond what Objective and Planner allocate. An MPC
// must not be used by several goroutines at once.
type MPC struct {
	Planner Planner
	Horizon int // steps planned ahead
	Dim     int // action dimension
	// Objective builds the objective for the current observation. The
	// result is used only during the Act call that built it, so it may
	// keep obs.
	Objective func(obs []float64) Objective
	// ZeroFill makes the warm start's last step zero instead of a copy of
	// the previous plan's last step.
	ZeroFill bool

	rng     *rand.Rand
	plan    []float64
	init    []float64
	prev    []float64
	planned bool
}

// Reset implements Controller: it forgets the previous plan and action and
// keeps rng for the planner.
func (m *MPC) Reset(rng *rand.Rand) {
	m.rng = rng
	m.planned = false
	n := m.Horizon * m.Dim
	if n > 0 {
		m.plan = grow(m.plan, n)
		m.init = grow(m.init, n)
		m.prev = grow(m.prev, m.Dim)
		clear(m.plan)
		clear(m.prev)
	}
}

// Act implements Controller. It panics if called before Reset, if Planner or
// Objective is nil, or if len(act) != Dim.
func (m *MPC) Act(obs, act []float64) {
	switch {
	case m.rng == nil:
		panic("control: MPC.Act called before Reset")
	case m.Planner == nil || m.Objective == nil:
		panic("control: MPC: nil Planner or Objective")
	case m.Horizon <= 0 || m.Dim <= 0:
		panic(fmt.Sprintf("control: MPC: non-positive Horizon %d or Dim %d", m.Horizon, m.Dim))
	case len(act) != m.Dim:
		panic(fmt.Sprintf("control: MPC: len(act) = %d, want Dim = %d", len(act), m.Dim))
	case len(m.plan) != m.Horizon*m.Dim:
		panic("control: MPC: Horizon or Dim changed since Reset")
	}
	n, d := len(m.plan), m.Dim
	copy(m.init, m.plan[d:])
	if m.ZeroFill {
		clear(m.init[n-d:])
	} else {
		copy(m.init[n-d:], m.plan[n-d:])
	}
	m.Planner.Plan(Problem{
		Horizon:   m.Horizon,
		Dim:       d,
		Objective: m.Objective(obs),
		Init:      m.init,
		Prev:      m.prev,
	}, m.rng, m.plan)
	copy(act, m.plan[:d])
	copy(m.prev, act)
	m.planned = true
}

// Plan returns the plan computed by the last Act, Horizon·Dim values whose
// first Dim were executed, or nil if Act has not been called since Reset.
// The slice is owned by m and overwritten by the next Act: read, don't
// modify or keep it.
func (m *MPC) Plan() []float64 {
	if !m.planned {
		return nil
	}
	return m.plan
}

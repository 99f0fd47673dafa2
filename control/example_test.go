package control_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/control"
)

// CEM maximises −(x − 0.3)² over one-step, one-dimensional plans.
func ExampleCEM() {
	p := control.Problem{
		Horizon: 1,
		Dim:     1,
		Objective: func(plans [][]float64, scores []float64) {
			for i, x := range plans {
				d := x[0] - 0.3
				scores[i] = -d * d
			}
		},
	}
	plan := make([]float64, 1)
	new(control.CEM).Plan(p, rand.New(rand.NewPCG(1, 2)), plan)
	fmt.Printf("%.2f\n", plan[0])
	// Output: 0.30
}

// MPC with MPPI drives the integrator x' = x + 0.1·a from x = 1 towards 0,
// replanning 10 steps ahead at every step.
func ExampleMPC() {
	m := &control.MPC{
		Planner: &control.MPPI{Samples: 200, Gamma: 10},
		Horizon: 10,
		Dim:     1,
		Objective: func(obs []float64) control.Objective {
			x0 := obs[0]
			return func(plans [][]float64, scores []float64) {
				for i, plan := range plans {
					x, s := x0, 0.0
					for _, a := range plan {
						x += 0.1 * a
						s -= x * x
					}
					scores[i] = s
				}
			}
		},
	}
	m.Reset(rand.New(rand.NewPCG(1, 2)))
	x, act := 1.0, make([]float64, 1)
	for step := range 30 {
		m.Act([]float64{x}, act)
		x += 0.1 * act[0]
		if step%10 == 9 {
			fmt.Printf("step %d: |x| < 0.05: %v\n", step+1, math.Abs(x) < 0.05)
		}
	}
	// Output:
	// step 10: |x| < 0.05: false
	// step 20: |x| < 0.05: true
	// step 30: |x| < 0.05: true
}

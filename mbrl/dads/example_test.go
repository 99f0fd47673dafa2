package dads_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/mbrl/dads"
)

// Skill dynamics learn that skill z moves a one-dimensional state by
// 0.1·z per step; a step that its skill predicts then earns a positive
// intrinsic reward, and the same step credited to the opposite skill a
// negative one.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	d, err := dads.NewSkillDynamics(1, 1, dads.DynamicsConfig{Hidden: []int{16}, LearningRate: 1e-2}, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	const n = 64
	s, z, next := make([]float64, n), make([]float64, n), make([]float64, n)
	for range 300 {
		for i := range n {
			s[i], z[i] = 2*rng.Float64()-1, 2*rng.Float64()-1
			next[i] = s[i] + 0.1*z[i]
		}
		if _, err := d.Train(s, z, next, n); err != nil {
			fmt.Println(err)
			return
		}
	}
	pred := make([]float64, 2)
	d.Predict([]float64{0, 0}, []float64{-1, 1}, 2, pred)
	fmt.Printf("predicted Δs for z = −1 and 1: %.2f, %.2f\n", pred[0], pred[1])

	r := make([]float64, 2)
	// The step 0 → 0.1, under skill 1 and under skill −1.
	if _, err := dads.IntrinsicReward(d, []float64{0, 0}, []float64{1, -1}, []float64{0.1, 0.1}, 2, 100, rng, r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("intrinsic reward: %.1f under its own skill, %.1f under the opposite one (at most log 101 = %.1f)\n", r[0], r[1], math.Log(101))
	// Output:
	// predicted Δs for z = −1 and 1: -0.10, 0.10
	// intrinsic reward: 0.9 under its own skill, -5.2 under the opposite one (at most log 101 = 4.6)
}

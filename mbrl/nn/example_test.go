package nn_test

import (
	"fmt"
	"math/rand/v2"

	"sandbox/mbrl/nn"
)

// An ensemble of two members fits y = 2x − 1 from four samples each.
func ExampleMLP() {
	rng := rand.New(rand.NewPCG(1, 1))
	net, err := nn.NewMLP(2, []int{1, 16, 1}, nn.Config{}, rng)
	if err != nil {
		panic(err)
	}
	const n = 4
	// Rows of member 0, then rows of member 1.
	x := []float32{-1, -0.5, 0.5, 1, -1, -0.5, 0.5, 1}
	ws := net.NewWorkspace(2 * n)
	dy := make([]float32, 2*n)
	opt := nn.Adam{LearningRate: 1e-2}
	for range 2000 {
		y := net.Forward(ws, x, n)
		for i, yi := range y {
			dy[i] = 2 * (yi - (2*x[i] - 1)) / n
		}
		net.ZeroGrad()
		net.Backward(ws, dy, nil)
		opt.Step(net.Params, net.Grads, nil)
	}
	y := net.Forward(ws, x, n)
	fmt.Printf("member 0 at x=1: %.2f\nmember 1 at x=-1: %.2f\n", y[3], y[4])
	// Output:
	// member 0 at x=1: 1.00
	// member 1 at x=-1: -3.00
}

package ensemble_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/mbrl/ensemble"
)

// A PETS-style ensemble learns the scalar system x' = 0.9x + 0.5u from
// noisy transitions and propagates particles with TS∞.
func Example() {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 1000
	data := ensemble.Dataset{Obs: make([]float32, n), Act: make([]float32, n), Next: make([]float32, n)}
	for i := range n {
		x, u := 2*rng.Float64()-1, 2*rng.Float64()-1
		data.Obs[i], data.Act[i] = float32(x), float32(u)
		data.Next[i] = float32(0.9*x + 0.5*u + 0.01*rng.NormFloat64())
	}

	ens, err := ensemble.New(2, 1, ensemble.Config{Hidden: []int{32, 32}}, rng)
	if err != nil {
		panic(err)
	}
	stats, err := ens.Train(data, ensemble.TrainConfig{Epochs: 30}, rng)
	if err != nil {
		panic(err)
	}
	fmt.Println("members:", ens.Members(), "elites:", len(stats.Elites))

	// 20 particles from x = 0.5 under u = 0.2; the true next state is 0.55.
	const p = 20
	obs, act, next := make([]float32, p), make([]float32, p), make([]float32, p)
	members := make([]int, p)
	for i := range p {
		obs[i], act[i] = 0.5, 0.2
	}
	ens.AssignMembers(members, rng)
	ens.Step(ensemble.TSInf, obs, act, members, next, rng)
	var mean float64
	for _, x := range next {
		mean += float64(x) / p
	}
	fmt.Println("particle mean within 0.02 of 0.55:", math.Abs(mean-0.55) < 0.02)
	// Output:
	// members: 5 elites: 5
	// particle mean within 0.02 of 0.55: true
}

package sac_test

import (
	"fmt"
	"math/rand/v2"

	"sandbox/internal/seed"
	"sandbox/mbrl/replay"
	"sandbox/mbrl/sac"
)

// SAC learns a one-step bandit whose reward −10·(a − 0.5)² peaks at a = 0.5:
// every transition terminates, so the critics learn the reward itself and
// the policy's mean action moves to the peak.
func Example() {
	rng := seed.Stream(1, "sac example")
	agent, err := sac.New(1, 1, sac.Config{Hidden: []int{32, 32}, BatchSize: 64, LR: 1e-3}, rng)
	if err != nil {
		panic(err)
	}
	buf, _ := replay.New(1, 1, 1000)
	obs, act := []float64{0}, make([]float64, 1)
	var batch replay.Batch
	for range 3000 {
		agent.Act(obs, act, rng)
		r := -10 * (act[0] - 0.5) * (act[0] - 0.5)
		_ = buf.Add(replay.Transition{Obs: obs, Act: act, Reward: r, Next: obs, Terminated: true})
		_ = buf.Sample(rng, 64, &batch)
		agent.Update(&batch, rng)
	}
	mean := 0.0
	for range 1000 {
		agent.Act(obs, act, rng)
		mean += act[0] / 1000
	}
	fmt.Printf("updates: %d\nmean action: %.1f\n", agent.Updates(), mean)
	// Output:
	// updates: 3000
	// mean action: 0.5
}

// Act draws a policy sample from rng, or acts deterministically with nil.
func ExampleAgent_Act() {
	agent, err := sac.New(4, 2, sac.Config{}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		panic(err)
	}
	obs := []float64{0.1, 0.2, 0.3, 0.4}
	act := make([]float64, agent.ActDim())
	agent.Act(obs, act, nil)
	det := append([]float64(nil), act...)
	agent.Act(obs, act, nil)
	fmt.Println("deterministic repeatable:", det[0] == act[0] && det[1] == act[1])
	agent.Act(obs, act, rand.New(rand.NewPCG(3, 4)))
	fmt.Println("in [-1, 1]:", act[0] >= -1 && act[0] <= 1 && act[1] >= -1 && act[1] <= 1)
	// Output:
	// deterministic repeatable: true
	// in [-1, 1]: true
}

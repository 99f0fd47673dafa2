package compare_test

import (
	"fmt"
	"os"

	"sandbox/mbrl"
	"sandbox/mbrl/compare"
	"sandbox/mbrl/sac"
)

// Two seeds of model-free SAC on the reacher, a few hundred steps each:
// compare writes one run directory per seed, curve.png and summary.md.
func ExampleRun() {
	dir, err := os.MkdirTemp("", "compare-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	cfg := mbrl.Config{Task: "reacher", Algo: "sac", Steps: 200, EvalEvery: 100, EvalEpisodes: 1, RandomEpisodes: 2,
		Policy: sac.Config{Hidden: []int{16, 16}, BatchSize: 16}}
	res, err := compare.Run(compare.Options{Configs: []mbrl.Config{cfg}, Seeds: 2, Seed: 1, Dir: dir})
	if err != nil {
		panic(err)
	}
	a := res.Algos[0]
	fmt.Println(a.Algo, a.Seeds, a.StepsTo90 == nil)
	// Output: sac [1 2] true
}

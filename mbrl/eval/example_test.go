package eval_test

import (
	"fmt"

	"sandbox/control"
	"sandbox/mbrl/eval"
	"sandbox/tasks"
)

// The zero controller holds every joint in the middle of its range: it
// reaches none of the reacher's random goals.
func ExampleRun() {
	env, err := tasks.Make("reacher")
	if err != nil {
		panic(err)
	}
	res, err := eval.Run(env, control.Zero{}, 5, 7, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d/%d successes, %d env steps, ended by %v\n", res.Successes, res.Episodes, res.EnvSteps, res.Reasons)
	// Output:
	// 0/5 successes, 250 env steps, ended by map[time limit:5]
}

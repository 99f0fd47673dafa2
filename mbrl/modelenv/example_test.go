package modelenv_test

import (
	"fmt"

	"sandbox/mbrl/modelenv"
	"sandbox/tasks"
)

// A learned model of the reacher predicts the 25 observation values that
// are neither the goal nor the last-action copy, from those values, the
// last action and the action (7 + 7).
func ExampleNewLayout() {
	env, err := tasks.Make("reacher")
	if err != nil {
		panic(err)
	}
	l, err := modelenv.NewLayout(env.Task(), false)
	if err != nil {
		panic(err)
	}
	fmt.Println("observation:", l.ObsDim, "predicted:", l.StateDim(), "action input:", l.InputActDim())
	// Output:
	// observation: 34 predicted: 25 action input: 14
}

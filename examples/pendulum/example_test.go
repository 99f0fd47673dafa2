package pendulum_test

import (
	"fmt"
	"math/rand/v2"

	_ "sandbox/examples/pendulum"
	"sandbox/tasks"
)

// The blank import registers the task; from then on it is used by id like
// any built-in task.
func Example() {
	env, err := tasks.Make("pendulum")
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := env.Spec()
	obs := env.Reset(rand.New(rand.NewPCG(1, 2)))
	goal, _ := spec.Field("goal")
	fmt.Printf("%s: %d observations, %d action, %d steps\n", spec.ID, spec.ObsDim(), spec.ActionDim, spec.Steps)
	fmt.Printf("goal within 30° of upright: %v\n", obs[goal.Start] > 2.61 && obs[goal.Start] < 3.67)
	// Output:
	// pendulum: 7 observations, 1 action, 60 steps
	// goal within 30° of upright: true
}

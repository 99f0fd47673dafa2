package seed_test

import (
	"fmt"

	"sandbox/internal/seed"
)

// A run derives every random stream from one user seed: the environment's,
// the planner's, one per evaluation episode. Equal arguments give equal
// streams, so a part's numbers do not depend on how much other parts draw.
func ExampleStream() {
	env := seed.Stream(7, "env")
	planner := seed.Stream(7, "planner")
	planner.Float64() // drawing from one stream never shifts another
	again := seed.Stream(7, "env")
	fmt.Println(env.IntN(1000) == again.IntN(1000))

	var first []int // the first draw of each evaluation episode's stream
	for episode := range uint64(3) {
		first = append(first, seed.Stream(7, "eval", episode).IntN(1000))
	}
	fmt.Println(first)
	// Output:
	// true
	// [686 339 158]
}

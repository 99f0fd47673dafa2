package robots_test

import (
	"fmt"

	"sandbox/robots"
)

func Example() {
	m, err := robots.Load("reacher")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := m.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	tip, _ := r.Site("tip")
	fmt.Printf("%d actuators, fingertip at (%.2f, %.2f) m\n", r.ActionDim(), tip.Pos().X, tip.Pos().Y)
	// Output: 7 actuators, fingertip at (1.40, 0.00) m
}

package main

import (
	"log"

	"sandbox/assets"
	"sandbox/mbrl"
)

// The zoo of trained agents embedded in the binary serves zoo:NAME.
func init() {
	z, err := mbrl.OpenZoo(assets.Zoo())
	if err != nil {
		log.Fatal(err) // the embedded index is checked by the tests
	}
	mbrl.UseZoo(z)
}

// cycle is the viewer's controller cycle (key C) for a task: its zoo
// agents, best first, then the scripted controller and the oracle.
func cycle(task string) []string {
	var specs []string
	if z := mbrl.CurrentZoo(); z != nil {
		for _, a := range z.ForTask(task) {
			specs = append(specs, "zoo:"+a.Name)
		}
	}
	return append(specs, "scripted", "oracle")
}

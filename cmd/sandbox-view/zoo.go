package main

import (
	"sandbox/mbrl"
)

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

package main

// Add your task packages here: a blank import runs the package's init,
// which registers its tasks with tasks.Register (docs/adding-a-task.md).
// cmd/sandbox-view/tasks_extra.go lists the same packages for the viewer.
import (
	_ "sandbox/examples/pendulum"
)

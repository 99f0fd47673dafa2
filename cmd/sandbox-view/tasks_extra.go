package main

// Add your task packages here, as in cmd/sandbox/tasks_extra.go: the viewer
// is a separate binary and registers tasks on its own.
import (
	_ "sandbox/examples/pendulum"
)

package tasks

import "sandbox/sim"

// Marker is a shape a viewer draws over the scene, in world coordinates (m):
// a circle when Radius > 0, else the segment A–B.
type Marker struct {
	A, B   sim.Vec2
	Radius float64
}

// Drawer is implemented by tasks that show their goal in viewers. Both
// methods read observations only, so they also apply to states a learned
// model predicts.
type Drawer interface {
	// GoalMarkers appends to dst the markers that show the goal in obs
	// (a target point, a ghost of the target valve spoke, pitch or pen).
	GoalMarkers(obs []float64, dst []Marker) []Marker
	// Focus is the point whose path a viewer traces for a plan: the
	// fingertip, a valve spoke's tip, the torso, the pen's tip.
	Focus(obs []float64) sim.Vec2
}

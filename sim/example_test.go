package sim_test

import (
	"fmt"
	"log"
	"reflect"

	"sandbox/sim"
)

// A servo turns a one-link arm on a pin to 1 rad. After SetState the world
// steps as a pure function of the snapshot, whatever it did before: every
// replay from a snapshot taken half-way is the same, bit for bit, which is
// what lets the simulator serve as a planner's model.
func Example() {
	w, err := sim.NewWorld(sim.Config{}) // top-down (no gravity), 100 Hz
	if err != nil {
		log.Fatal(err)
	}
	apart := sim.Filter{Group: -1} // the link and its base do not collide
	base, err := w.AddBody(sim.BodyDef{Name: "base",
		Shapes: []sim.ShapeDef{{Kind: sim.Circle, Radius: 0.05, Filter: apart}}})
	if err != nil {
		log.Fatal(err)
	}
	link, err := w.AddBody(sim.BodyDef{Name: "link", Type: sim.Dynamic, Position: sim.Vec2{X: 0.2},
		Shapes: []sim.ShapeDef{{Kind: sim.Box, HalfWidth: 0.2, HalfHeight: 0.02, Density: 1, Filter: apart}}})
	if err != nil {
		log.Fatal(err)
	}
	hinge, err := w.AddJoint(sim.JointDef{Name: "hinge", A: base, B: link,
		Servo: sim.Servo{Kp: 10, MaxSpeed: 5, MaxTorque: 1}})
	if err != nil {
		log.Fatal(err)
	}

	hinge.SetTarget(1)
	run := func(steps int) {
		for range steps {
			if err := w.Step(); err != nil {
				log.Fatal(err)
			}
		}
	}
	run(50)
	half := w.State()
	run(50)
	tip := link.WorldPoint(sim.Vec2{X: 0.2})
	fmt.Printf("after %.1f s: hinge at %.2f rad, tip at (%.2f, %.2f) m\n", w.Time(), hinge.Angle(), tip.X, tip.Y)

	replay := func() sim.State {
		if err := w.SetState(half); err != nil {
			log.Fatal(err)
		}
		run(50)
		return w.State()
	}
	fmt.Println("replays agree:", reflect.DeepEqual(replay(), replay()))
	// Output:
	// after 1.0 s: hinge at 1.00 rad, tip at (0.22, 0.34) m
	// replays agree: true
}

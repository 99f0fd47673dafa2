package sim

import (
	"fmt"
	"math"
	"syscall"
	"testing"
	"time"
)

// The reference scenes of docs/bench/box2d_scenes.cpp (Box2D C++
// 2.4.1), built through sim, so that `go test -bench Scenes ./sim` and the
// C++ program time the same bodies, joints, contacts and solver settings
// (100 Hz, 8/3 iterations, continuous collision, motor speeds 2·sin(0.01t+i)
// changing every step, no speed limit to speak of). "box2d" is the bare port
// driven through the servos (StepBox2D); "sim" is World.Step, which adds
// external forces and the divergence check; "sim-discrete" is World.Step
// with continuous collision off, as the tasks' worlds run (sim.Config).

type scene struct {
	w  *World
	js []*Joint
}

func sceneBox(tb testing.TB, w *World, t BodyType, x, y, hx, hy, ang float64, group int16) *Body {
	tb.Helper()
	b, err := w.AddBody(BodyDef{Name: fmt.Sprint("b", len(w.Bodies())), Type: t, Position: Vec2{x, y}, Angle: ang,
		Shapes: []ShapeDef{{Kind: Box, HalfWidth: hx, HalfHeight: hy, Density: 1, Friction: 0.8, Filter: Filter{Group: group}}}})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (s *scene) hinge(tb testing.TB, a, b *Body, x, y, lo, hi, torque float64) {
	tb.Helper()
	j, err := s.w.AddJoint(JointDef{Name: fmt.Sprint("j", len(s.js)), A: a, B: b, Anchor: Vec2{x, y}, Limit: true, Lower: lo, Upper: hi,
		Servo: Servo{Kp: 1, MaxSpeed: 2, MaxTorque: torque}})
	if err != nil {
		tb.Fatal(err)
	}
	s.js = append(s.js, j)
}

func newScene(tb testing.TB, gravity float64) *scene {
	w, err := NewWorld(Config{Gravity: Vec2{0, gravity}, Continuous: true, MaxSpeed: 190})
	if err != nil {
		tb.Fatal(err)
	}
	return &scene{w: w}
}

var referenceScenes = []struct {
	name  string
	build func(testing.TB) *scene
}{
	{"reacher7", func(tb testing.TB) *scene {
		s := newScene(tb, 0)
		prev := sceneBox(tb, s.w, Static, 0, 0, 0.05, 0.05, 0, -1)
		for i := range 7 {
			l := sceneBox(tb, s.w, Dynamic, 0.15+0.3*float64(i), 0, 0.15, 0.025, 0, -1)
			s.hinge(tb, prev, l, 0.3*float64(i), 0, -2.6, 2.6, 5)
			prev = l
		}
		return s
	}},
	{"quadruped", func(tb testing.TB) *scene {
		s := newScene(tb, -9.81)
		sceneBox(tb, s.w, Static, 0, -0.5, 50, 0.5, 0, 0)
		torso := sceneBox(tb, s.w, Dynamic, 0, 0.6, 0.4, 0.08, 0, -1)
		for _, x := range []float64{-0.35, -0.25, 0.25, 0.35} {
			th := sceneBox(tb, s.w, Dynamic, x, 0.42, 0.03, 0.1, 0, -1)
			s.hinge(tb, torso, th, x, 0.52, -1.2, 1.2, 20)
			sh := sceneBox(tb, s.w, Dynamic, x, 0.22, 0.025, 0.1, 0, -1)
			s.hinge(tb, th, sh, x, 0.32, -2.0, 0.2, 20)
		}
		return s
	}},
	{"claw", func(tb testing.TB) *scene {
		s := newScene(tb, 0)
		ground, err := s.w.AddBody(BodyDef{Name: "ground", Type: Static, Shapes: []ShapeDef{{Kind: Circle, Radius: 0.01, Filter: Filter{Group: -1}}}})
		if err != nil {
			tb.Fatal(err)
		}
		var spokes []ShapeDef
		for k := range 3 {
			a := float64(k) * 2.094
			spokes = append(spokes, ShapeDef{Kind: Box, HalfWidth: 0.12, HalfHeight: 0.015, Center: Vec2{0.12 * math.Cos(a), 0.12 * math.Sin(a)}, Angle: a, Density: 1, Friction: 0.2})
		}
		valve, err := s.w.AddBody(BodyDef{Name: "valve", Type: Dynamic, Shapes: spokes})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := s.w.AddJoint(JointDef{Name: "valve", A: ground, B: valve, Servo: Servo{Friction: 0.05}}); err != nil {
			tb.Fatal(err)
		}
		for k := range 3 {
			a := float64(k)*2.094 + 1.047
			bx, by := 0.45*math.Cos(a), 0.45*math.Sin(a)
			b0 := sceneBox(tb, s.w, Static, bx, by, 0.03, 0.03, 0, -1)
			l1 := sceneBox(tb, s.w, Dynamic, 0.33*math.Cos(a), 0.33*math.Sin(a), 0.12, 0.02, a, 0)
			s.hinge(tb, b0, l1, bx, by, -1.5, 1.5, 3)
			l2 := sceneBox(tb, s.w, Dynamic, 0.15*math.Cos(a), 0.15*math.Sin(a), 0.06, 0.018, a, 0)
			s.hinge(tb, l1, l2, 0.21*math.Cos(a), 0.21*math.Sin(a), -1.5, 1.5, 3)
		}
		return s
	}},
	{"hand", func(tb testing.TB) *scene {
		s := newScene(tb, -9.81)
		palm := sceneBox(tb, s.w, Static, 0, 0, 0.3, 0.04, 0, -1)
		for f := range 4 {
			x, y, prev := -0.24+0.16*float64(f), 0.04, palm
			for range 3 {
				l := sceneBox(tb, s.w, Dynamic, x, y+0.05, 0.02, 0.05, 0, 0)
				s.hinge(tb, prev, l, x, y, -1.5, 1.5, 2)
				prev, y = l, y+0.1
			}
		}
		sceneBox(tb, s.w, Dynamic, 0, 0.4, 0.3, 0.02, 0.1, 0)
		return s
	}},
}

func BenchmarkScenes(b *testing.B) {
	for _, sc := range referenceScenes {
		for _, mode := range []string{"box2d", "sim", "sim-discrete"} {
			b.Run(sc.name+"/"+mode, func(b *testing.B) {
				build := func(b *testing.B) *scene {
					s := sc.build(b)
					if mode == "sim-discrete" {
						s.w.cfg.Continuous, s.w.b2.M_continuousPhysics = false, false
					}
					return s
				}
				s := build(b)
				t := 0
				cpu0 := cpuSeconds()
				for b.Loop() {
					// Servo speed = Kp·(target − angle) = the C++ motor speed.
					for i, j := range s.js {
						j.SetTarget(j.Angle() + 2*math.Sin(0.01*float64(t)+float64(i)))
					}
					if mode == "box2d" {
						s.w.StepBox2D()
					} else if err := s.w.Step(); err != nil {
						// The hand's fingers and pen can fling each other
						// apart; start over, as an Env would.
						s = build(b)
					}
					t++
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
				// Per CPU second of the process (collector included): a
				// loaded machine inflates it less than wall time. Compare
				// with the C++ program's third column, under GOMAXPROCS=1.
				b.ReportMetric(float64(b.N)/(cpuSeconds()-cpu0), "steps/cpu-s")
			})
		}
	}
}

// cpuSeconds is the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func TestReferenceScenesRun(t *testing.T) {
	for _, sc := range referenceScenes {
		s := sc.build(t)
		for k := range 200 {
			for i, j := range s.js {
				j.SetTarget(j.Angle() + 2*math.Sin(0.01*float64(k)+float64(i)))
			}
			if err := s.w.Step(); err != nil {
				t.Fatalf("%s: step %d: %v", sc.name, k, err)
			}
		}
	}
}

package sim

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func box(hw, hh float64) ShapeDef {
	return ShapeDef{Kind: Box, HalfWidth: hw, HalfHeight: hh, Density: 1, Friction: 0.6}
}

// pile builds a ground, a two-link arm on a pin and a few falling boxes: a
// scene with contacts, joints and servos.
func pile(t testing.TB) (*World, []*Joint) {
	w, err := NewWorld(Config{Gravity: Vec2{0, -9.81}})
	require.NoError(t, err)
	ground, err := w.AddBody(BodyDef{Name: "ground", Shapes: []ShapeDef{box(5, 0.1)}})
	require.NoError(t, err)
	arm1, err := w.AddBody(BodyDef{Name: "arm1", Type: Dynamic, Position: Vec2{0.25, 1}, Shapes: []ShapeDef{box(0.25, 0.03)}})
	require.NoError(t, err)
	arm2, err := w.AddBody(BodyDef{Name: "arm2", Type: Dynamic, Position: Vec2{0.75, 1}, Shapes: []ShapeDef{box(0.25, 0.03)}})
	require.NoError(t, err)
	servo := Servo{Kp: 10, MaxSpeed: 4, MaxTorque: 50}
	j1, err := w.AddJoint(JointDef{Name: "j1", A: ground, B: arm1, Anchor: Vec2{0, 1}, Limit: true, Lower: -2, Upper: 2, Servo: servo})
	require.NoError(t, err)
	j2, err := w.AddJoint(JointDef{Name: "j2", A: arm1, B: arm2, Anchor: Vec2{0.5, 1}, Limit: true, Lower: -2.5, Upper: 2.5, Servo: servo})
	require.NoError(t, err)
	for i := range 4 {
		_, err := w.AddBody(BodyDef{Name: fmt.Sprint("crate", i), Type: Dynamic, Position: Vec2{0.3 + 0.2*float64(i), 0.3 + 0.25*float64(i)},
			Angle: 0.3 * float64(i), Shapes: []ShapeDef{box(0.08, 0.08)}})
		require.NoError(t, err)
	}
	_, err = w.AddBody(BodyDef{Name: "ball", Type: Dynamic, Position: Vec2{-0.5, 0.5}, Shapes: []ShapeDef{{Kind: Circle, Radius: 0.1, Density: 1, Friction: 0.6}}})
	require.NoError(t, err)
	return w, []*Joint{j1, j2}
}

// drive steps the world n times with servo targets that change every step.
func drive(t testing.TB, w *World, js []*Joint, k0, n int) []BodyState {
	for k := k0; k < k0+n; k++ {
		for i, j := range js {
			j.SetTarget(1.5 * math.Sin(0.05*float64(k)+float64(i)))
		}
		require.NoError(t, w.Step())
	}
	return w.State().Bodies
}

func TestSetStateIsHistoryIndependent(t *testing.T) {
	w, js := pile(t)
	drive(t, w, js, 0, 120) // crates have landed: contacts are live
	s := w.State()
	require.NotEmpty(t, w.Contacts(nil), "the snapshot should be taken with live contacts")
	require.NoError(t, w.SetState(s))
	first := drive(t, w, js, 120, 80)

	drive(t, w, js, 200, 37) // a different history
	require.NoError(t, w.SetState(s))
	again := drive(t, w, js, 120, 80)
	assert.Equal(t, first, again, "same state and targets after a different history")

	fresh, fjs := pile(t)
	require.NoError(t, fresh.SetState(s))
	assert.Equal(t, first, drive(t, fresh, fjs, 120, 80), "same state in a freshly built world")
	assert.InDelta(t, s.Time+0.8, fresh.Time(), 1e-12, "time is restored and advanced")
}

// ColdStart drops exactly the impulses SetState drops: with it, a live
// world and one restored from its snapshot agree bit for bit (a scene
// without contacts, whose solver order cannot differ); without it they
// do not.
func TestColdStartMatchesARestore(t *testing.T) {
	arm := func() (*World, []*Joint) {
		w, err := NewWorld(Config{})
		require.NoError(t, err)
		base, err := w.AddBody(BodyDef{Name: "base", Shapes: []ShapeDef{box(0.05, 0.05)}})
		require.NoError(t, err)
		var js []*Joint
		prev := base
		for i := range 3 {
			link, err := w.AddBody(BodyDef{Name: fmt.Sprint("link", i), Type: Dynamic, Position: Vec2{0.25 + 0.5*float64(i), 0},
				Shapes: []ShapeDef{{Kind: Box, HalfWidth: 0.25, HalfHeight: 0.02, Density: 1, Filter: Filter{Group: -1}}}})
			require.NoError(t, err)
			j, err := w.AddJoint(JointDef{Name: fmt.Sprint("j", i), A: prev, B: link, Anchor: Vec2{0.5 * float64(i), 0},
				Limit: true, Lower: -1, Upper: 1, Servo: Servo{Kp: 10, MaxSpeed: 4, MaxTorque: 5}})
			require.NoError(t, err)
			js, prev = append(js, j), link
		}
		return w, js
	}
	for _, cold := range []bool{true, false} {
		w, js := arm()
		drive(t, w, js, 0, 50)
		clone, cjs := arm()
		require.NoError(t, clone.SetState(w.State()))
		if cold {
			w.ColdStart()
		}
		got, want := drive(t, w, js, 50, 20), drive(t, clone, cjs, 50, 20)
		assert.Equal(t, cold, assert.ObjectsAreEqual(want, got), "cold start %v: live world agrees with the restore", cold)
	}
}

func TestFilterIsHonoured(t *testing.T) {
	for _, tc := range []struct {
		name    string
		filter  Filter
		collide bool
	}{
		{"default collides", Filter{}, true},
		{"negative group never collides", Filter{Group: -1}, false},
		{"disjoint masks", Filter{Category: 2, Mask: 2}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewWorld(Config{Gravity: Vec2{0, -10}})
			require.NoError(t, err)
			g := box(2, 0.1)
			g.Filter = tc.filter
			_, err = w.AddBody(BodyDef{Name: "ground", Shapes: []ShapeDef{g}})
			require.NoError(t, err)
			c := box(0.1, 0.1)
			c.Filter = tc.filter
			if tc.filter.Category == 2 {
				c.Filter = Filter{Category: 4, Mask: 4}
			}
			b, err := w.AddBody(BodyDef{Name: "crate", Type: Dynamic, Position: Vec2{0, 0.5}, Shapes: []ShapeDef{c}})
			require.NoError(t, err)
			for range 100 {
				require.NoError(t, w.Step())
			}
			y := b.Position().Y
			if tc.collide {
				assert.InDelta(t, 0.2, y, 0.02, "crate rests on the ground (half heights 0.1 + 0.1)")
			} else {
				assert.Less(t, y, -1.0, "crate falls through the ground")
			}
		})
	}
}

func TestServoTracksTargetWithinLimits(t *testing.T) {
	w, js := pile(t)
	for _, target := range []float64{1, -0.6, 3} { // 3 is beyond the limit of 2
		js[0].SetTarget(target)
		for range 150 {
			require.NoError(t, w.Step())
		}
		want := math.Min(target, 2)
		// Tolerance: gravity on the arm needs a steady-state speed error of
		// torque/(Kp·damping); 0.05 rad is ample for 50 N·m.
		assert.InDelta(t, want, js[0].Angle(), 0.05, "SetTarget(%g): angle", target)
		assert.Equal(t, want, js[0].Target())
	}
}

func TestDivergenceIsReported(t *testing.T) {
	w, _ := pile(t)
	s := w.State()
	s.Bodies[3].Velocity = Vec2{1e6, 0}
	require.NoError(t, w.SetState(s))
	err := w.Step()
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrDiverged), "Step() = %v, want ErrDiverged", err)

	w, _ = pile(t)
	w.Bodies()[4].SetExternalForce(Vec2{math.Inf(1), 0}, Vec2{})
	require.NoError(t, w.Step(), "non-finite external forces are ignored")
}

func TestBadInputIsAnErrorNotAPanic(t *testing.T) {
	w, err := NewWorld(Config{})
	require.NoError(t, err)
	a, err := w.AddBody(BodyDef{Name: "a", Shapes: []ShapeDef{box(1, 1)}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		def  BodyDef
	}{
		{"no name", BodyDef{Shapes: []ShapeDef{box(1, 1)}}},
		{"no shapes", BodyDef{Name: "x"}},
		{"zero box", BodyDef{Name: "x", Shapes: []ShapeDef{box(0, 1)}}},
		{"negative radius", BodyDef{Name: "x", Shapes: []ShapeDef{{Kind: Circle, Radius: -1}}}},
		{"NaN position", BodyDef{Name: "x", Position: Vec2{math.NaN(), 0}, Shapes: []ShapeDef{box(1, 1)}}},
		{"collinear polygon", BodyDef{Name: "x", Shapes: []ShapeDef{{Kind: Polygon, Vertices: []Vec2{{0, 0}, {1, 0}, {2, 0}}}}}},
		{"non-convex polygon", BodyDef{Name: "x", Shapes: []ShapeDef{{Kind: Polygon, Vertices: []Vec2{{0, 0}, {2, 0}, {1, 0.2}, {2, 2}, {0, 2}}}}}},
		{"too many vertices", BodyDef{Name: "x", Shapes: []ShapeDef{{Kind: Polygon, Vertices: make([]Vec2, 9)}}}},
		{"massless dynamic", BodyDef{Name: "x", Type: Dynamic, Shapes: []ShapeDef{{Kind: Circle, Radius: 1}}}},
		{"restitution > 1", BodyDef{Name: "x", Shapes: []ShapeDef{{Kind: Circle, Radius: 1, Restitution: 2}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.AddBody(tc.def)
			assert.Error(t, err)
		})
	}
	b, err := w.AddBody(BodyDef{Name: "b", Type: Dynamic, Shapes: []ShapeDef{box(1, 1)}})
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		def  JointDef
	}{
		{"self", JointDef{Name: "j", A: b, B: b}},
		{"nil body", JointDef{Name: "j", A: a}},
		{"reversed limits", JointDef{Name: "j", A: a, B: b, Limit: true, Lower: 1, Upper: -1}},
		{"negative torque", JointDef{Name: "j", A: a, B: b, Servo: Servo{Kp: 1, MaxSpeed: 1, MaxTorque: -1}}},
		{"actuated without gain", JointDef{Name: "j", A: a, B: b, Servo: Servo{MaxTorque: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.AddJoint(tc.def)
			assert.Error(t, err)
		})
	}
	_, err = NewWorld(Config{Dt: -1})
	assert.Error(t, err)
	assert.Error(t, w.SetState(State{}), "state of another shape")
}

func TestShapesInWorldCoordinates(t *testing.T) {
	w, err := NewWorld(Config{})
	require.NoError(t, err)
	_, err = w.AddBody(BodyDef{Name: "b", Position: Vec2{1, 2}, Angle: math.Pi / 2, Shapes: []ShapeDef{
		{Kind: Box, HalfWidth: 0.5, HalfHeight: 0.1},
		{Kind: Circle, Radius: 0.2, Center: Vec2{1, 0}},
		{Kind: Polygon, Vertices: []Vec2{{0, 0}, {0, 1}, {1, 0}}}, // clockwise on purpose
	}})
	require.NoError(t, err)
	ds := w.Shapes(nil)
	require.Len(t, ds, 3)
	// Rotating by 90° maps body (x, y) to world (1−y, 2+x); 1e-12 allows for
	// the rounding of sin/cos(π/2).
	assert.InDelta(t, 1.1, ds[0].Vertices[0].X, 1e-12)
	assert.InDelta(t, 1.5, ds[0].Vertices[0].Y, 1e-12)
	assert.InDelta(t, 1.0, ds[1].Center.X, 1e-12)
	assert.InDelta(t, 3.0, ds[1].Center.Y, 1e-12)
	assert.Greater(t, polygonArea(ds[2].Vertices), 0.0, "polygons are returned counter-clockwise")
	again := w.Shapes(ds)
	assert.Same(t, &ds[0], &again[0], "Shapes reuses dst")
}

func TestContactsAndTouching(t *testing.T) {
	w, js := pile(t)
	drive(t, w, js, 0, 150)
	ground, ball := w.Bodies()[0], w.Bodies()[len(w.Bodies())-1]
	assert.True(t, w.Touching(ground, ball), "ball rests on the ground")
	assert.True(t, w.TouchingAny(ball))
	found := false
	for _, c := range w.Contacts(nil) {
		if (c.A == ground && c.B == ball) || (c.A == ball && c.B == ground) {
			found = true
			assert.InDelta(t, 1, c.Normal.Norm(), 1e-9, "unit normal")
		}
	}
	assert.True(t, found, "Contacts lists ground–ball")
}

func BenchmarkStep(b *testing.B) {
	for _, mode := range []string{"world", "bare-box2d"} {
		b.Run(mode, func(b *testing.B) {
			w, js := pile(b)
			s := w.State()
			k := 0
			for b.Loop() {
				if k%1000 == 0 {
					_ = w.SetState(s)
				}
				for i, j := range js {
					j.SetTarget(math.Sin(0.05*float64(k) + float64(i)))
				}
				if mode == "world" {
					_ = w.Step()
				} else {
					w.StepBox2D()
				}
				k++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

package sim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rebuild is how SetState restored a state before it reset the Box2D
// world in place: a new Box2D world with every body and joint created
// again. SetState must agree with it bit for bit.
func rebuild(w *World, s State) {
	w.b2, w.tableBody = newB2World(w.cfg), nil
	for _, b := range w.bodies {
		b.create(w.b2)
		b.force, b.forcePoint = Vec2{}, Vec2{}
	}
	for i, j := range w.joints {
		j.create(w.b2)
		j.target = s.Targets[i]
	}
	for i, b := range w.bodies {
		bs := s.Bodies[i]
		b.b2.SetTransform(bs.Position.b2(), bs.Angle)
		b.b2.SetLinearVelocity(bs.Velocity.b2())
		b.b2.SetAngularVelocity(bs.AngularVelocity)
	}
	w.time = s.Time
}

// TestSetStateInPlaceMatchesARebuild restores snapshots taken with live
// contacts in the pile and the four reference scenes (continuous collision
// on), after different histories, and checks that the next steps agree bit
// for bit with a world rebuilt from scratch at the same state.
func TestSetStateInPlaceMatchesARebuild(t *testing.T) {
	type build func(testing.TB) (*World, []*Joint)
	scenes := []struct {
		name  string
		build build
	}{{"pile", func(tb testing.TB) (*World, []*Joint) { return pile(tb) }}}
	for _, sc := range referenceScenes {
		scenes = append(scenes, struct {
			name  string
			build build
		}{sc.name, func(tb testing.TB) (*World, []*Joint) { s := sc.build(tb); return s.w, s.js }})
	}
	for _, sc := range scenes {
		t.Run(sc.name, func(t *testing.T) {
			live, js := sc.build(t)
			inPlace, ijs := sc.build(t)
			rebuilt, rjs := sc.build(t)
			contacts, done := 0, 0
			for k, at := range []int{60, 97, 150, 211} {
				drive(t, live, js, done, at-done)
				done = at
				s := live.State()
				contacts += len(live.Contacts(nil))
				// A history of its own for the in-place world.
				drive(t, inPlace, ijs, 1000+k, 13+k)
				require.NoError(t, inPlace.SetState(s))
				rebuild(rebuilt, s)
				got, want := drive(t, inPlace, ijs, at, 40), drive(t, rebuilt, rjs, at, 40)
				require.Equal(t, want, got, "restore %d (step %d): in place differs from a rebuild", k, at)
			}
			t.Logf("%s: %d live contacts at the four snapshots", sc.name, contacts)
			if sc.name != "reacher7" { // its links do not collide
				assert.Positive(t, contacts, "the snapshots should hold live contacts")
			}
		})
	}
}

// A spring recomputed every physics step pulls a free body to its end and
// holds it there; SetState removes it.
func TestSpringPullsEveryStep(t *testing.T) {
	w, err := NewWorld(Config{})
	require.NoError(t, err)
	b, err := w.AddBody(BodyDef{Name: "puck", Type: Dynamic, Shapes: []ShapeDef{{Kind: Circle, Radius: 0.1, Density: 1}}})
	require.NoError(t, err)
	m := b.Mass()
	// 2 Hz, critically damped: well inside K ≤ m/dt², C ≤ m/dt at 100 Hz.
	k := m * (2 * math.Pi * 2) * (2 * math.Pi * 2)
	b.SetSpring(Spring{To: Vec2{1, 0}, K: k, C: 2 * math.Sqrt(k*m)})
	s0 := w.State()
	for range 300 {
		require.NoError(t, w.Step())
	}
	assert.InDelta(t, 1, b.Position().X, 1e-3, "3 s after a 2 Hz critically damped pull") // e^{-4π·3} ≈ 0
	assert.InDelta(t, 0, b.Velocity().X, 1e-3)
	require.NoError(t, w.SetState(s0))
	for range 10 {
		require.NoError(t, w.Step())
	}
	assert.Equal(t, Vec2{}, b.Position(), "SetState removed the spring")
}

package sim

import (
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

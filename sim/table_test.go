package sim

import (
	"image/color"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// puck is a top-down world with a disc of radius 0.05 m on a table of
// friction mu, moving at v and spinning at om.
func puck(t *testing.T, mu float64, v Vec2, om float64) (*World, *Body) {
	w, err := NewWorld(Config{})
	require.NoError(t, err)
	disc := ShapeDef{Kind: Circle, Radius: 0.05, Density: 100}
	b, err := w.AddBody(BodyDef{Name: "puck", Type: Dynamic, TableFriction: mu, Shapes: []ShapeDef{disc}})
	require.NoError(t, err)
	s := w.State()
	s.Bodies[0].Velocity, s.Bodies[0].AngularVelocity = v, om
	require.NoError(t, w.SetState(s))
	return w, b
}

// TestTableFrictionIsCoulomb checks a sliding puck against Coulomb
// friction: constant deceleration μg, so it stops after v/(μg) s having
// slid v²/(2μg) m, and a spinning disc stops after ω·R/(2μg) s (torque
// μ·m·g·R against I = m·R²/2).
func TestTableFrictionIsCoulomb(t *testing.T) {
	const mu, v = 0.5, 1.0
	w, b := puck(t, mu, Vec2{X: v}, 0)
	stop := v / (mu * TableGravity)
	for w.Time() < stop/2-1e-9 {
		require.NoError(t, w.Step())
	}
	// One step of 0.01 s at 4.9 m/s² is 0.05 m/s: the tolerance.
	assert.InDelta(t, v/2, b.Velocity().X, 0.05, "speed halfway")
	for w.Time() < 2*stop {
		require.NoError(t, w.Step())
	}
	assert.InDelta(t, 0, b.Velocity().Norm(), 1e-9, "stopped")
	// Half a step at 1 m/s is 5 mm.
	assert.InDelta(t, v*v/(2*mu*TableGravity), b.Position().X, 0.005, "sliding distance")

	const om, r = 10.0, 0.05
	w, b = puck(t, mu, Vec2{}, om)
	for w.Time() < om*r/(2*mu*TableGravity)/2-1e-9 {
		require.NoError(t, w.Step())
	}
	// One step of angular deceleration 2μg/R = 196 rad/s² is 2 rad/s.
	assert.InDelta(t, om/2, b.AngularVelocity(), 2, "spin halfway")
	for range 20 {
		require.NoError(t, w.Step())
	}
	assert.InDelta(t, 0, b.AngularVelocity(), 1e-9, "spin stopped")

	w, b = puck(t, 0, Vec2{X: v}, 0)
	for range 50 {
		require.NoError(t, w.Step())
	}
	assert.Equal(t, v, b.Velocity().X, "no table, no friction")
}

// TestTableFrictionReplays checks that a world with table friction still
// replays a snapshot bit for bit (the friction joints are rebuilt too).
func TestTableFrictionReplays(t *testing.T) {
	w, _ := puck(t, 0.3, Vec2{X: 0.4, Y: -0.2}, 3)
	for range 5 {
		require.NoError(t, w.Step())
	}
	snap := w.State()
	run := func() State {
		require.NoError(t, w.SetState(snap))
		for range 10 {
			require.NoError(t, w.Step())
		}
		return w.State()
	}
	assert.Equal(t, run(), run())
}

func TestTableFrictionAndColorAreChecked(t *testing.T) {
	disc := ShapeDef{Kind: Circle, Radius: 0.05, Density: 1}
	for _, tc := range []struct {
		def  BodyDef
		want string
	}{
		{BodyDef{Name: "a", Type: Dynamic, TableFriction: -1, Shapes: []ShapeDef{disc}}, `sim: body "a": table friction -1 outside [0, 10]`},
		{BodyDef{Name: "a", Type: Dynamic, TableFriction: math.NaN(), Shapes: []ShapeDef{disc}}, `sim: body "a": table friction NaN outside [0, 10]`},
		{BodyDef{Name: "a", Type: Static, TableFriction: 0.5, Shapes: []ShapeDef{disc}}, `sim: body "a": table friction on a body that never moves`},
	} {
		w, err := NewWorld(Config{})
		require.NoError(t, err)
		_, err = w.AddBody(tc.def)
		assert.EqualError(t, err, tc.want)
	}
	w, err := NewWorld(Config{})
	require.NoError(t, err)
	red := color.NRGBA{200, 40, 40, 255}
	disc.Color = red
	_, err = w.AddBody(BodyDef{Name: "a", Type: Dynamic, Shapes: []ShapeDef{disc}})
	require.NoError(t, err)
	assert.Equal(t, red, w.Shapes(nil)[0].Color, "the shape list carries the colour")
}

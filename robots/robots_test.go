package robots_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/robots"
	"sandbox/sim"
)

// arm is a valid two-link model that the bad-input cases below break one
// field at a time.
const arm = `{
  "name": "arm",
  "bodies": [
    {"name": "base", "type": "static", "shapes": [{"circle": {"radius": 0.05}}]},
    {"name": "upper", "parent": "base",
     "shapes": [{"box": {"half": [0.25, 0.02], "center": [0.25, 0]}, "group": -1}],
     "joint": {"name": "shoulder", "range_deg": [-90, 90],
               "actuator": {"kp": 10, "max_speed": 3, "max_torque": 5}}},
    {"name": "fore", "parent": "upper", "pos": [0.5, 0],
     "shapes": [{"box": {"half": [0.2, 0.02], "center": [0.2, 0]}, "group": -1}],
     "joint": {"name": "elbow", "range_deg": [-120, 120],
               "actuator": {"kp": 10, "max_speed": 3, "max_torque": 5, "rate": 1}}},
    {"name": "puck", "pos": [0.8, 0.5], "shapes": [{"circle": {"radius": 0.05}}]}
  ]
}`

func TestParseRejectsBadFilesNamingTheField(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		{"unknown parent", `"parent": "upper"`, `"parent": "nope"`, `bodies[2] ("fore").parent: unknown parent "nope"`},
		{"zero size", `"half": [0.25, 0.02]`, `"half": [0, 0.02]`, `bodies[1] ("upper").shapes[0].box.half`},
		{"negative radius", `"radius": 0.05}}]},`, `"radius": -1}}]},`, `bodies[0] ("base").shapes[0].circle.radius`},
		{"reversed limits", `[-120, 120]`, `[120, -120]`, `bodies[2] ("fore").joint.range_deg: [120, -120] is reversed or empty`},
		{"negative gain", `"kp": 10, "max_speed": 3, "max_torque": 5}`, `"kp": -10, "max_speed": 3, "max_torque": 5}`, `bodies[1] ("upper").joint.actuator.kp`},
		{"unknown field", `"pos": [0.5, 0]`, `"position": [0.5, 0]`, `unknown field "position"`},
		{"wrong type", `"pos": [0.5, 0]`, `"pos": "far"`, `field bodies.pos`},
		{"two shapes in one", `{"circle": {"radius": 0.05}}]}`, `{"circle": {"radius": 0.05}, "box": {"half": [1, 1]}}]}`, `bodies[0] ("base").shapes[0]: want exactly one of circle, box, polygon`},
		{"duplicate body", `"name": "puck"`, `"name": "fore"`, `bodies[3] ("fore").name: duplicate body name`},
		{"joint without parent", `"name": "puck", "pos"`, `"name": "puck", "joint": {"name": "j"}, "pos"`, `a joint needs a parent body`},
		{"bad type", `"type": "static"`, `"type": "frozen"`, `bodies[0] ("base").type: "frozen"`},
		{"not JSON", `"bodies"`, `bodies`, `arm.json:`},
		{"table friction out of range", `"name": "arm",`, `"name": "arm", "world": {"table_friction": 20},`, `world.table_friction: 20, want a coefficient in [0, 10]`},
		{"table friction in a side view", `"name": "arm",`, `"name": "arm", "world": {"gravity": [0, -9.81], "table_friction": 0.3},`, `world.table_friction: 0.3 needs a top-down scene, but world.gravity is [0 -9.81] (a side view has no table)`},
		{"negative body table friction", `"name": "puck",`, `"name": "puck", "table_friction": -0.1,`, `bodies[3] ("puck").table_friction: -0.1, want a coefficient in [0, 10]`},
		{"table friction on a static body", `"type": "static",`, `"type": "static", "table_friction": 0.5,`, `bodies[0] ("base").table_friction: 0.5 on a static body, which never moves`},
		{"colour not hex", `{"circle": {"radius": 0.05}}]}`, `{"circle": {"radius": 0.05}, "color": "red"}]}`, `bodies[0] ("base").shapes[0].color: "red", want "#rrggbb" or "#rrggbbaa" (hex digits)`},
		{"colour bad digit", `{"circle": {"radius": 0.05}}]}`, `{"circle": {"radius": 0.05}, "color": "#12345g"}]}`, `bodies[0] ("base").shapes[0].color: "#12345g", want "#rrggbb" or "#rrggbbaa"`},
		{"colour invisible", `{"circle": {"radius": 0.05}}]}`, `{"circle": {"radius": 0.05}, "color": "#ff000000"}]}`, `bodies[0] ("base").shapes[0].color: "#ff000000" has alpha 0, which would hide the shape`},
		{"unknown warm start", `"name": "arm",`, `"name": "arm", "world": {"warm_starting": "sometimes"},`, `warm_starting "sometimes": want "always", "within_control_step" or "never"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Contains(t, arm, c.old, "test case must change the model")
			_, err := robots.Parse("arm.json", []byte(strings.Replace(arm, c.old, c.new, 1)))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "arm.json")
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestParseRejectsAbsurdCountsAndNumbers(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"name": "many", "bodies": [`)
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"name": "b%d", "shapes": [{"circle": {"radius": 0.1}}]}`, i)
	}
	b.WriteString("]}")
	_, err := robots.Parse("many.json", []byte(b.String()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "many.json: bodies: 300 bodies, at most 256")

	_, err = robots.Parse("huge.json", []byte(strings.Replace(arm, `"radius": 0.05}}]},`, `"radius": 1e300}}]},`, 1)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `huge.json: bodies[0] ("base").shapes[0].circle.radius`)
}

func TestLoadFromDiskNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.json")
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(arm, `[-90, 90]`, `[90, 90]`, 1)), 0o644))
	_, err := robots.Load(path)
	require.Error(t, err)
	assert.Contains(t, err.Error(), path+`: bodies[1] ("upper").joint.range_deg`)

	_, err = robots.Load("no-such-robot")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `no robot model "no-such-robot" (known: `)
	assert.Contains(t, err.Error(), "reacher")
}

func TestEmbeddedModelsBuild(t *testing.T) {
	require.NotEmpty(t, robots.Names())
	for _, name := range robots.Names() {
		t.Run(name, func(t *testing.T) {
			m, err := robots.Load(name)
			require.NoError(t, err)
			r, err := m.Build()
			require.NoError(t, err)
			assert.Len(t, r.Bodies(), len(m.Bodies))
			for range 100 {
				require.NoError(t, r.World.Step())
			}
		})
	}
}

func build(t *testing.T) *robots.Robot {
	t.Helper()
	m, err := robots.Parse("arm.json", []byte(arm))
	require.NoError(t, err)
	r, err := m.Build()
	require.NoError(t, err)
	return r
}

func TestBuildGivesActuatorsInModelOrder(t *testing.T) {
	r := build(t)
	require.Equal(t, 2, r.ActionDim())
	acts := r.Actuators()
	assert.Equal(t, "shoulder", acts[0].Joint.Name())
	assert.Equal(t, "elbow", acts[1].Joint.Name())
	assert.InDelta(t, -math.Pi/2, acts[0].Lower, 1e-12)
	assert.InDelta(t, 3.0, acts[0].Rate, 0, "rate defaults to max_speed")
	assert.InDelta(t, 1.0, acts[1].Rate, 0)
	_, err := r.Joint("knee")
	assert.ErrorContains(t, err, `arm.json has no joint "knee"`)
	_, err = r.Body("head")
	assert.ErrorContains(t, err, `arm.json has no body "head"`)
}

func TestPoseIsForwardKinematics(t *testing.T) {
	r := build(t)
	q1, q2 := 0.7, -1.1
	require.NoError(t, r.World.SetState(r.Pose(map[string]float64{"shoulder": q1, "elbow": q2})))
	fore, err := r.Body("fore")
	require.NoError(t, err)
	// The forearm's origin is the elbow, 0.5 m along the upper arm.
	want := sim.Vec2{X: 0.5 * math.Cos(q1), Y: 0.5 * math.Sin(q1)}
	assert.InDelta(t, want.X, fore.Position().X, 1e-12)
	assert.InDelta(t, want.Y, fore.Position().Y, 1e-12)
	assert.InDelta(t, q1+q2, fore.Angle(), 1e-12)
	assert.InDelta(t, q2, r.Actuators()[1].Joint.Angle(), 1e-9)
	// A free body keeps its own pose.
	puck, err := r.Body("puck")
	require.NoError(t, err)
	assert.InDelta(t, 0.8, puck.Position().X, 1e-12)
}

func TestCommandIsRateLimitedAndClamped(t *testing.T) {
	r := build(t)
	elbow := r.Actuators()[1]
	dt := 0.1
	r.Command([]float64{0, 5}, dt) // 5 clamps to 1: the elbow's upper limit
	assert.InDelta(t, 0, r.Actuators()[0].Joint.Target(), 1e-12)
	assert.InDelta(t, elbow.Rate*dt, elbow.Joint.Target(), 1e-12, "target moves at most rate·dt")
	for range 100 {
		r.Command([]float64{0, 5}, dt)
	}
	assert.InDelta(t, elbow.Upper, elbow.Joint.Target(), 1e-12)
	assert.InDelta(t, 1, elbow.TargetToAction(elbow.ActionToTarget(1)), 1e-12)
	assert.InDelta(t, -0.3, elbow.TargetToAction(elbow.ActionToTarget(-0.3)), 1e-12)
}

// A model that warm-starts only within a control step gives, after each
// Command, the same future as a clone restored from a snapshot; one that
// warm-starts always does not (its servos' carried impulses are hidden).
func TestWarmStartWithinControlStepMakesSnapshotsComplete(t *testing.T) {
	for _, c := range []struct {
		mode string
		want robots.WarmStart
	}{{`true`, robots.WarmAlways}, {`false`, robots.WarmNever}, {`"within_control_step"`, robots.WarmWithinControlStep}} {
		m, err := robots.Parse("arm.json", []byte(strings.Replace(arm, `"name": "arm",`, `"name": "arm", "world": {"warm_starting": `+c.mode+`},`, 1)))
		require.NoError(t, err)
		require.Equal(t, c.want, m.World.WarmStarting, c.mode)
		live, err := m.Build()
		require.NoError(t, err)
		period := func(r *robots.Robot, k int) {
			r.Command([]float64{math.Sin(float64(k)), math.Cos(1.7 * float64(k))}, 0.1)
			for range 10 {
				require.NoError(t, r.World.Step())
			}
		}
		for k := range 5 {
			period(live, k)
		}
		clone, err := m.Build()
		require.NoError(t, err)
		require.NoError(t, clone.World.SetState(live.World.State()))
		for k := 5; k < 8; k++ {
			period(live, k)
			period(clone, k)
		}
		same := assert.ObjectsAreEqual(live.World.State(), clone.World.State())
		assert.Equal(t, c.want != robots.WarmAlways, same, "warm_starting %s: clone agrees with the live robot", c.mode)
	}
}

// TestTableFrictionAndColorsReachTheWorld checks that the world's table
// friction reaches the free bodies only, a body's own overrides it, and
// shape colours reach the drawn shapes.
func TestTableFrictionAndColorsReachTheWorld(t *testing.T) {
	model := strings.Replace(arm, `"name": "arm",`, `"name": "arm", "world": {"table_friction": 0.4},`, 1)
	model = strings.Replace(model, `{"name": "puck", "pos": [0.8, 0.5], "shapes": [{"circle": {"radius": 0.05}}]}`,
		`{"name": "puck", "pos": [0.8, 0.5], "shapes": [{"circle": {"radius": 0.05}, "color": "#d04040"}]},
    {"name": "rug", "pos": [-0.8, 0.5], "table_friction": 1.2, "shapes": [{"box": {"half": [0.05, 0.05]}, "color": "#40d04080"}]}`, 1)
	m, err := robots.Parse("arm.json", []byte(model))
	require.NoError(t, err)
	r, err := m.Build()
	require.NoError(t, err)
	slide := func(name string) float64 {
		b, err := r.Body(name)
		require.NoError(t, err)
		s := r.Pose(nil)
		s.Bodies[b.Index()].Velocity = sim.Vec2{X: 1}
		require.NoError(t, r.World.SetState(s))
		for range 10 {
			require.NoError(t, r.World.Step())
		}
		return b.Velocity().X
	}
	// 0.1 s of Coulomb friction μg takes 1 m/s down to 1 − 0.981·μ.
	assert.InDelta(t, 1-0.1*0.4*sim.TableGravity, slide("puck"), 1e-6, "the world's table friction")
	assert.InDelta(t, 0, slide("rug"), 1e-6, "the body's own (stops within 0.1 s)")
	shapes := r.World.Shapes(nil)
	assert.Equal(t, uint8(0xd0), shapes[len(shapes)-2].Color.R)
	assert.Equal(t, uint8(0x80), shapes[len(shapes)-1].Color.A)
	assert.Equal(t, uint8(0), shapes[0].Color.A, "no colour: the viewer's")
}

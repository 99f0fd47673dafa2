// Package robots reads robot model files and builds them into sim worlds.
//
// A model file (assets/robots/NAME.json) is data, not code: a tree of bodies,
// each with shapes, an optional revolute joint to its parent, and named sites
// (points of interest such as a fingertip). The format is documented field
// by field in docs/model-format.md. Every error names the file and the field.
package robots

import (
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"sandbox/assets"
	"sandbox/internal/jsonfile"
	"sandbox/sim"
)

// Limits on models; anything beyond them is almost certainly a mistake.
// The cost of a physics step is bounded by maxShapes and by the overlaps
// at the rest pose (maxOverlaps).
const (
	maxBodies       = 256
	maxShapesOfBody = 32
	maxShapes       = 256
	maxSites        = 256
	maxSize         = 1e3 // m: sizes, positions and offsets
	maxDensity      = 1e5 // kg/m²
	maxDamping      = 1e3 // 1/s
	maxFriction     = 10  // Coulomb coefficient of shapes
	maxJointTorque  = 1e6 // N·m: joint friction and actuator torque
	maxGain         = 1e4 // 1/s: actuator kp
	maxJointSpeed   = 1e3 // rad/s: actuator max_speed and rate
	maxWorldSpeed   = 1e4 // m/s and rad/s: world max_speed
	maxGravity      = 1e3 // m/s²
	maxModelBytes   = 4 << 20
)

// Model is a parsed and validated robot model file.
type Model struct {
	Name   string      `json:"name"`
	World  WorldSpec   `json:"world"`
	Bodies []*BodySpec `json:"bodies"`

	file string
}

// WorldSpec sets up the physics world. Zero values select sim's defaults.
type WorldSpec struct {
	Gravity            [2]float64 `json:"gravity"` // m/s²
	Dt                 float64    `json:"dt"`      // s, default 0.01
	VelocityIterations int        `json:"velocity_iterations"`
	PositionIterations int        `json:"position_iterations"`
	MaxSpeed           float64    `json:"max_speed"` // m/s and rad/s, default 100
	Continuous         bool       `json:"continuous"`
	// WarmStarting says how long the solver carries its impulses; the
	// default is WarmAlways.
	WarmStarting WarmStart `json:"warm_starting"`
	// TableFriction is the Coulomb coefficient of a table under a top-down
	// scene (zero gravity) for every free body, a dynamic body without a
	// joint (see sim.BodyDef.TableFriction); a body's own table_friction
	// overrides it. Default 0: no table.
	TableFriction float64 `json:"table_friction"`
}

// WarmStart is how long a world's solver carries contact and joint
// impulses from one physics step to the next (sim.Config.NoWarmStart,
// sim.World.ColdStart). In a model file it is a name or a bool: true is
// "always", false is "never".
type WarmStart string

// The WarmStart modes.
const (
	// WarmAlways warm-starts every step from the previous one (Box2D's
	// default): stiff resting contacts, but the impulses are state that no
	// observation or snapshot holds.
	WarmAlways WarmStart = "always"
	// WarmWithinControlStep warm-starts within a control step and starts
	// each control step (Robot.Command) cold: contacts stay stiff, and a
	// snapshot taken between control steps determines the next one.
	WarmWithinControlStep WarmStart = "within_control_step"
	// WarmNever never warm-starts.
	WarmNever WarmStart = "never"
)

// UnmarshalJSON accepts a mode's name, true or false.
func (w *WarmStart) UnmarshalJSON(b []byte) error {
	var on bool
	if err := json.Unmarshal(b, &on); err == nil {
		*w = WarmNever
		if on {
			*w = WarmAlways
		}
		return nil
	}
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("warm_starting %s: want true, false or a mode name", b)
	}
	switch m := WarmStart(name); m {
	case WarmAlways, WarmWithinControlStep, WarmNever:
		*w = m
		return nil
	}
	return fmt.Errorf("warm_starting %q: want %q, %q or %q (or true / false)", name, WarmAlways, WarmWithinControlStep, WarmNever)
}

// BodySpec is one rigid body.
type BodySpec struct {
	Name   string `json:"name"`
	Type   string `json:"type"`   // "dynamic" (default) or "static"
	Parent string `json:"parent"` // a body listed earlier; empty = the world
	// Pos (m) and AngleDeg (degrees) place the body in its parent's frame
	// (the world frame when there is no parent), at joint angle zero.
	Pos            [2]float64 `json:"pos"`
	AngleDeg       float64    `json:"angle_deg"`
	LinearDamping  float64    `json:"linear_damping"`  // 1/s
	AngularDamping float64    `json:"angular_damping"` // 1/s
	// TableFriction, when set, is the body's table friction coefficient
	// (a dynamic body in a top-down scene), instead of the world's.
	TableFriction *float64              `json:"table_friction"`
	Shapes        []ShapeSpec           `json:"shapes"`
	Joint         *JointSpec            `json:"joint"`
	Sites         map[string][2]float64 `json:"sites"` // points in the body frame, m
}

// ShapeSpec is one shape: exactly one of Circle, Box, Polygon.
type ShapeSpec struct {
	Circle  *CircleSpec  `json:"circle"`
	Box     *BoxSpec     `json:"box"`
	Polygon *PolygonSpec `json:"polygon"`
	// Density in kg/m² (default 1), friction (default 0.6), restitution
	// (default 0).
	Density     *float64 `json:"density"`
	Friction    *float64 `json:"friction"`
	Restitution float64  `json:"restitution"`
	// Collision filter (Box2D rules): shapes with the same negative group
	// never collide; otherwise category & mask decide (0 and 0 = collide
	// with everything).
	Group    int16  `json:"group"`
	Category uint16 `json:"category"`
	Mask     uint16 `json:"mask"`
	// Color is how viewers draw the shape: "#rrggbb" or "#rrggbbaa"
	// (hex; alpha above 0). Default: the viewer's colour for the body.
	Color string `json:"color"`
}

// CircleSpec is a disc.
type CircleSpec struct {
	Radius float64    `json:"radius"` // m
	Center [2]float64 `json:"center"` // m, body frame
}

// BoxSpec is a rectangle.
type BoxSpec struct {
	Half     [2]float64 `json:"half"`   // half width and half height, m
	Center   [2]float64 `json:"center"` // m, body frame
	AngleDeg float64    `json:"angle_deg"`
}

// PolygonSpec is a convex polygon of 3 to 8 vertices.
type PolygonSpec struct {
	Vertices [][2]float64 `json:"vertices"` // m, body frame
}

// JointSpec is a revolute joint between a body and its parent.
type JointSpec struct {
	Name string `json:"name"`
	// Anchor is the pivot in the body's own frame, m.
	Anchor [2]float64 `json:"anchor"`
	// RangeDeg limits the joint angle, degrees; absent = unlimited.
	RangeDeg *[2]float64 `json:"range_deg"`
	// Actuator makes the joint controllable; absent = passive.
	Actuator *ActuatorSpec `json:"actuator"`
	// Friction is a passive joint's Coulomb friction torque, N·m.
	Friction float64 `json:"friction"`
}

// ActuatorSpec is a position servo (see sim.Servo).
type ActuatorSpec struct {
	Kp        float64 `json:"kp"`         // 1/s
	MaxSpeed  float64 `json:"max_speed"`  // rad/s
	MaxTorque float64 `json:"max_torque"` // N·m
	// Rate bounds how fast the commanded target may move, rad/s (ROBEL:
	// 2π/3 for D'Claw, π for D'Kitty). Default MaxSpeed.
	Rate float64 `json:"rate"`
}

// Load reads a model by name or path. A name without a slash or ".json"
// suffix is looked up among the embedded assets (assets/robots/NAME.json);
// anything else is read from disk.
func Load(nameOrPath string) (*Model, error) {
	var data []byte
	var err error
	file := nameOrPath
	if strings.ContainsRune(nameOrPath, filepath.Separator) || strings.HasSuffix(nameOrPath, ".json") {
		data, err = os.ReadFile(nameOrPath)
	} else {
		file = "assets/robots/" + nameOrPath + ".json"
		data, err = fs.ReadFile(assets.FS, "robots/"+nameOrPath+".json")
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("robots: no robot model %q (known: %s)", nameOrPath, strings.Join(Names(), ", "))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("robots: %w", err)
	}
	return Parse(file, data)
}

// Names lists the embedded robot models.
func Names() []string {
	entries, _ := fs.ReadDir(assets.FS, "robots")
	var names []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			names = append(names, n)
		}
	}
	return names
}

// Parse decodes and validates a model file; file names it in errors.
func Parse(file string, data []byte) (*Model, error) {
	if len(data) > maxModelBytes {
		return nil, fmt.Errorf("robots: %s: %d bytes, more than a model file's limit of %d", file, len(data), maxModelBytes)
	}
	var m Model
	if err := jsonfile.Decode(data, &m); err != nil {
		return nil, fmt.Errorf("robots: %s:%w", file, err)
	}
	// encoding/json fills a [2]float64 from the first two elements of any
	// array and drops the rest; a point must have exactly two.
	var tree any
	if err := json.Unmarshal(data, &tree); err == nil {
		if err := checkPairs("", tree); err != nil {
			return nil, fmt.Errorf("robots: %s: %w", file, err)
		}
	}
	m.file = file
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("robots: %s: %w", file, err)
	}
	return &m, nil
}

// File returns the file the model was read from.
func (m *Model) File() string { return m.file }

func (m *Model) validate() error {
	if m.Name == "" {
		return errors.New("name: missing")
	}
	w := m.World
	for _, g := range w.Gravity {
		if err := within("world.gravity", g, -maxGravity, maxGravity, "m/s²"); err != nil {
			return err
		}
	}
	if w.MaxSpeed != 0 {
		if err := within("world.max_speed", w.MaxSpeed, 0, maxWorldSpeed, "m/s (0: the default, 100)"); err != nil {
			return err
		}
	}
	if _, err := sim.NewWorld(m.simConfig()); err != nil {
		return fmt.Errorf("world: %w", err)
	}
	if err := tableFriction("world.table_friction", w.TableFriction, w.Gravity); err != nil {
		return err
	}
	if len(m.Bodies) == 0 {
		return errors.New("bodies: the model has no bodies")
	}
	if len(m.Bodies) > maxBodies {
		return fmt.Errorf("bodies: %d bodies, at most %d", len(m.Bodies), maxBodies)
	}
	shapes, nsites := 0, 0
	for _, b := range m.Bodies {
		if b != nil {
			shapes += len(b.Shapes)
			nsites += len(b.Sites)
		}
	}
	if shapes > maxShapes {
		return fmt.Errorf("bodies: %d shapes in all, at most %d (contact tests grow with the square of the shapes)", shapes, maxShapes)
	}
	if nsites > maxSites {
		return fmt.Errorf("bodies: %d sites in all, at most %d", nsites, maxSites)
	}
	seen := map[string]bool{}
	joints := map[string]bool{}
	sites := map[string]bool{}
	for i, b := range m.Bodies {
		if b == nil {
			return fmt.Errorf("bodies[%d]: null", i)
		}
		at := fmt.Sprintf("bodies[%d]", i)
		if b.Name == "" {
			return fmt.Errorf("%s.name: missing", at)
		}
		at = fmt.Sprintf("bodies[%d] (%q)", i, b.Name)
		if seen[b.Name] {
			return fmt.Errorf("%s.name: duplicate body name", at)
		}
		if b.Parent != "" && !seen[b.Parent] {
			return fmt.Errorf("%s.parent: unknown parent %q (a parent must be listed before its children)", at, b.Parent)
		}
		seen[b.Name] = true
		switch b.Type {
		case "", "dynamic", "static":
		default:
			return fmt.Errorf("%s.type: %q, want \"dynamic\" or \"static\"", at, b.Type)
		}
		if err := finiteAll(at+".pos", b.Pos[:]...); err != nil {
			return err
		}
		if err := finiteAll(at+".angle_deg", b.AngleDeg); err != nil {
			return err
		}
		if err := within(at+".linear_damping", b.LinearDamping, 0, maxDamping, "1/s"); err != nil {
			return err
		}
		if err := within(at+".angular_damping", b.AngularDamping, 0, maxDamping, "1/s"); err != nil {
			return err
		}
		if f := b.TableFriction; f != nil {
			if err := tableFriction(at+".table_friction", *f, w.Gravity); err != nil {
				return err
			}
			if *f > 0 && b.Type == "static" {
				return fmt.Errorf("%s.table_friction: %g on a static body, which never moves", at, *f)
			}
		}
		if len(b.Shapes) == 0 {
			return fmt.Errorf("%s.shapes: a body needs at least one shape", at)
		}
		if len(b.Shapes) > maxShapesOfBody {
			return fmt.Errorf("%s.shapes: %d shapes, at most %d", at, len(b.Shapes), maxShapesOfBody)
		}
		for k, s := range b.Shapes {
			if err := s.validate(fmt.Sprintf("%s.shapes[%d]", at, k)); err != nil {
				return err
			}
		}
		// Let sim check what the format cannot see (convexity, area, mass).
		probe, _ := sim.NewWorld(sim.Config{})
		if _, err := probe.AddBody(b.bodyDef(w.TableFriction)); err != nil {
			return fmt.Errorf("%s.shapes: %w", at, err)
		}
		for name, p := range b.Sites {
			if sites[name] {
				return fmt.Errorf("%s.sites: duplicate site name %q", at, name)
			}
			sites[name] = true
			if err := finiteAll(fmt.Sprintf("%s.sites.%s", at, name), p[:]...); err != nil {
				return err
			}
		}
		if j := b.Joint; j != nil {
			jat := at + ".joint"
			if b.Parent == "" {
				return fmt.Errorf("%s: a joint needs a parent body", jat)
			}
			if j.Name == "" {
				return fmt.Errorf("%s.name: missing", jat)
			}
			if joints[j.Name] {
				return fmt.Errorf("%s.name: duplicate joint name %q", jat, j.Name)
			}
			joints[j.Name] = true
			if err := finiteAll(jat+".anchor", j.Anchor[:]...); err != nil {
				return err
			}
			if err := within(jat+".friction", j.Friction, 0, maxJointTorque, "N·m"); err != nil {
				return err
			}
			if r := j.RangeDeg; r != nil {
				if err := finiteAll(jat+".range_deg", r[0], r[1]); err != nil {
					return err
				}
				if r[0] >= r[1] {
					return fmt.Errorf("%s.range_deg: [%g, %g] is reversed or empty", jat, r[0], r[1])
				}
				if r[1]-r[0] > 720 {
					return fmt.Errorf("%s.range_deg: [%g, %g] spans more than two turns", jat, r[0], r[1])
				}
			}
			if a := j.Actuator; a != nil {
				if j.RangeDeg == nil {
					return fmt.Errorf("%s.range_deg: an actuated joint needs a range (actions map onto it)", jat)
				}
				for _, f := range []struct {
					name, unit string
					v, hi      float64
				}{{"kp", "1/s", a.Kp, maxGain}, {"max_speed", "rad/s", a.MaxSpeed, maxJointSpeed}, {"max_torque", "N·m", a.MaxTorque, maxJointTorque}} {
					if !(f.v > 0 && f.v <= f.hi) {
						return fmt.Errorf("%s.actuator.%s: %g, want a value in (0, %g] %s", jat, f.name, f.v, f.hi, f.unit)
					}
				}
				if err := within(jat+".actuator.rate", a.Rate, 0, maxJointSpeed, "rad/s (0: max_speed)"); err != nil {
					return err
				}
			}
		}
	}
	return m.overlaps()
}

// pairFields are the fields whose values are [x, y] pairs, and those
// (sites, polygon vertices) whose elements are.
var pairFields = map[string]bool{"gravity": true, "pos": true, "center": true, "half": true, "anchor": true, "range_deg": true}
var pairLists = map[string]bool{"sites": true, "vertices": true}

// checkPairs reports a pair field of the decoded JSON v, at path, that
// does not hold exactly two values.
func checkPairs(path string, v any) error {
	pair := func(at string, x any) error {
		if a, ok := x.([]any); ok && len(a) != 2 {
			return fmt.Errorf("%s: %d values, want 2 ([x, y])", at, len(a))
		}
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			at := strings.TrimPrefix(path+"."+k, ".")
			if pairFields[k] {
				if err := pair(at, x); err != nil {
					return err
				}
			}
			if pairLists[k] {
				switch x := x.(type) {
				case map[string]any:
					for name, p := range x {
						if err := pair(at+"."+name, p); err != nil {
							return err
						}
					}
				case []any:
					for i, p := range x {
						if err := pair(fmt.Sprintf("%s[%d]", at, i), p); err != nil {
							return err
						}
					}
				}
			}
			if err := checkPairs(at, x); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range v {
			if err := checkPairs(fmt.Sprintf("%s[%d]", path, i), x); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s ShapeSpec) validate(at string) error {
	n := 0
	if s.Circle != nil {
		n++
		if err := positive(at+".circle.radius", s.Circle.Radius); err != nil {
			return err
		}
		if err := finiteAll(at+".circle.center", s.Circle.Center[:]...); err != nil {
			return err
		}
	}
	if s.Box != nil {
		n++
		if err := positive(at+".box.half", s.Box.Half[:]...); err != nil {
			return err
		}
		if err := finiteAll(at+".box.center", append(s.Box.Center[:], s.Box.AngleDeg)...); err != nil {
			return err
		}
	}
	if s.Polygon != nil {
		n++
		if len(s.Polygon.Vertices) < 3 || len(s.Polygon.Vertices) > sim.MaxPolygonVertices {
			return fmt.Errorf("%s.polygon.vertices: %d vertices, want 3 to %d", at, len(s.Polygon.Vertices), sim.MaxPolygonVertices)
		}
		for i, v := range s.Polygon.Vertices {
			if err := finiteAll(fmt.Sprintf("%s.polygon.vertices[%d]", at, i), v[:]...); err != nil {
				return err
			}
		}
	}
	if n != 1 {
		return fmt.Errorf("%s: want exactly one of circle, box, polygon; got %d", at, n)
	}
	if s.Density != nil {
		if err := within(at+".density", *s.Density, 0, maxDensity, "kg/m²"); err != nil {
			return err
		}
	}
	if s.Friction != nil {
		if err := within(at+".friction", *s.Friction, 0, maxFriction, "(Coulomb coefficient)"); err != nil {
			return err
		}
	}
	if !(s.Restitution >= 0 && s.Restitution <= 1) {
		return fmt.Errorf("%s.restitution: %g outside [0, 1]", at, s.Restitution)
	}
	if _, err := parseColor(s.Color); err != nil {
		return fmt.Errorf("%s.color: %w", at, err)
	}
	return nil
}

// parseColor reads "#rrggbb" or "#rrggbbaa"; "" is the zero colour (the
// viewer's choice).
func parseColor(c string) (color.NRGBA, error) {
	if c == "" {
		return color.NRGBA{}, nil
	}
	hex, ok := strings.CutPrefix(c, "#")
	if !ok || (len(hex) != 6 && len(hex) != 8) {
		return color.NRGBA{}, fmt.Errorf("%q, want \"#rrggbb\" or \"#rrggbbaa\" (hex digits)", c)
	}
	if len(hex) == 6 {
		hex += "ff"
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return color.NRGBA{}, fmt.Errorf("%q, want \"#rrggbb\" or \"#rrggbbaa\" (hex digits)", c)
	}
	out := color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}
	if out.A == 0 {
		return color.NRGBA{}, fmt.Errorf("%q has alpha 0, which would hide the shape", c)
	}
	return out, nil
}

// tableFriction checks a table friction coefficient: a number in [0, 10]
// and a top-down scene if it is not 0.
func tableFriction(field string, f float64, gravity [2]float64) error {
	if !(f >= 0 && f <= sim.MaxTableFriction) {
		return fmt.Errorf("%s: %g, want a coefficient in [0, %d]", field, f, sim.MaxTableFriction)
	}
	if f > 0 && gravity != [2]float64{} {
		return fmt.Errorf("%s: %g needs a top-down scene, but world.gravity is %v (a side view has no table)", field, f, gravity)
	}
	return nil
}

// finiteAll checks positions (m) and angles (degrees): finite and within
// ±maxSize, the same bound as sizes.
func finiteAll(field string, xs ...float64) error {
	for _, x := range xs {
		if !(math.Abs(x) <= maxSize) {
			return fmt.Errorf("%s: %g, want a finite value within ±%g (m or degrees)", field, x, maxSize)
		}
	}
	return nil
}

// within checks that x is a number in [lo, hi], in unit.
func within(field string, x, lo, hi float64, unit string) error {
	if !(x >= lo && x <= hi) {
		return fmt.Errorf("%s: %g, want a value in [%g, %g] %s", field, x, lo, hi, unit)
	}
	return nil
}

func positive(field string, xs ...float64) error {
	for _, x := range xs {
		if !(x > 0) || x > maxSize {
			return fmt.Errorf("%s: %g, want a size in (0, %g] m", field, x, maxSize)
		}
	}
	return nil
}

func (m *Model) simConfig() sim.Config {
	w := m.World
	return sim.Config{
		Gravity:            sim.Vec2{X: w.Gravity[0], Y: w.Gravity[1]},
		Dt:                 w.Dt,
		VelocityIterations: w.VelocityIterations,
		PositionIterations: w.PositionIterations,
		MaxSpeed:           w.MaxSpeed,
		Continuous:         w.Continuous,
		NoWarmStart:        w.WarmStarting == WarmNever,
	}
}

func deg(d float64) float64 { return d * math.Pi / 180 }

func vec(p [2]float64) sim.Vec2 { return sim.Vec2{X: p[0], Y: p[1]} }

// bodyDef converts the spec to a sim.BodyDef at the origin; the builder
// places it. table is the world's table friction, which free bodies get
// unless they set their own.
func (b *BodySpec) bodyDef(table float64) sim.BodyDef {
	def := sim.BodyDef{Name: b.Name, Type: sim.Dynamic, LinearDamping: b.LinearDamping, AngularDamping: b.AngularDamping}
	if b.Type == "static" {
		def.Type = sim.Static
	}
	switch {
	case b.TableFriction != nil:
		def.TableFriction = *b.TableFriction
	case def.Type == sim.Dynamic && b.Joint == nil:
		def.TableFriction = table
	}
	for _, s := range b.Shapes {
		sd := sim.ShapeDef{Density: 1, Friction: 0.6, Restitution: s.Restitution,
			Filter: sim.Filter{Category: s.Category, Mask: s.Mask, Group: s.Group}}
		if s.Density != nil {
			sd.Density = *s.Density
		}
		if s.Friction != nil {
			sd.Friction = *s.Friction
		}
		sd.Color, _ = parseColor(s.Color) // checked by validate
		switch {
		case s.Circle != nil:
			sd.Kind, sd.Radius, sd.Center = sim.Circle, s.Circle.Radius, vec(s.Circle.Center)
		case s.Box != nil:
			sd.Kind, sd.HalfWidth, sd.HalfHeight = sim.Box, s.Box.Half[0], s.Box.Half[1]
			sd.Center, sd.Angle = vec(s.Box.Center), deg(s.Box.AngleDeg)
		case s.Polygon != nil:
			sd.Kind = sim.Polygon
			for _, v := range s.Polygon.Vertices {
				sd.Vertices = append(sd.Vertices, vec(v))
			}
		}
		def.Shapes = append(def.Shapes, sd)
	}
	return def
}

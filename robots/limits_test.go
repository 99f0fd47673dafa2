package robots

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRefusesOutOfRange(t *testing.T) {
	one := func(body string) string { return `{"name": "m", "bodies": [` + body + `]}` }
	disc := func(i int) string {
		return fmt.Sprintf(`{"name": "b%d", "shapes": [{"circle": {"radius": 1}}]}`, i)
	}
	var many []string
	for i := range 40 {
		many = append(many, disc(i))
	}
	for _, tc := range []struct{ in, want string }{
		{one(`{"name": "b", "pos": [1, 2, 3], "shapes": [{"circle": {"radius": 1}}]}`), "m.json: bodies[0].pos: 3 values, want 2 ([x, y])"},
		{one(`{"name": "b", "pos": [1e6, 0], "shapes": [{"circle": {"radius": 1}}]}`), `bodies[0] ("b").pos: 1e+06, want a finite value within ±1000 (m or degrees)`},
		{one(`{"name": "b", "shapes": [{"circle": {"radius": 1}, "density": 1e300}]}`), `shapes[0].density: 1e+300, want a value in [0, 100000] kg/m²`},
		{one(`{"name": "b", "linear_damping": 1e300, "shapes": [{"circle": {"radius": 1}}]}`), `linear_damping: 1e+300, want a value in [0, 1000] 1/s`},
		{one(`{"name": "b", "shapes": [{"circle": {"radius": 1}, "friction": 1e300}]}`), `shapes[0].friction: 1e+300, want a value in [0, 10]`},
		{`{"name": "m", "world": {"max_speed": 1e308}, "bodies": [` + disc(0) + `]}`, `world.max_speed: 1e+308, want a value in [0, 10000] m/s`},
		{one(strings.Join(many, ",")), "bodies: 780 pairs of shapes of different bodies overlap at the rest pose, at most 512"},
		{one(disc(0))[:30], "m.json:1:31: unexpected end of file (truncated?)"},
		{one(disc(0)) + "{}", "data after the JSON object"},
		{"null", "m.json:1:1: null: want a JSON object"},
	} {
		_, err := Parse("m.json", []byte(tc.in))
		require.Error(t, err, "Parse(%.60q)", tc.in)
		assert.Contains(t, err.Error(), tc.want, "Parse(%.60q)", tc.in)
	}
}

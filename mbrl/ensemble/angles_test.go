package ensemble

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spinner is a wheel turning by θ' = θ + 0.1·ω', ω' = ω + 0.1·u, observed as
// (cos θ, ω, sin θ): the angle pair is not adjacent, and θ crosses ±π.
var spinner = system{
	obs: 3, act: 1,
	f: func(x, u, next []float64) {
		th := math.Atan2(x[2], x[0])
		w := x[1] + 0.1*u[0]
		s, c := math.Sincos(th + 0.1*w)
		next[0], next[1], next[2] = c, w, s
	},
	noise: func([]float64) float64 { return 0 },
	sample: func(rng *rand.Rand, x, u []float64) {
		s, c := math.Sincos(math.Pi * (2*rng.Float64() - 1))
		x[0], x[1], x[2], u[0] = c, 6*rng.Float64()-3, s, 2*rng.Float64()-1
	},
}

var spinnerAngles = Config{Hidden: []int{64, 64}, Angles: [][2]int{{0, 2}}}

// onCircle reports the largest |cos² + sin² − 1| over rows of x (width 3).
func onCircle(x []float32) float64 {
	worst := 0.0
	for r := 0; r+2 < len(x); r += 3 {
		c, s := float64(x[r]), float64(x[r+2])
		worst = math.Max(worst, math.Abs(c*c+s*s-1))
	}
	return worst
}

func TestAnglesLearnWrappingSystem(t *testing.T) {
	e, _ := trained(t, spinner, spinnerAngles, 3000, TrainConfig{Epochs: 40}, 3)
	assert.Equal(t, []int{3, 64, 64, 4}, e.Net().Sizes(), "one input and one mean (+ log-variance) for the pair")
	rng := rand.New(rand.NewPCG(5, 6))
	assert.Less(t, spinner.rmse(t, e, 500, rng), 0.03)

	d := spinner.data(200, rng)
	members := make([]int, 200)
	e.AssignMembers(members, rng)
	for _, tc := range []struct {
		name string
		step func(next []float32)
	}{
		{"TSInf mean", func(next []float32) { e.Step(TSInf, d.Obs, d.Act, members, next, nil) }},
		{"TSInf sampled", func(next []float32) { e.Step(TSInf, d.Obs, d.Act, members, next, rng) }},
		{"TS1 sampled", func(next []float32) { e.Step(TS1, d.Obs, d.Act, nil, next, rng) }},
		{"Expectation", func(next []float32) { e.Step(Expectation, d.Obs, d.Act, nil, next, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := make([]float32, len(d.Obs))
			tc.step(next)
			assert.Less(t, onCircle(next), 1e-5)
		})
	}

	// The variance of an angle is split between its cosine and sine.
	mean, variance := make([]float32, len(d.Obs)), make([]float32, len(d.Obs))
	e.Predict(d.Obs, d.Act, members, mean, variance)
	for r := range 200 {
		c, s := float64(mean[3*r]), float64(mean[3*r+2])
		vc, vs := float64(variance[3*r]), float64(variance[3*r+2])
		assert.InDelta(t, s*s*(vc+vs), vc, 1e-6*(1+vc+vs))
		assert.InDelta(t, c*c*(vc+vs), vs, 1e-6*(1+vc+vs))
	}
}

func TestAnglesSaveLoad(t *testing.T) {
	sums := spinnerAngles
	sums.AngleSums = true
	for _, cfg := range []Config{spinnerAngles, sums} {
		e, _ := trained(t, spinner, cfg, 300, TrainConfig{Epochs: 2}, 4)
		var buf bytes.Buffer
		require.NoError(t, e.Save(&buf))
		got, err := Load(&buf)
		require.NoError(t, err)
		assert.Equal(t, e.Config(), got.Config())
		assert.Zero(t, buf.Len(), "Load consumes the whole stream")
		d := spinner.data(20, rand.New(rand.NewPCG(1, 2)))
		ms := make([]int, 20)
		e.AssignMembers(ms, rand.New(rand.NewPCG(3, 4)))
		m1, v1 := make([]float32, 60), make([]float32, 60)
		m2, v2 := make([]float32, 60), make([]float32, 60)
		e.Predict(d.Obs, d.Act, ms, m1, v1)
		got.Predict(d.Obs, d.Act, ms, m2, v2)
		assert.Equal(t, m1, m2)
		assert.Equal(t, v1, v2)

		require.NoError(t, e.Save(&buf))
		good := buf.Bytes()
		for i := range good {
			bad := bytes.Clone(good)
			bad[i] ^= 0x10
			if _, err := Load(bytes.NewReader(bad)); err == nil {
				t.Fatalf("Load(byte %d flipped) of an angle model succeeded", i)
			}
		}
	}
}

func TestAngleSumsFeedLinkOrientations(t *testing.T) {
	// A two-link planar chain observed as (cos θ₁, cos θ₂, sin θ₁, sin θ₂):
	// the sums add cos and sin of θ₁ and θ₁+θ₂ to the input.
	e, err := New(5, 4, Config{Hidden: []int{8}, Angles: [][2]int{{0, 2}, {1, 3}}, AngleSums: true}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	assert.Equal(t, []int{7, 8, 4}, e.Net().Sizes())
	x := make([]float32, 7)
	s1, c1 := math.Sincos(0.3)
	s2, c2 := math.Sincos(-1.2)
	e.encode([]float32{float32(c1), float32(c2), float32(s1), float32(s2)}, []float32{0.5}, x)
	s12, c12 := math.Sincos(0.3 - 1.2)
	want := []float64{0.3, -1.2, c1, s1, c12, s12, 0.5}
	for i, w := range want {
		assert.InDelta(t, w, x[i], 1e-6, "input %d", i)
	}
}

func TestAnglesErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name   string
		angles [][2]int
	}{
		{"out of range", [][2]int{{0, 3}}},
		{"negative", [][2]int{{-1, 1}}},
		{"same index", [][2]int{{1, 1}}},
		{"shared index", [][2]int{{0, 1}, {1, 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(4, 3, Config{Hidden: []int{4}, Angles: tc.angles}, rng)
			assert.ErrorContains(t, err, "angle pair")
		})
	}
	_, err := New(4, 3, Config{Hidden: []int{4}, AngleSums: true}, rng)
	assert.ErrorContains(t, err, "AngleSums")
}

package ensemble

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// system is a known discrete-time map with additive Gaussian noise whose
// standard deviation may depend on the state.
type system struct {
	obs, act int
	f        func(x, u, next []float64)
	noise    func(x []float64) float64
	sample   func(rng *rand.Rand, x, u []float64)
}

// linear is x' = A x + B u + N(0, 0.01²) on x ∈ [−1, 1]², u ∈ [−1, 1].
var linear = system{
	obs: 2, act: 1,
	f: func(x, u, next []float64) {
		next[0] = 0.9*x[0] + 0.2*x[1] + 0.1*u[0]
		next[1] = -0.3*x[0] + 0.8*x[1] + 0.5*u[0]
	},
	noise: func([]float64) float64 { return 0.01 },
	sample: func(rng *rand.Rand, x, u []float64) {
		x[0], x[1], u[0] = 2*rng.Float64()-1, 2*rng.Float64()-1, 2*rng.Float64()-1
	},
}

// pendulum is a semi-implicit Euler step (dt 0.05 s) of θ̈ = −(g/l) sin θ + u
// with g/l = 10 s⁻², θ ∈ [−π, π] rad, ω ∈ [−4, 4] rad/s, u ∈ [−2, 2].
var pendulum = system{
	obs: 2, act: 1,
	f: func(x, u, next []float64) {
		const dt = 0.05
		w := x[1] + dt*(-10*math.Sin(x[0])+u[0])
		next[0], next[1] = x[0]+dt*w, w
	},
	noise: func([]float64) float64 { return 1e-3 },
	sample: func(rng *rand.Rand, x, u []float64) {
		x[0], x[1], u[0] = math.Pi*(2*rng.Float64()-1), 4*(2*rng.Float64()-1), 2*(2*rng.Float64()-1)
	},
}

// hetero is x' = x + 0.5 sin(πx) + N(0, σ(x)²) with σ = 0.02 for x < 0 and
// 0.2 for x > 0, on x ∈ [−1, 1] with no action.
var hetero = system{
	obs: 1, act: 0,
	f: func(x, _, next []float64) { next[0] = x[0] + 0.5*math.Sin(math.Pi*x[0]) },
	noise: func(x []float64) float64 {
		if x[0] < 0 {
			return 0.02
		}
		return 0.2
	},
	sample: func(rng *rand.Rand, x, _ []float64) { x[0] = 2*rng.Float64() - 1 },
}

// data draws n noisy transitions of s.
func (s system) data(n int, rng *rand.Rand) Dataset {
	d := Dataset{
		Obs:  make([]float32, n*s.obs),
		Act:  make([]float32, n*s.act),
		Next: make([]float32, n*s.obs),
	}
	x, u, next := make([]float64, s.obs), make([]float64, s.act), make([]float64, s.obs)
	for r := range n {
		s.sample(rng, x, u)
		s.f(x, u, next)
		sd := s.noise(x)
		for i := range x {
			d.Obs[r*s.obs+i] = float32(x[i])
			d.Next[r*s.obs+i] = float32(next[i] + sd*rng.NormFloat64())
		}
		for i := range u {
			d.Act[r*s.act+i] = float32(u[i])
		}
	}
	return d
}

// rmse returns the root mean squared error per dimension of the
// expectation prediction against the noiseless map on n fresh points.
func (s system) rmse(t *testing.T, e *Ensemble, n int, rng *rand.Rand) float64 {
	t.Helper()
	d := s.data(n, rng)
	next := make([]float32, len(d.Obs))
	e.Step(Expectation, d.Obs, d.Act, nil, next, nil)
	x, u, want := make([]float64, s.obs), make([]float64, s.act), make([]float64, s.obs)
	var ss float64
	for r := range n {
		for i := range x {
			x[i] = float64(d.Obs[r*s.obs+i])
		}
		for i := range u {
			u[i] = float64(d.Act[r*s.act+i])
		}
		s.f(x, u, want)
		for i, w := range want {
			diff := float64(next[r*s.obs+i]) - w
			ss += diff * diff
		}
	}
	return math.Sqrt(ss / float64(n*s.obs))
}

// small is a 2×64 ensemble: big enough for the toy systems, fast enough
// for unit tests.
var small = Config{Hidden: []int{64, 64}}

func trained(t *testing.T, s system, cfg Config, n int, tc TrainConfig, seed uint64) (*Ensemble, TrainStats) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	e, err := New(s.obs+s.act, s.obs, cfg, rng)
	require.NoError(t, err)
	stats, err := e.Train(s.data(n, rng), tc, rng)
	require.NoError(t, err)
	return e, stats
}

func TestLearnsKnownSystems(t *testing.T) {
	tests := []struct {
		name string
		sys  system
		cfg  Config
		tol  float64 // RMSE of the mean against the noiseless map
	}{
		// The noise is 0.01; the fit averages it over 2400 training
		// samples and reaches ~0.002, so half the noise has margin.
		{"linear", linear, small, 0.005},
		{"linear deterministic", linear, Config{Hidden: []int{64, 64}, Deterministic: true}, 0.005},
		// |Δω| reaches 0.7 rad/s; 1% of that is a smooth-fit error this
		// MLP reaches (~0.003) from 3000 samples in 60 epochs.
		{"pendulum", pendulum, small, 0.008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, stats := trained(t, tt.sys, tt.cfg, 3000, TrainConfig{Epochs: 60, BatchSize: 64}, 1)
			got := tt.sys.rmse(t, e, 1000, rand.New(rand.NewPCG(9, 9)))
			t.Logf("RMSE %.4g after %d epochs", got, stats.Epochs)
			assert.Less(t, got, tt.tol, "RMSE after %d epochs (val MSE %v)", stats.Epochs, stats.ValMSE)
			if tt.cfg.Deterministic {
				assert.True(t, math.IsNaN(stats.ValNLL[0]))
			}
		})
	}
}

func TestHeteroscedasticVariance(t *testing.T) {
	// Early stopping on MSE would stop before the variance converges.
	e, _ := trained(t, hetero, small, 2000, TrainConfig{Epochs: 300, BatchSize: 64, LearningRate: 3e-3, Score: NLL}, 2)
	obs := []float32{-0.5, 0.5}
	mean, variance := make([]float32, 2), make([]float32, 2)
	for m := range e.Members() {
		e.Predict(obs, nil, []int{m, m}, mean, variance)
		// The true variances are 4e-4 and 4e-2. Members recover them to
		// about 10%; a factor of 1.5 leaves room for other BLAS rounding.
		assert.InDelta(t, math.Log(4e-4), math.Log(float64(variance[0])), math.Log(1.5), "member %d at x=-0.5", m)
		assert.InDelta(t, math.Log(4e-2), math.Log(float64(variance[1])), math.Log(1.5), "member %d at x=+0.5", m)
		assert.Greater(t, variance[1]/variance[0], float32(30), "member %d: noisier side has larger variance", m)
	}
}

func TestEarlyStoppingAndElites(t *testing.T) {
	// Pure noise: Δ ~ N(0, 1) independent of the input. Held-out error
	// cannot improve by 1% for long, so training stops far before Epochs.
	noise := system{
		obs: 1, act: 1,
		f:      func(x, _, next []float64) { next[0] = x[0] },
		noise:  func([]float64) float64 { return 1 },
		sample: func(rng *rand.Rand, x, u []float64) { x[0], u[0] = rng.Float64(), rng.Float64() },
	}
	e, stats := trained(t, noise, Config{Hidden: []int{16}, Members: 7, Elites: 5},
		500, TrainConfig{Epochs: 500, Patience: 3}, 3)
	assert.True(t, stats.EarlyStopped)
	assert.Less(t, stats.Epochs, 100)
	assert.Len(t, stats.TrainLoss, stats.Epochs)

	require.Len(t, stats.Elites, 5)
	assert.Equal(t, stats.Elites, e.Elites())
	isElite := map[int]bool{}
	for i, m := range stats.Elites {
		isElite[m] = true
		if i > 0 {
			assert.LessOrEqual(t, stats.ValMSE[stats.Elites[i-1]], stats.ValMSE[m], "elites sorted best first")
		}
	}
	worstElite := stats.ValMSE[stats.Elites[4]]
	for m := range e.Members() {
		if !isElite[m] {
			assert.GreaterOrEqual(t, stats.ValMSE[m], worstElite, "member %d is not an elite", m)
		}
	}
}

func TestNoValidation(t *testing.T) {
	e, stats := trained(t, linear, Config{Hidden: []int{16}, Elites: 2}, 300,
		TrainConfig{Epochs: 4, ValidationFraction: -1}, 4)
	assert.Equal(t, 4, stats.Epochs)
	assert.False(t, stats.EarlyStopped)
	assert.Nil(t, stats.ValMSE)
	assert.Len(t, e.Elites(), 2)
}

func TestPropagation(t *testing.T) {
	e, _ := trained(t, linear, Config{Hidden: []int{32}, Elites: 3}, 1000, TrainConfig{Epochs: 5}, 5)
	const p = 300
	rng := rand.New(rand.NewPCG(6, 6))
	d := linear.data(p, rng)
	next := make([]float32, len(d.Obs))
	members := make([]int, p)
	e.AssignMembers(members, rng)
	counts := map[int]int{}
	isElite := map[int]bool{}
	for _, m := range e.Elites() {
		isElite[m] = true
	}
	for _, m := range members {
		require.True(t, isElite[m], "AssignMembers draws member %d, not an elite", m)
		counts[m]++
	}
	for m, c := range counts {
		assert.Equal(t, p/3, c, "balanced assignment for member %d", m)
	}

	t.Run("TSInf keeps members", func(t *testing.T) {
		before := append([]int(nil), members...)
		e.Step(TSInf, d.Obs, d.Act, members, next, rng)
		assert.Equal(t, before, members)
	})
	t.Run("TS1 resamples elites", func(t *testing.T) {
		ms := append([]int(nil), members...)
		e.Step(TS1, d.Obs, d.Act, ms, next, rng)
		changed := 0
		for i, m := range ms {
			assert.True(t, isElite[m])
			if m != members[i] {
				changed++
			}
		}
		// Each particle keeps its member with probability 1/3.
		assert.Greater(t, changed, p/3)
	})
	t.Run("Expectation is the deterministic mean over elites", func(t *testing.T) {
		a, b := make([]float32, len(next)), make([]float32, len(next))
		e.Step(Expectation, d.Obs, d.Act, nil, a, rng)
		e.Step(Expectation, d.Obs, d.Act, nil, b, nil)
		assert.Equal(t, a, b)
		want := make([]float64, len(next))
		mean := make([]float32, len(next))
		ms := make([]int, p)
		for _, el := range e.Elites() {
			for i := range ms {
				ms[i] = el
			}
			e.Predict(d.Obs, d.Act, ms, mean, nil)
			for i, v := range mean {
				want[i] += float64(v) / 3
			}
		}
		for i := range want {
			assert.InDelta(t, want[i], a[i], 1e-6)
		}
	})
	t.Run("noise has the predicted variance", func(t *testing.T) {
		const n = 20000
		obs := make([]float32, 2*n)
		act := make([]float32, n)
		ms := make([]int, n)
		for i := range n {
			obs[2*i], obs[2*i+1], act[i] = 0.3, -0.2, 0.5
			ms[i] = i % e.Members()
		}
		mean, variance, sampled := make([]float32, 2*n), make([]float32, 2*n), make([]float32, 2*n)
		e.Predict(obs, act, ms, mean, variance)
		e.Step(TSInf, obs, act, ms, sampled, rng)
		var z2 float64
		for i := range sampled {
			d := float64(sampled[i] - mean[i])
			z2 += d * d / float64(variance[i])
		}
		// The mean of 40000 squared standard normals is 1 ± 0.007.
		assert.InDelta(t, 1, z2/(2*n), 0.03)
		noNoise := make([]float32, 2*n)
		e.Step(TSInf, obs, act, ms, noNoise, nil)
		assert.Equal(t, mean, noNoise)
	})
	t.Run("in place", func(t *testing.T) {
		for _, mode := range []Propagation{TSInf, Expectation} {
			want := make([]float32, len(d.Obs))
			e.Step(mode, d.Obs, d.Act, members, want, nil)
			got := append([]float32(nil), d.Obs...)
			e.Step(mode, got, d.Act, members, got, nil)
			assert.Equal(t, want, got, "Step(%v) with next = obs", mode)
		}
	})
	t.Run("no allocations", func(t *testing.T) {
		// 60 particles keep every GEMM below the size at which gonum's
		// pure-Go Sgemm goes parallel, which allocates per call.
		obs, act, ms, nx := d.Obs[:120], d.Act[:60], members[:60], next[:120]
		for _, mode := range []Propagation{TSInf, TS1, Expectation} {
			e.Step(mode, obs, act, ms, nx, rng) // grow buffers
			allocs := testing.AllocsPerRun(5, func() { e.Step(mode, obs, act, ms, nx, rng) })
			assert.Zero(t, allocs, "Step(%v)", mode)
		}
	})
	t.Run("PredictGrouped matches Predict", func(t *testing.T) {
		ms := []int{0, 0, 2, 4, 4, 4}
		obs, act := d.Obs[:12], d.Act[:6]
		m1, v1 := make([]float32, 12), make([]float32, 12)
		m2, v2 := make([]float32, 12), make([]float32, 12)
		e.Predict(obs, act, ms, m1, v1)
		e.PredictGrouped(obs, act, []int{2, 0, 1, 0, 3}, m2, v2)
		assert.Equal(t, m1, m2)
		assert.Equal(t, v1, v2)
	})
}

func TestDeterministicEnsembleHasNoNoise(t *testing.T) {
	e, _ := trained(t, linear, Config{Hidden: []int{16}, Deterministic: true}, 300, TrainConfig{Epochs: 2}, 7)
	d := linear.data(10, rand.New(rand.NewPCG(1, 1)))
	ms := make([]int, 10)
	mean, variance, next := make([]float32, 20), make([]float32, 20), make([]float32, 20)
	for i := range variance {
		variance[i] = -1
	}
	e.Predict(d.Obs, d.Act, ms, mean, variance)
	e.Step(TSInf, d.Obs, d.Act, ms, next, rand.New(rand.NewPCG(2, 2)))
	assert.Equal(t, mean, next)
	assert.Equal(t, make([]float32, 20), variance)
}

func TestSameSeedSameModel(t *testing.T) {
	a, sa := trained(t, linear, Config{Hidden: []int{16}}, 400, TrainConfig{Epochs: 3}, 8)
	b, sb := trained(t, linear, Config{Hidden: []int{16}}, 400, TrainConfig{Epochs: 3}, 8)
	assert.Equal(t, sa, sb)
	assert.Equal(t, a.Net().Params, b.Net().Params)
	c, _ := trained(t, linear, Config{Hidden: []int{16}}, 400, TrainConfig{Epochs: 3}, 9)
	assert.NotEqual(t, a.Net().Params, c.Net().Params)
}

func TestBoundLogVarGradients(t *testing.T) {
	for _, raw := range []float32{-15, -3, 0, 0.4, 2} {
		const hi, lo, h = 0.5, -10, 1e-2
		l, dRaw, dHi, dLo := boundLogVar(raw, hi, lo)
		assert.True(t, l > lo && l < hi, "bound(%v) = %v", raw, l)
		fd := func(f func(d float32) float32) float64 { return float64(f(h)-f(-h)) / (2 * h) }
		// Central differences with h = 1e-2 on a smooth O(1) function are
		// accurate to ~1e-4 (float32 rounding ~1e-5).
		assert.InDelta(t, fd(func(d float32) float32 { v, _, _, _ := boundLogVar(raw+d, hi, lo); return v }), dRaw, 1e-3)
		assert.InDelta(t, fd(func(d float32) float32 { v, _, _, _ := boundLogVar(raw, hi+d, lo); return v }), dHi, 1e-3)
		assert.InDelta(t, fd(func(d float32) float32 { v, _, _, _ := boundLogVar(raw, hi, lo+d); return v }), dLo, 1e-3)
	}
}

func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name          string
		in, out       int
		cfg           Config
		wantSubstring string
	}{
		{"out > in", 2, 3, Config{}, "outDim"},
		{"elites > members", 3, 2, Config{Members: 3, Elites: 4}, "elites"},
		{"bad bounds", 3, 2, Config{MaxLogVar: -20}, "MinLogVar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.in, tc.out, tc.cfg, rng)
			assert.ErrorContains(t, err, tc.wantSubstring)
		})
	}
	e, err := New(3, 2, Config{Hidden: []int{4}}, rng)
	require.NoError(t, err)
	_, err = e.Train(Dataset{Obs: make([]float32, 4), Act: make([]float32, 3), Next: make([]float32, 4)}, TrainConfig{}, rng)
	assert.ErrorContains(t, err, "dataset lengths")
	_, err = e.Train(Dataset{Obs: make([]float32, 2), Act: make([]float32, 1), Next: make([]float32, 2)}, TrainConfig{}, rng)
	assert.ErrorContains(t, err, "transitions")
}

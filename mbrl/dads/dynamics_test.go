package dads

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/nn"
)

// TestLogProbMatchesDirectMixture compares LogProb with the mixture
// density written out in the units of Δs:
// q(Δ) = Σ_k π_k Π_j N(Δ_j; m_j + σ_j μ_kj, σ_j²).
func TestLogProbMatchesDirectMixture(t *testing.T) {
	for _, learn := range []bool{false, true} {
		t.Run(fmt.Sprintf("LearnVariance=%v", learn), func(t *testing.T) { testLogProb(t, learn) })
	}
}

func testLogProb(t *testing.T, learn bool) {
	rng := rand.New(rand.NewPCG(3, 4))
	const ds, dz, k = 2, 3, 4
	d, err := NewSkillDynamics(ds, dz, DynamicsConfig{Hidden: []int{16}, Components: k, LearnVariance: learn}, rng)
	require.NoError(t, err)
	// Normaliser statistics far from the identity, as after training.
	d.in = normaliser{mean: []float64{0.3, -0.2}, vari: []float64{4, 0.25}, seen: true}
	d.out = normaliser{mean: []float64{0.01, -0.02}, vari: []float64{0.0025, 0.01}, seen: true}
	for i := range d.net.Params {
		d.net.Params[i] += float32(0.3 * rng.NormFloat64()) // spread the components
	}
	const n = 5
	s, z, next := randRows(rng, n*ds), randRows(rng, n*dz), make([]float64, n*ds)
	for i := range next {
		next[i] = s[i] + 0.1*rng.NormFloat64()
	}
	got := make([]float64, n)
	d.LogProb(s, z, next, n, got)

	eps := d.cfg.Epsilon
	for i := range n {
		x := make([]float32, ds+dz)
		for j := range ds {
			x[j] = float32((s[i*ds+j] - d.in.mean[j]) / math.Sqrt(d.in.vari[j]+eps))
		}
		for j := range dz {
			x[ds+j] = float32(z[i*dz+j])
		}
		out := d.net.Forward(d.net.NewInferenceWorkspace(1), x, 1)
		var norm float64
		for c := range k {
			norm += math.Exp(float64(out[c]))
		}
		var q float64
		for c := range k {
			p := math.Exp(float64(out[c])) / norm
			for j := range ds {
				sd := math.Sqrt(d.out.vari[j] + eps)
				mu := d.out.mean[j] + sd*float64(out[k+c*ds+j])
				if learn {
					sd *= min(10, max(0.3, math.Log(1+math.Exp(float64(out[k+k*ds+c*ds+j])))))
				}
				delta := next[i*ds+j] - s[i*ds+j]
				p *= math.Exp(-0.5*(delta-mu)*(delta-mu)/(sd*sd)) / (sd * math.Sqrt(2*math.Pi))
			}
			q += p
		}
		// The one-row forward pass here and LogProb's batched one agree to
		// float32 rounding (OpenBLAS picks other kernels for one row), about
		// 1e-7 relative on outputs of a few units: 1e-6 has margin and still
		// catches any wrong term.
		assert.InDelta(t, math.Log(q), got[i], 1e-6*(1+math.Abs(got[i])), "LogProb row %d = %v, want %v", i, got[i], math.Log(q))
	}
}

// linearDynamics returns skill dynamics whose single component has mean
// Δs = scale·z exactly, with identity normalisers.
func linearDynamics(t *testing.T, scale float64) *SkillDynamics {
	t.Helper()
	net, err := nn.NewMLP(1, []int{4, 3}, nn.Config{Hidden: nn.ReLU}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	clear(net.Params)
	w := net.Weights(0, 0) // 4×3, row-major: inputs (s0, s1, z0, z1) → (logit, μ0, μ1)
	w[2*3+1], w[3*3+2] = float32(scale), float32(scale)
	cfg := DynamicsConfig{Components: 1}.withDefaults()
	d := newDynamics(2, 2, cfg, net)
	d.in.seen, d.out.seen = true, true
	return d
}

// TestIntrinsicRewardByHand: with q(Δs|s, z) = N(Δs; z, I), one prior
// sample z' and Δs = z, the reward is log 2 − log(1 + exp(−½‖z − z'‖²)).
func TestIntrinsicRewardByHand(t *testing.T) {
	d := linearDynamics(t, 1)
	s, z := []float64{0.2, -0.1}, []float64{0.5, -0.25}
	next := []float64{s[0] + z[0], s[1] + z[1]}
	got := make([]float64, 1)
	st, err := IntrinsicReward(d, s, z, next, 1, 1, rand.New(rand.NewPCG(9, 9)), got)
	require.NoError(t, err)

	u := rand.New(rand.NewPCG(9, 9))
	alt := []float64{2*u.Float64() - 1, 2*u.Float64() - 1}
	d2 := (z[0]-alt[0])*(z[0]-alt[0]) + (z[1]-alt[1])*(z[1]-alt[1])
	want := math.Log(2) - math.Log(1+math.Exp(-0.5*d2))
	// 1e-6: float32 network outputs.
	assert.InDelta(t, want, got[0], 1e-6, "IntrinsicReward = %v, want %v", got[0], want)
	assert.InDelta(t, want, st.Reward, 1e-6)
	assert.InDelta(t, -math.Log(2*math.Pi), st.LogProb, 1e-6, "log q at the mean of N(·; z, I)")

	// The same transition under a skill that explains nothing: q does
	// not depend on z, so every sample scores alike and r = 0.
	flat := linearDynamics(t, 0)
	_, err = IntrinsicReward(flat, s, z, next, 1, 7, rand.New(rand.NewPCG(1, 2)), got)
	require.NoError(t, err)
	assert.InDelta(t, 0, got[0], 1e-9, "reward of skill-independent dynamics")

	_, err = IntrinsicReward(d, s, z, next, 1, 0, rand.New(rand.NewPCG(1, 2)), got)
	assert.Error(t, err, "zero prior samples")
}

// TestSkillDynamicsLearnsLinearMap trains on Δs = 0.1·z + noise and
// checks the predicted change on fresh inputs.
func TestSkillDynamicsLearnsLinearMap(t *testing.T) {
	for _, tc := range []struct {
		learn bool
		rise  float64 // log-likelihood gain, see below
	}{{false, 0.5}, {true, 2}} {
		t.Run(fmt.Sprintf("LearnVariance=%v", tc.learn), func(t *testing.T) { testLearnsLinearMap(t, tc.learn, tc.rise) })
	}
}

func testLearnsLinearMap(t *testing.T, learn bool, rise float64) {
	rng := rand.New(rand.NewPCG(5, 6))
	d, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{32, 32}, LearningRate: 3e-3, LearnVariance: learn}, rng)
	require.NoError(t, err)
	const n = 128
	batch := func() (s, z, next []float64) {
		s, z, next = randRows(rng, n*2), randRows(rng, n*2), make([]float64, n*2)
		for i := range next {
			next[i] = s[i] + 0.1*z[i] + 0.005*rng.NormFloat64()
		}
		return
	}
	var first, last float64
	for it := range 1500 {
		s, z, next := batch()
		lp, err := d.Train(s, z, next, n)
		require.NoError(t, err)
		if it == 0 {
			first = lp
		}
		last = lp
	}
	// With unit variances in normalised units log q is at most
	// −log 2π − Σ_j log σ_j ≈ 3.86 here (σ_j ≈ 0.058, the spread of 0.1·z),
	// and about 1 below that for a model that ignores z. Learned scales
	// go down to 0.3 (σ ≈ 0.017 m against noise 0.005), which lifts the
	// bound by −2 log 0.3 ≈ 2.4.
	assert.Greater(t, last, first+rise, "log-likelihood did not rise: %v → %v", first, last)
	s, z, _ := batch()
	pred := make([]float64, n*2)
	d.Predict(s, z, n, pred)
	var ss float64
	for i := range pred {
		e := pred[i] - s[i] - 0.1*z[i]
		ss += e * e
	}
	rmse := math.Sqrt(ss / float64(len(pred)))
	// 0.01: a tenth of the map's range (±0.1), twice the noise.
	assert.Less(t, rmse, 0.01, "RMS error of predicted Δs = %v, want < 0.01", rmse)
}

func TestDynamicsSaveLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	d, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{8}, Horizon: 3}, rng)
	require.NoError(t, err)
	s, z, next := randRows(rng, 20), randRows(rng, 20), randRows(rng, 20)
	_, err = d.Train(s, z, next, 10)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, d.Save(&buf))
	stream := buf.Bytes()
	e, err := LoadDynamics(bytes.NewReader(stream))
	require.NoError(t, err)
	assert.Equal(t, d.Config(), e.Config())
	want, got := make([]float64, 10), make([]float64, 10)
	d.LogProb(s, z, next, 10, want)
	e.LogProb(s, z, next, 10, got)
	assert.Equal(t, want, got)
	// Training continues identically: the optimiser state was saved.
	l1, err := d.Train(s, z, next, 10)
	require.NoError(t, err)
	l2, err := e.Train(s, z, next, 10)
	require.NoError(t, err)
	assert.Equal(t, l1, l2)
	assert.Equal(t, d.net.Params, e.net.Params)

	for _, cut := range []int{0, 5, 12, 20, len(stream) / 2, len(stream) - 1} {
		_, err := LoadDynamics(bytes.NewReader(stream[:cut]))
		assert.ErrorIs(t, err, ErrCorrupt, "stream cut at %d of %d", cut, len(stream))
	}
	for _, at := range []int{0, 30, len(stream) / 2, len(stream) - 2} {
		bad := bytes.Clone(stream)
		bad[at] ^= 0x40
		_, err := LoadDynamics(bytes.NewReader(bad))
		assert.ErrorIs(t, err, ErrCorrupt, "byte %d flipped", at)
	}
}

func TestDynamicsConfigErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name   string
		ds, dz int
		cfg    DynamicsConfig
	}{
		{"zero state", 0, 2, DynamicsConfig{}},
		{"negative width", 2, 2, DynamicsConfig{Hidden: []int{-1}}},
		{"momentum 1", 2, 2, DynamicsConfig{Momentum: 1}},
		{"too many components", 2, 2, DynamicsConfig{Components: 65}},
	} {
		_, err := NewSkillDynamics(tc.ds, tc.dz, tc.cfg, rng)
		assert.Error(t, err, tc.name)
	}
	d, err := NewSkillDynamics(1, 1, DynamicsConfig{Hidden: []int{4}}, rng)
	require.NoError(t, err)
	_, err = d.Train([]float64{math.NaN()}, []float64{0}, []float64{0}, 1)
	assert.Error(t, err, "NaN input")
}

// TestPredictMixtureAndModalMean: two components with weights
// e²/(e²+1) and 1/(e²+1) and means +1 and −1.
func TestPredictMixtureAndModalMean(t *testing.T) {
	net, err := nn.NewMLP(1, []int{2, 4}, nn.Config{Hidden: nn.ReLU}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	clear(net.Params)
	copy(net.Bias(0, 0), []float32{2, 0, 1, -1}) // logits, μ_0, μ_1
	d := newDynamics(1, 1, DynamicsConfig{Components: 2}.withDefaults(), net)
	d.in.seen, d.out.seen = true, true
	got := make([]float64, 1)
	d.Predict([]float64{0.5}, []float64{0}, 1, got)
	p := math.Exp(2) / (math.Exp(2) + 1)
	// 1e-6: float32 outputs.
	assert.InDelta(t, 0.5+p-(1-p), got[0], 1e-6, "mixture mean")
	d.PredictModal([]float64{0.5}, []float64{0}, 1, got)
	assert.InDelta(t, 1.5, got[0], 1e-6, "modal mean")
}

// TestLoadDynamicsWithoutHorizon: a model saved before the horizon was
// appended to the stream loads as a one-step model.
func TestLoadDynamicsWithoutHorizon(t *testing.T) {
	d, err := NewSkillDynamics(2, 2, DynamicsConfig{Hidden: []int{8}, Horizon: 3}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, d.Save(&buf))
	p, err := readSection(bytes.NewReader(buf.Bytes()), dynMagic, dynVersion)
	require.NoError(t, err)
	var old bytes.Buffer
	require.NoError(t, writeSection(&old, dynMagic, dynVersion, p[:len(p)-8]))
	e, err := LoadDynamics(&old)
	require.NoError(t, err)
	assert.Equal(t, 1, e.Config().Horizon)
}

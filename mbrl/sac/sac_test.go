package sac

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/replay"
)

// randBatch returns n transitions with observations and actions in
// [-1, 1], rewards in [-1, 1] and every third row terminated.
func randBatch(rng *rand.Rand, n, obsDim, actDim int) *replay.Batch {
	u := func(k int) []float64 {
		s := make([]float64, k)
		for i := range s {
			s[i] = 2*rng.Float64() - 1
		}
		return s
	}
	b := &replay.Batch{Obs: u(n * obsDim), Act: u(n * actDim), Next: u(n * obsDim), Reward: u(n), Terminated: make([]bool, n)}
	for i := range n {
		b.Terminated[i] = i%3 == 0
	}
	return b
}

func smallAgent(t testing.TB, seed uint64) *Agent {
	a, err := New(3, 2, Config{Hidden: []int{8, 8}, Activation: "tanh", BatchSize: 4}, rand.New(rand.NewPCG(seed, 1)))
	require.NoError(t, err)
	return a
}

// checkGradient compares grads with central differences of loss over
// params. The networks are float32: a loss of order 1 carries rounding of
// ~1e-7 per term, so with h = 3e-3 the difference quotient is good to
// ~1e-4 plus an O(h²) truncation error; tol is absolute plus 2% relative.
func checkGradient(t *testing.T, params, grads []float32, loss func() float64) {
	t.Helper()
	const h = 3e-3
	want := append([]float32(nil), grads...)
	nonzero := 0
	for i := range params {
		p := params[i]
		params[i] = p + h
		lp := loss()
		params[i] = p - h
		lm := loss()
		params[i] = p
		fd := (lp - lm) / (2 * h)
		assert.InDelta(t, fd, float64(want[i]), 5e-4+0.02*math.Abs(fd), "∂L/∂θ[%d]", i)
		if math.Abs(fd) > 1e-3 {
			nonzero++
		}
	}
	// The check means nothing if the gradient vanishes.
	assert.Greater(t, nonzero, len(params)/4, "parameters with a non-negligible gradient")
}

func TestPolicyGradient(t *testing.T) {
	t.Run("plain", func(t *testing.T) { testPolicyGradient(t, smallAgent(t, 1), 0) })
	t.Run("smoothness", func(t *testing.T) {
		a, err := New(3, 2, Config{Hidden: []int{8, 8}, Activation: "tanh", BatchSize: 4, Smoothness: 2}, rand.New(rand.NewPCG(1, 1)))
		require.NoError(t, err)
		testPolicyGradient(t, a, 2)
	})
}

// testPolicyGradient checks policyLoss's value and its gradient; lam is
// the agent's smoothness weight.
func testPolicyGradient(t *testing.T, a *Agent, lam float64) {
	rng := rand.New(rand.NewPCG(2, 2))
	const n = 5
	b := randBatch(rng, n, a.obsDim, a.actDim)
	ws := a.workspaceFor(n)
	a.sampleNoise(ws.eps[:n*a.actDim], rng)
	const alpha = 0.5 // large enough that the entropy terms matter
	loss, entropy := a.policyLoss(b.Obs, b.Next, n, alpha)
	require.False(t, math.IsNaN(loss))

	// The log-densities of squash agree with logProb (tested below).
	out := a.actor.Forward(a.actor.NewInferenceWorkspace(n), ws.obs[:n*a.obsDim], n)
	var h float64
	for r := range n {
		lp := 0.0
		for j := range a.actDim {
			mu, ls := float64(out[r*4+j]), float64(out[r*4+2+j])
			lp += logProb(mu+math.Exp(ls)*ws.eps[r*2+j], mu, ls)
		}
		// float32 means and log stds: ~1e-6 relative.
		assert.InDelta(t, lp, ws.logp[r], 1e-5, "log π of row %d", r)
		h -= lp / n
	}
	assert.InDelta(t, h, entropy, 1e-5)
	// The loss is mean α·log π − min(Q₁, Q₂) at the sampled actions, which
	// policyLoss left in ws.qin for both critics.
	q := a.critic.Forward(a.critic.NewInferenceWorkspace(2*n), ws.qin, n)
	want := 0.0
	for r := range n {
		want += (alpha*ws.logp[r] - min(float64(q[r]), float64(q[n+r]))) / n
	}
	if lam > 0 {
		// CAPS's temporal term on the deterministic actions at s and s'.
		x := make([]float32, len(b.Next))
		for i, v := range b.Next {
			x[i] = float32(v)
		}
		outN := a.actor.Forward(a.actor.NewInferenceWorkspace(n), x, n)
		sm := 0.0
		for r := range n {
			for j := range a.actDim {
				diff := math.Tanh(float64(out[r*4+j])) - math.Tanh(float64(outN[r*4+j]))
				sm += lam * diff * diff / n
			}
		}
		assert.Greater(t, sm, 1e-3, "smoothness term too small to test")
		want += sm
	}
	assert.InDelta(t, want, loss, 1e-6)

	grads := append([]float32(nil), a.actor.Grads...)
	checkGradient(t, a.actor.Params, grads, func() float64 {
		l, _ := a.policyLoss(b.Obs, b.Next, n, alpha)
		return l
	})
}

func TestCriticGradient(t *testing.T) {
	a := smallAgent(t, 3)
	rng := rand.New(rand.NewPCG(4, 4))
	const n = 6
	b := randBatch(rng, n, a.obsDim, a.actDim)
	// Make the targets differ from the critics so the TD errors are not
	// trivially those of the initialisation.
	for i := range a.target.Params {
		a.target.Params[i] += 0.1 * float32(rng.NormFloat64())
	}
	ws := a.workspaceFor(n)
	a.sampleNoise(ws.eps[:n*a.actDim], rng)
	const alpha = 0.3
	_, _ = a.criticLoss(b, n, alpha)
	grads := append([]float32(nil), a.critic.Grads...)
	checkGradient(t, a.critic.Params, grads, func() float64 {
		l, _ := a.criticLoss(b, n, alpha)
		return l
	})
}

func TestCriticTarget(t *testing.T) {
	// With γ = 0.5, the loss must use y = r + γ(1−d)(min Q' − α log π'):
	// check it against the networks evaluated directly.
	a, err := New(2, 1, Config{Hidden: []int{4}, Gamma: 0.5}, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(5, 5))
	const n = 4
	b := randBatch(rng, n, 2, 1)
	ws := a.workspaceFor(n)
	a.sampleNoise(ws.eps[:n], rng)
	const alpha = 0.2
	loss, _ := a.criticLoss(b, n, alpha)

	next32 := make([]float32, 2*n)
	for i, v := range b.Next {
		next32[i] = float32(v)
	}
	out := a.actor.Forward(a.actor.NewInferenceWorkspace(n), next32, n)
	tws := a.target.NewInferenceWorkspace(2)
	cws := a.critic.NewInferenceWorkspace(2)
	want := 0.0
	for r := range n {
		mu, ls := float64(out[2*r]), float64(out[2*r+1])
		u := mu + math.Exp(ls)*ws.eps[r]
		qt := a.target.Forward(tws, []float32{next32[2*r], next32[2*r+1], float32(math.Tanh(u)), next32[2*r], next32[2*r+1], float32(math.Tanh(u))}, 1)
		y := b.Reward[r]
		if !b.Terminated[r] {
			y += 0.5 * (min(float64(qt[0]), float64(qt[1])) - alpha*logProb(u, mu, ls))
		}
		x := []float32{float32(b.Obs[2*r]), float32(b.Obs[2*r+1]), float32(b.Act[r])}
		q := a.critic.Forward(cws, append(x, x...), 1)
		want += (math.Pow(float64(q[0])-y, 2) + math.Pow(float64(q[1])-y, 2)) / n
	}
	assert.InDelta(t, want, loss, 1e-5*(1+want))
}

func TestLogProb(t *testing.T) {
	// Known values: log N(u; μ, σ) − log(1 − tanh²u).
	tests := []struct{ u, mu, ls float64 }{
		{0, 0, 0}, {0.3, -0.2, math.Log(0.5)}, {-1.5, 1, math.Log(2)}, {3, 2.5, -1},
	}
	for _, tt := range tests {
		s := math.Exp(tt.ls)
		z := (tt.u - tt.mu) / s
		th := math.Tanh(tt.u)
		want := -0.5*z*z - math.Log(s*math.Sqrt(2*math.Pi)) - math.Log(1-th*th)
		assert.InDelta(t, want, logProb(tt.u, tt.mu, tt.ls), 1e-12, "logProb(%v, %v, %v)", tt.u, tt.mu, tt.ls)
	}
	// Far in the tail 1 − tanh²u underflows; log(sech²u) = −2 log cosh u
	// = −2(u − log 2 + log(1 + e^{−2u})).
	u := 30.0
	assert.InDelta(t, -2*(u-math.Ln2+math.Log1p(math.Exp(-2*u))), log1mTanh2(u), 1e-12)
	assert.InDelta(t, log1mTanh2(u), log1mTanh2(-u), 1e-12, "log(1 − tanh²u) is even")

	// The density of a = tanh(u) integrates to 1 over (−1, 1) and its mean
	// matches E[tanh(u)] computed in u-space. Midpoint rule on 2·10⁶ cells:
	// the integrand vanishes at ±1, error well below 1e-6.
	for _, tt := range []struct{ mu, ls float64 }{{0.7, math.Log(0.6)}, {-0.3, math.Log(1.5)}} {
		const cells = 2_000_000
		var mass, mean float64
		for i := range cells {
			x := -1 + (float64(i)+0.5)*2/cells
			p := math.Exp(logProb(math.Atanh(x), tt.mu, tt.ls)) * 2 / cells
			mass += p
			mean += x * p
		}
		var wantMean float64
		s := math.Exp(tt.ls)
		const k = 200_000
		for i := range k {
			u := tt.mu + s*(-10+(float64(i)+0.5)*20/k)
			z := (u - tt.mu) / s
			wantMean += math.Tanh(u) * math.Exp(-0.5*z*z) / math.Sqrt(2*math.Pi) * 20 / k
		}
		assert.InDelta(t, 1, mass, 1e-5, "∫ π(a) da for μ=%v, log σ=%v", tt.mu, tt.ls)
		assert.InDelta(t, wantMean, mean, 1e-5, "E[a] for μ=%v, log σ=%v", tt.mu, tt.ls)
	}
}

// pointMass is x' = x + 0.1·a with reward −|x' − goal|, observations
// (x, goal) and episodes of 20 steps; x and goal start in [−0.5, 0.5].
type pointMass struct{ x, goal float64 }

func (p *pointMass) reset(rng *rand.Rand) []float64 {
	p.x, p.goal = rng.Float64()-0.5, rng.Float64()-0.5
	return []float64{p.x, p.goal}
}

func (p *pointMass) step(a float64) ([]float64, float64) {
	p.x += 0.1 * a
	return []float64{p.x, p.goal}, -math.Abs(p.x - p.goal)
}

// pointMassSuccess is the fraction of episodes in which the deterministic
// policy ends within 0.1 of the goal.
func pointMassSuccess(a *Agent, rng *rand.Rand, episodes int) float64 {
	ctrl := a.Controller(true)
	ctrl.Reset(nil)
	act := make([]float64, 1)
	var env pointMass
	ok := 0
	for range episodes {
		obs := env.reset(rng)
		for range 20 {
			ctrl.Act(obs, act)
			obs, _ = env.step(act[0])
		}
		if math.Abs(env.x-env.goal) < 0.1 {
			ok++
		}
	}
	return float64(ok) / float64(episodes)
}

func TestSolvesPointMass(t *testing.T) {
	solvePointMass(t, 7)
}

func solvePointMass(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	a, err := New(2, 1, Config{Hidden: []int{32, 32}, BatchSize: 64, LR: 1e-3, Gamma: 0.9, Tau: 0.01}, rng)
	require.NoError(t, err)
	before := pointMassSuccess(a, rand.New(rand.NewPCG(99, 0)), 100)
	buf, err := replay.New(2, 1, 0)
	require.NoError(t, err)
	var env pointMass
	var batch replay.Batch
	act := make([]float64, 1)
	const steps = 3000
	obs := env.reset(rng)
	for s := range steps {
		a.Act(obs, act, rng)
		next, r := env.step(act[0])
		require.NoError(t, buf.Add(replay.Transition{Obs: obs, Act: act, Reward: r, Next: next}))
		obs = next
		if (s+1)%20 == 0 { // time limit: a truncation, not a termination
			obs = env.reset(rng)
		}
		if buf.Len() >= 256 {
			require.NoError(t, buf.Sample(rng, 64, &batch))
			a.Update(&batch, rng)
		}
	}
	after := pointMassSuccess(a, rand.New(rand.NewPCG(99, 0)), 100)
	t.Logf("success %.2f before, %.2f after %d updates, α = %.3g", before, after, a.Updates(), a.Alpha())
	assert.GreaterOrEqual(t, after, 0.9, "success rate of the deterministic policy")
}

func TestDeterministic(t *testing.T) {
	run := func(seed uint64) *Agent {
		a := smallAgent(t, seed)
		rng := rand.New(rand.NewPCG(seed, 9))
		for range 20 {
			a.Update(randBatch(rng, 16, 3, 2), rng)
		}
		return a
	}
	a, b, c := run(1), run(1), run(2)
	assert.Equal(t, a.actor.Params, b.actor.Params)
	assert.Equal(t, a.critic.Params, b.critic.Params)
	assert.Equal(t, a.target.Params, b.target.Params)
	assert.Equal(t, a.logAlpha, b.logAlpha)
	assert.NotEqual(t, a.actor.Params, c.actor.Params, "another seed")
}

func TestSaveLoadResumes(t *testing.T) {
	a := smallAgent(t, 5)
	rng := rand.New(rand.NewPCG(5, 5))
	for range 10 {
		a.Update(randBatch(rng, 16, 3, 2), rng)
	}
	var buf bytes.Buffer
	require.NoError(t, a.Save(&buf))
	buf.WriteString("trailing")
	b, err := Load(&buf)
	require.NoError(t, err)
	assert.Equal(t, "trailing", buf.String(), "Load must stop after the checkpoint")
	assert.Equal(t, a.Config(), b.Config())
	assert.Equal(t, a.Updates(), b.Updates())

	r1, r2 := rand.New(rand.NewPCG(8, 8)), rand.New(rand.NewPCG(8, 8))
	for range 10 {
		// A batch size above the configured one exercises workspace growth.
		s1 := a.Update(randBatch(r1, 40, 3, 2), r1)
		s2 := b.Update(randBatch(r2, 40, 3, 2), r2)
		require.Equal(t, s1, s2)
	}
	assert.Equal(t, a.actor.Params, b.actor.Params)
	assert.Equal(t, a.critic.Params, b.critic.Params)
	assert.Equal(t, a.target.Params, b.target.Params)
	assert.Equal(t, a.logAlpha, b.logAlpha)
	assert.Equal(t, 20, b.Updates())
	obs, x, y := []float64{0.1, -0.2, 0.3}, make([]float64, 2), make([]float64, 2)
	a.Act(obs, x, rand.New(rand.NewPCG(1, 1)))
	b.Act(obs, y, rand.New(rand.NewPCG(1, 1)))
	assert.Equal(t, x, y)
}

func TestLoadCorrupt(t *testing.T) {
	a, err := New(2, 1, Config{Hidden: []int{3}}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(2, 2))
	a.Update(randBatch(rng, 4, 2, 1), rng)
	var buf bytes.Buffer
	require.NoError(t, a.Save(&buf))
	good := buf.Bytes()
	for n := range len(good) {
		if _, err := Load(bytes.NewReader(good[:n])); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Load(first %d of %d bytes) error = %v, want ErrCorrupt", n, len(good), err)
		}
	}
	for i := range good {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(good)
			bad[i] ^= bit
			if _, err := Load(bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load(byte %d ^ %#x) error = %v, want ErrCorrupt", i, bit, err)
			}
		}
	}
	// A header claiming a huge payload fails on the short stream.
	huge := bytes.Clone(good[:20])
	huge[19] = 0x7f
	_, err = Load(bytes.NewReader(huge))
	assert.ErrorIs(t, err, ErrCorrupt)
}

func TestNoAllocations(t *testing.T) {
	a := smallAgent(t, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	b := randBatch(rng, 4, 3, 2)
	obs, act := make([]float64, 3*5), make([]float64, 2*5)
	a.Update(b, rng)
	a.ActBatch(obs, 5, act, rng)
	c := a.Controller(false)
	c.Reset(rng)
	tests := []struct {
		name string
		f    func()
	}{
		{"Act", func() { a.Act(obs[:3], act[:2], rng) }},
		{"Act deterministic", func() { a.Act(obs[:3], act[:2], nil) }},
		{"ActBatch", func() { a.ActBatch(obs, 5, act, rng) }},
		{"Controller.Act", func() { c.Act(obs[:3], act[:2]) }},
		{"Update", func() { a.Update(b, rng) }},
	}
	for _, tt := range tests {
		assert.Zero(t, testing.AllocsPerRun(20, tt.f), "%s allocations", tt.name)
	}
}

func TestActRange(t *testing.T) {
	a := smallAgent(t, 1)
	// Push the means far out: actions must still lie in [-1, 1].
	for i := range a.actor.Params {
		a.actor.Params[i] *= 50
	}
	rng := rand.New(rand.NewPCG(1, 1))
	obs := randBatch(rng, 64, 3, 2).Obs
	act := make([]float64, 64*2)
	for _, r := range []*rand.Rand{rng, nil} {
		a.ActBatch(obs, 64, act, r)
		for _, v := range act {
			require.True(t, v >= -1 && v <= 1, "action %v outside [-1, 1]", v)
		}
	}
	// ActBatch agrees with Act row by row, up to float32 rounding: OpenBLAS
	// may sum a single row in another order than a batch.
	a.ActBatch(obs, 64, act, nil)
	one := make([]float64, 2)
	for r := range 64 {
		a.Act(obs[3*r:3*r+3], one, nil)
		assert.InDeltaSlice(t, act[2*r:2*r+2], one, 1e-5, "row %d", r)
	}
}

func TestConfigValidate(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero value", Config{}, true},
		{"explicit", Config{Hidden: []int{32}, BatchSize: 8, LR: 1e-3, Gamma: 1, Tau: 1, InitAlpha: 1, Activation: "silu"}, true},
		{"zero width", Config{Hidden: []int{32, 0}}, false},
		{"negative batch", Config{BatchSize: -1}, false},
		{"negative lr", Config{LR: -1}, false},
		{"gamma > 1", Config{Gamma: 1.5}, false},
		{"negative tau", Config{Tau: -0.1}, false},
		{"tau > 1", Config{Tau: 2}, false},
		{"negative alpha", Config{InitAlpha: -1}, false},
		{"NaN entropy", Config{TargetEntropy: &nan}, false},
		{"unknown activation", Config{Activation: "gelu"}, false},
		{"negative smoothness", Config{Smoothness: -1}, false},
		{"infinite smoothness", Config{Smoothness: math.Inf(1)}, false},
		{"anneal", Config{TargetEntropyEnd: ptr(-3.0), AnnealUpdates: 10}, true},
		{"NaN entropy end", Config{TargetEntropyEnd: &nan, AnnealUpdates: 10}, false},
		{"entropy end without anneal", Config{TargetEntropyEnd: ptr(-3.0)}, false},
		{"anneal without entropy end", Config{AnnealUpdates: 10}, false},
		{"negative anneal", Config{TargetEntropyEnd: ptr(-3.0), AnnealUpdates: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, "sac: ")
			}
		})
	}
	_, err := New(0, 1, Config{}, rand.New(rand.NewPCG(1, 1)))
	assert.Error(t, err)
	_, err = New(1, 1, Config{}, nil)
	assert.Error(t, err)
	a, err := New(3, 4, Config{}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	cfg := a.Config()
	require.NotNil(t, cfg.TargetEntropy)
	assert.Equal(t, -4.0, *cfg.TargetEntropy, "default target entropy −actDim")
	assert.Equal(t, []int{256, 256}, cfg.Hidden)
	assert.InDelta(t, 0.1, a.Alpha(), 1e-7)
}

func ptr[T any](v T) *T { return &v }

// TestEntropyAnneal checks that the target moves linearly from
// TargetEntropy to TargetEntropyEnd over AnnealUpdates updates, that α's
// gradient uses the annealed target, not the initial one, and that a
// loaded agent continues the anneal.
func TestEntropyAnneal(t *testing.T) {
	a, err := New(3, 2, Config{Hidden: []int{8}, TargetEntropy: ptr(100.0), TargetEntropyEnd: ptr(-100.0), AnnealUpdates: 4},
		rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(2, 2))
	for i, want := range []float64{100, 50, 0, -50, -100, -100} {
		assert.InDelta(t, want, a.TargetEntropy(), 1e-12, "after %d updates", i)
		if i == 1 {
			var buf bytes.Buffer
			require.NoError(t, a.Save(&buf))
			b, err := Load(&buf)
			require.NoError(t, err)
			assert.InDelta(t, want, b.TargetEntropy(), 1e-12, "a loaded agent resumes the anneal where it was")
		}
		st := a.Update(randBatch(rng, 8, 3, 2), rng)
		// ∂L_α/∂log α = H − H̄ with this update's H̄.
		assert.InDelta(t, st.Entropy-want, float64(a.alphaGrad[0]), 1e-4, "update %d", i)
	}
}

func TestTemperatureAndTargets(t *testing.T) {
	lo, hi := -100.0, 100.0
	tests := []struct {
		name  string
		cfg   Config
		alpha func(before, after float64) bool
	}{
		// log α follows H − H̄: it falls when the entropy exceeds the target.
		{"entropy above target", Config{TargetEntropy: &lo}, func(b, a float64) bool { return a < b }},
		{"entropy below target", Config{TargetEntropy: &hi}, func(b, a float64) bool { return a > b }},
		{"fixed", Config{TargetEntropy: &lo, FixedAlpha: true}, func(b, a float64) bool { return a == b }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Hidden, tt.cfg.Tau = []int{8}, 1
			a, err := New(3, 2, tt.cfg, rand.New(rand.NewPCG(1, 1)))
			require.NoError(t, err)
			rng := rand.New(rand.NewPCG(2, 2))
			before := a.Alpha()
			st := a.Update(randBatch(rng, 8, 3, 2), rng)
			assert.Equal(t, before, st.Alpha, "Stats.Alpha is the α used")
			assert.True(t, tt.alpha(before, a.Alpha()), "α %v → %v", before, a.Alpha())
			// τ = 1 copies the critics.
			assert.Equal(t, a.critic.Params, a.target.Params)
		})
	}
}

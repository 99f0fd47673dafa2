// Package sac implements Soft Actor-Critic (Haarnoja et al. 2018, "Soft
// Actor-Critic Algorithms and Applications", arXiv:1812.05905): twin Q
// critics with Polyak-averaged targets, a tanh-squashed Gaussian policy
// trained through the reparameterisation trick, and automatic tuning of the
// entropy temperature α. It is the model-free baseline of this project and
// the policy learner of MBPO, Dyna and DADS.
//
// The networks are float32 MLPs of package nn. The two critics are one
// two-member nn.MLP whose members see the same rows, so each update runs
// one batched forward (and backward) pass per network.
package sac

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"sandbox/control"
	"sandbox/mbrl/nn"
	"sandbox/mbrl/replay"
)

// The log standard deviation of the policy is clamped to
// [logStdMin, logStdMax], as in softlearning and Spinning Up.
const (
	logStdMin = -20
	logStdMax = 2
)

// halfLog2Pi is ½·log(2π).
var halfLog2Pi = 0.5 * math.Log(2*math.Pi)

// Agent is a SAC learner: an actor π(a|s), two critics Q₁, Q₂ and their
// targets, and the temperature α. It is not safe for concurrent use.
type Agent struct {
	obsDim, actDim int
	cfg            Config
	targetEntropy  float64

	actor  *nn.MLP // obs → (mean, log std), actDim each
	critic *nn.MLP // two members: (obs, act) → Q
	target *nn.MLP // Polyak average of critic

	actorOpt, criticOpt, alphaOpt nn.Adam
	logAlpha, alphaGrad           []float32 // one value each, for Adam

	updates int

	pol *policy // Act and ActBatch
	ws  *workspace
}

// workspace holds Update's buffers for up to rows transitions.
type workspace struct {
	rows          int
	actor, critic *nn.Workspace
	actorNext     *nn.Workspace // the smoothness term's pass over s' (and doutN its gradient)
	target        *nn.Workspace
	obs, next     []float32 // rows×obsDim
	qin           []float32 // 2·rows×(obsDim+actDim)
	dq            []float32 // 2·rows
	dqin          []float32 // 2·rows×(obsDim+actDim)
	dout, doutN   []float32 // rows×2·actDim
	eps, act, std []float64 // rows×actDim
	clamped       []bool    // rows×actDim
	logp          []float64 // rows
	y             []float64 // rows
}

// New returns an agent for observations of obsDim and actions of actDim
// values, its networks initialised from rng.
func New(obsDim, actDim int, cfg Config, rng *rand.Rand) (*Agent, error) {
	if rng == nil {
		return nil, errors.New("sac: nil rng")
	}
	a, err := newAgent(obsDim, actDim, cfg)
	if err != nil {
		return nil, err
	}
	act, _ := activation(a.cfg.Activation)
	sizes := a.actorSizes()
	if a.actor, err = nn.NewMLP(1, sizes, nn.Config{Hidden: act}, rng); err != nil {
		return nil, fmt.Errorf("sac: actor: %w", err)
	}
	if a.critic, err = nn.NewMLP(2, a.criticSizes(), nn.Config{Hidden: act}, rng); err != nil {
		return nil, fmt.Errorf("sac: critics: %w", err)
	}
	a.target, _ = nn.NewMLP(2, a.criticSizes(), nn.Config{Hidden: act}, rng)
	a.target.CopyFrom(a.critic)
	a.logAlpha[0] = float32(math.Log(a.cfg.InitAlpha))
	a.init()
	return a, nil
}

// newAgent validates the arguments and sets up everything but the
// networks.
func newAgent(obsDim, actDim int, cfg Config) (*Agent, error) {
	if obsDim < 1 || actDim < 1 || obsDim > maxWidth || actDim > maxWidth {
		return nil, fmt.Errorf("sac: observation width %d and action width %d, want in [1, %d]", obsDim, actDim, maxWidth)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if cfg.TargetEntropy == nil {
		h := -float64(actDim)
		cfg.TargetEntropy = &h
	}
	a := &Agent{
		obsDim:        obsDim,
		actDim:        actDim,
		cfg:           cfg,
		targetEntropy: *cfg.TargetEntropy,
		logAlpha:      make([]float32, 1),
		alphaGrad:     make([]float32, 1),
	}
	a.actorOpt.LearningRate = cfg.LR
	a.criticOpt.LearningRate = cfg.LR
	a.alphaOpt.LearningRate = cfg.LR
	return a, nil
}

// init allocates the workspaces once the networks exist.
func (a *Agent) init() {
	a.pol = newPolicy(a)
	a.ws = a.newWorkspace(a.cfg.BatchSize)
}

func (a *Agent) actorSizes() []int {
	return append(append([]int{a.obsDim}, a.cfg.Hidden...), 2*a.actDim)
}

func (a *Agent) criticSizes() []int {
	return append(append([]int{a.obsDim + a.actDim}, a.cfg.Hidden...), 1)
}

func (a *Agent) newWorkspace(rows int) *workspace {
	in := a.obsDim + a.actDim
	ws := &workspace{
		rows:    rows,
		actor:   a.actor.NewWorkspace(rows),
		critic:  a.critic.NewWorkspace(2 * rows),
		target:  a.target.NewInferenceWorkspace(2 * rows),
		obs:     make([]float32, rows*a.obsDim),
		next:    make([]float32, rows*a.obsDim),
		qin:     make([]float32, 2*rows*in),
		dq:      make([]float32, 2*rows),
		dqin:    make([]float32, 2*rows*in),
		dout:    make([]float32, rows*2*a.actDim),
		eps:     make([]float64, rows*a.actDim),
		act:     make([]float64, rows*a.actDim),
		std:     make([]float64, rows*a.actDim),
		clamped: make([]bool, rows*a.actDim),
		logp:    make([]float64, rows),
		y:       make([]float64, rows),
	}
	if a.cfg.Smoothness > 0 {
		ws.actorNext = a.actor.NewWorkspace(rows)
		ws.doutN = make([]float32, rows*2*a.actDim)
	}
	return ws
}

// ObsDim returns the observation width.
func (a *Agent) ObsDim() int { return a.obsDim }

// ActDim returns the action width.
func (a *Agent) ActDim() int { return a.actDim }

// Config returns the configuration with its defaults filled in, including
// the resolved TargetEntropy.
func (a *Agent) Config() Config { return a.cfg.WithDefaults() }

// Updates returns the number of Update calls applied.
func (a *Agent) Updates() int { return a.updates }

// TargetEntropy returns the entropy target of the next update: the
// Config's TargetEntropy, annealed towards TargetEntropyEnd when set.
func (a *Agent) TargetEntropy() float64 {
	h := a.targetEntropy
	if e := a.cfg.TargetEntropyEnd; e != nil {
		f := min(1, float64(a.updates)/float64(a.cfg.AnnealUpdates))
		h += f * (*e - h)
	}
	return h
}

// Alpha returns the current temperature α.
func (a *Agent) Alpha() float64 { return math.Exp(float64(a.logAlpha[0])) }

// Act writes an action in [-1,1]^actDim for one observation: a policy
// sample tanh(μ + σ·ε), ε ~ N(0, I) drawn from rng, or the deterministic
// tanh(μ) when rng is nil. It does not allocate once the agent has acted.
// Act panics if obs or act have the wrong length.
func (a *Agent) Act(obs, act []float64, rng *rand.Rand) {
	if len(obs) != a.obsDim || len(act) != a.actDim {
		panic(fmt.Sprintf("sac: Act with %d observation and %d action values, want %d and %d", len(obs), len(act), a.obsDim, a.actDim))
	}
	a.pol.act(obs, 1, act, rng)
}

// ActBatch does what Act does for n row-major observations in one batched
// forward pass, writing n row-major actions into act. It allocates only
// when n exceeds every earlier n. ActBatch panics if obs or act is shorter
// than n rows.
func (a *Agent) ActBatch(obs []float64, n int, act []float64, rng *rand.Rand) {
	if n < 0 || len(obs) < n*a.obsDim || len(act) < n*a.actDim {
		panic(fmt.Sprintf("sac: ActBatch of %d rows with %d observation and %d action values", n, len(obs), len(act)))
	}
	if n == 0 {
		return
	}
	a.pol.act(obs, n, act, rng)
}

// policy evaluates the actor outside of training with buffers of its own,
// so that controllers do not disturb each other or the agent.
type policy struct {
	a    *Agent
	ws   *nn.Workspace
	x    []float32
	rows int
}

func newPolicy(a *Agent) *policy {
	p := &policy{a: a}
	p.grow(1)
	return p
}

func (p *policy) grow(rows int) {
	p.rows = rows
	p.ws = p.a.actor.NewInferenceWorkspace(rows)
	p.x = make([]float32, rows*p.a.obsDim)
}

func (p *policy) act(obs []float64, n int, act []float64, rng *rand.Rand) {
	if n > p.rows {
		p.grow(n)
	}
	a := p.a
	x := p.x[:n*a.obsDim]
	for i := range x {
		x[i] = float32(obs[i])
	}
	out := a.actor.Forward(p.ws, x, n)
	k := a.actDim
	for r := range n {
		o := out[r*2*k : (r+1)*2*k]
		dst := act[r*k : (r+1)*k]
		for j := range k {
			u := float64(o[j])
			if rng != nil {
				ls := min(max(float64(o[k+j]), logStdMin), logStdMax)
				u += math.Exp(ls) * rng.NormFloat64()
			}
			dst[j] = math.Tanh(u)
		}
	}
}

// Controller returns a control.Controller acting with the agent's current
// policy (it sees later updates): tanh of the mean if deterministic, for
// evaluation, or policy samples drawn from the rng given to Reset (tanh of
// the mean until Reset is called with a non-nil rng). Each controller has
// its own buffers; like the agent, it is not safe for concurrent use.
func (a *Agent) Controller(deterministic bool) control.Controller {
	return &controller{p: newPolicy(a), det: deterministic}
}

type controller struct {
	p   *policy
	det bool
	rng *rand.Rand
}

func (c *controller) Reset(rng *rand.Rand) { c.rng = rng }

func (c *controller) Act(obs, act []float64) {
	a := c.p.a
	if len(obs) != a.obsDim || len(act) != a.actDim {
		panic(fmt.Sprintf("sac: Controller.Act with %d observation and %d action values, want %d and %d", len(obs), len(act), a.obsDim, a.actDim))
	}
	rng := c.rng
	if c.det {
		rng = nil
	}
	c.p.act(obs, 1, act, rng)
}

// Stats summarises one Update.
type Stats struct {
	// QLoss is the critic loss: the mean squared soft TD error of Q₁ plus
	// that of Q₂.
	QLoss float64
	// PolicyLoss is E[α·log π(a|s) − min(Q₁, Q₂)(s, a)] over the batch,
	// a ~ π, plus the smoothness term when Config.Smoothness is set.
	PolicyLoss float64
	// Alpha is the temperature used by this update (before its own α
	// step).
	Alpha float64
	// Entropy is −E[log π(a|s)] over the batch, in nats.
	Entropy float64
	// Q is the mean of Q₁ and Q₂ over the batch's (obs, act).
	Q float64
}

// Update takes one gradient step on the critics, the policy and the
// temperature from the minibatch b (any number of rows; the trainer builds
// it from real and model transitions) and then updates the targets, in the
// order of the reference implementations:
//
//	y      = r + γ·(1−d)·(min_i Q'_i(s', a') − α·log π(a'|s')),  a' ~ π(·|s')
//	L_Q    = Σ_i mean (Q_i(s, a) − y)²
//	L_π    = mean α·log π(ã|s) − min_i Q_i(s, ã),  ã ~ π(·|s) (reparameterised)
//	L_α    = −mean log α·(log π(ã|s) + H̄)
//	θ'     ← (1−τ)·θ' + τ·θ
//
// where d is 1 for terminated rows, which do not bootstrap. Every noise
// sample comes from rng. Update panics if rng is nil or if b's slices
// disagree in length with each other or with the agent's widths; an empty
// batch changes nothing. It allocates only when the batch has more rows
// than any before it and than Config.BatchSize.
func (a *Agent) Update(b *replay.Batch, rng *rand.Rand) Stats {
	if rng == nil {
		panic("sac: Update with a nil rng")
	}
	n := a.checkBatch(b)
	alpha := a.Alpha()
	if n == 0 {
		return Stats{Alpha: alpha}
	}
	ws := a.workspaceFor(n)
	a.sampleNoise(ws.eps[:n*a.actDim], rng)
	var st Stats
	st.Alpha = alpha
	st.QLoss, st.Q = a.criticLoss(b, n, alpha)
	a.criticOpt.Step(a.critic.Params, a.critic.Grads, nil)

	a.sampleNoise(ws.eps[:n*a.actDim], rng)
	st.PolicyLoss, st.Entropy = a.policyLoss(b.Obs, b.Next, n, alpha)
	a.actorOpt.Step(a.actor.Params, a.actor.Grads, nil)

	if !a.cfg.FixedAlpha {
		// ∂L_α/∂log α = −mean(log π + H̄) = H − H̄.
		a.alphaGrad[0] = float32(st.Entropy - a.TargetEntropy())
		a.alphaOpt.Step(a.logAlpha, a.alphaGrad, nil)
	}
	tau := float32(a.cfg.Tau)
	tp, cp := a.target.Params, a.critic.Params[:len(a.target.Params)]
	for i, c := range cp {
		tp[i] = (1-tau)*tp[i] + tau*c
	}
	a.updates++
	return st
}

// checkBatch returns the number of rows of b and panics if its slices
// disagree.
func (a *Agent) checkBatch(b *replay.Batch) int {
	n := len(b.Reward)
	if len(b.Terminated) != n || len(b.Obs) != n*a.obsDim || len(b.Next) != n*a.obsDim || len(b.Act) != n*a.actDim {
		panic(fmt.Sprintf("sac: batch with %d obs, %d act, %d next, %d reward and %d terminated values for widths %d, %d",
			len(b.Obs), len(b.Act), len(b.Next), len(b.Reward), len(b.Terminated), a.obsDim, a.actDim))
	}
	return n
}

func (a *Agent) workspaceFor(n int) *workspace {
	if n > a.ws.rows {
		a.ws = a.newWorkspace(n)
	}
	return a.ws
}

func (a *Agent) sampleNoise(eps []float64, rng *rand.Rand) {
	for i := range eps {
		eps[i] = rng.NormFloat64()
	}
}

// squash turns n rows of actor outputs (mean, log std) and the noise in
// ws.eps into actions a = tanh(μ + σ·ε), kept in ws.act, and their log
// densities in ws.logp; it also keeps σ and which log stds were clamped for
// the policy gradient. If qin is not nil, it writes the rows (obs, a) into
// qin twice, once per critic.
func (a *Agent) squash(out []float32, n int, obs []float32, qin []float32) {
	ws, k, d := a.ws, a.actDim, a.obsDim
	in := d + k
	for r := range n {
		o := out[r*2*k : (r+1)*2*k]
		lp := 0.0
		for j := range k {
			i := r*k + j
			ls := float64(o[k+j])
			ws.clamped[i] = ls < logStdMin || ls > logStdMax
			ls = min(max(ls, logStdMin), logStdMax)
			std := math.Exp(ls)
			u := float64(o[j]) + std*ws.eps[i]
			act := math.Tanh(u)
			ws.std[i], ws.act[i] = std, act
			lp += gaussLogProb(ws.eps[i], ls) - log1mTanh2(u)
		}
		ws.logp[r] = lp
		if qin != nil {
			row := qin[r*in : (r+1)*in]
			copy(row, obs[r*d:(r+1)*d])
			for j := range k {
				row[d+j] = float32(ws.act[r*k+j])
			}
		}
	}
	if qin != nil {
		copy(qin[n*in:2*n*in], qin[:n*in])
	}
}

// gaussLogProb is log N(μ + σ·ε; μ, σ) for log σ = ls.
func gaussLogProb(eps, ls float64) float64 { return -0.5*eps*eps - ls - halfLog2Pi }

// log1mTanh2 is log(1 − tanh²u) = 2·(log 2 − u − softplus(−2u)), exact
// where 1 − tanh²u underflows.
func log1mTanh2(u float64) float64 { return 2 * (math.Ln2 - u - softplus(-2*u)) }

func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

// logProb returns the log density of the tanh-squashed Gaussian at
// a = tanh(u) for a pre-squash sample u of mean mu and log std ls (one
// dimension): log N(u; μ, σ) − log(1 − tanh²u).
func logProb(u, mu, ls float64) float64 {
	return gaussLogProb((u-mu)/math.Exp(ls), ls) - log1mTanh2(u)
}

// criticLoss evaluates the critic loss on b with the noise in ws.eps for
// the next actions and accumulates its gradient into the zeroed
// critic.Grads. It returns the loss and the mean Q.
func (a *Agent) criticLoss(b *replay.Batch, n int, alpha float64) (loss, meanQ float64) {
	ws, k, d := a.ws, a.actDim, a.obsDim
	in := d + k
	next := ws.next[:n*d]
	for i := range next {
		next[i] = float32(b.Next[i])
	}
	out := a.actor.Forward(ws.actor, next, n)
	qin := ws.qin[:2*n*in]
	a.squash(out, n, next, qin)
	qt := a.target.Forward(ws.target, qin, n)
	gamma := a.cfg.Gamma
	for i := range n {
		y := b.Reward[i]
		if !b.Terminated[i] {
			y += gamma * (min(float64(qt[i]), float64(qt[n+i])) - alpha*ws.logp[i])
		}
		ws.y[i] = y
	}
	for r := range n {
		row := qin[r*in : (r+1)*in]
		for j := range d {
			row[j] = float32(b.Obs[r*d+j])
		}
		for j := range k {
			row[d+j] = float32(b.Act[r*k+j])
		}
	}
	copy(qin[n*in:2*n*in], qin[:n*in])
	q := a.critic.Forward(ws.critic, qin, n)
	dq := ws.dq[:2*n]
	inv := 1 / float64(n)
	for i, qi := range q[:2*n] {
		e := float64(qi) - ws.y[i%n]
		loss += e * e * inv
		meanQ += float64(qi)
		dq[i] = float32(2 * e * inv)
	}
	a.critic.ZeroGrad()
	a.critic.Backward(ws.critic, dq, nil)
	return loss, meanQ * inv / 2
}

// policyLoss evaluates the policy loss on the n observations obs with the
// noise in ws.eps, plus the smoothness term between obs and next when
// Config.Smoothness is set, and stores its gradient in actor.Grads. It
// returns the loss and the entropy estimate −mean log π.
func (a *Agent) policyLoss(obs, next []float64, n int, alpha float64) (loss, entropy float64) {
	ws, k, d := a.ws, a.actDim, a.obsDim
	in := d + k
	x := ws.obs[:n*d]
	for i := range x {
		x[i] = float32(obs[i])
	}
	out := a.actor.Forward(ws.actor, x, n)
	qin := ws.qin[:2*n*in]
	a.squash(out, n, x, qin)
	q := a.critic.Forward(ws.critic, qin, n)
	inv := 1 / float64(n)
	dq := ws.dq[:2*n]
	for i := range n {
		q1, q2 := float64(q[i]), float64(q[n+i])
		dq[i], dq[n+i] = float32(-inv), 0
		if q2 < q1 {
			dq[i], dq[n+i] = 0, float32(-inv)
			q1 = q2
		}
		loss += (alpha*ws.logp[i] - q1) * inv
		entropy -= ws.logp[i] * inv
	}
	dqin := ws.dqin[:2*n*in]
	a.critic.BackwardInput(ws.critic, dq, dqin)
	dout := ws.dout[:n*2*k]
	for r := range n {
		for j := range k {
			i := r*k + j
			act, std, eps := ws.act[i], ws.std[i], ws.eps[i]
			// ∂L/∂a from the critics (dq already carries −1/n).
			ga := float64(dqin[r*in+d+j] + dqin[(n+r)*in+d+j])
			// u = μ + σε, a = tanh u; −log(1−tanh²u) has derivative 2a.
			gu := ga*(1-act*act) + alpha*inv*2*act
			dout[r*2*k+j] = float32(gu)
			gls := 0.0
			if !ws.clamped[i] {
				gls = gu*std*eps - alpha*inv
			}
			dout[r*2*k+k+j] = float32(gls)
		}
	}
	a.actor.ZeroGrad()
	if lam := a.cfg.Smoothness; lam > 0 {
		loss += a.smoothness(out, next, n, lam, dout)
	}
	a.actor.Backward(ws.actor, dout, nil)
	return loss, entropy
}

// smoothness returns CAPS's temporal term lam·mean_r ‖tanh μ(s_r) −
// tanh μ(s'_r)‖² for the actor outputs out at s and the observations next
// (s'), adds its gradient with respect to out into dout and backpropagates
// the s' side into actor.Grads.
func (a *Agent) smoothness(out []float32, next []float64, n int, lam float64, dout []float32) float64 {
	ws, k, d := a.ws, a.actDim, a.obsDim
	x := ws.next[:n*d]
	for i := range x {
		x[i] = float32(next[i])
	}
	outN := a.actor.Forward(ws.actorNext, x, n)
	doutN := ws.doutN[:n*2*k]
	clear(doutN)
	loss, c := 0.0, lam/float64(n)
	for r := range n {
		for j := range k {
			m, mN := math.Tanh(float64(out[r*2*k+j])), math.Tanh(float64(outN[r*2*k+j]))
			diff := m - mN
			loss += c * diff * diff
			dout[r*2*k+j] += float32(2 * c * diff * (1 - m*m))
			doutN[r*2*k+j] = float32(-2 * c * diff * (1 - mN*mN))
		}
	}
	a.actor.Backward(ws.actorNext, doutN, nil)
	return loss
}

package dads

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"sandbox/mbrl/nn"
)

// DynamicsConfig holds the options of SkillDynamics. The zero value is the
// DADS code's setting (skill_dynamics.py with fix_variance and
// normalize_data), except Hidden and Epsilon.
type DynamicsConfig struct {
	// Hidden are the hidden layer widths (ReLU); default [128, 128].
	// DADS used [512, 512], which on one core here makes the intrinsic
	// reward of a 256-transition batch about 9 times slower than
	// [128, 128] (BenchmarkIntrinsicReward, L = 10: 0.20 s against
	// 0.022 s) and a replan of the planner 20 times slower (1.2 s against
	// 0.057 s, BenchmarkPlannerReplan).
	Hidden []int `json:"hidden,omitempty"`
	// Components is the number K of mixture components; default 4.
	Components int `json:"components,omitempty"`
	// LearningRate is Adam's step size; default 3e-4.
	LearningRate float64 `json:"learning_rate,omitempty"`
	// Momentum is the decay of the normalisers' running statistics per
	// Train call (BatchNormalization's moving averages in DADS); default
	// 0.99.
	Momentum float64 `json:"momentum,omitempty"`
	// Epsilon is added to the running variances before the square root;
	// default 1e-8. DADS's BatchNormalization adds 1e-3, which for the
	// centimetre steps of a fingertip (variance ~1e-3 m²) would double
	// the normalised scale and blur every component.
	Epsilon float64 `json:"epsilon,omitempty"`
	// LearnVariance learns each component's standard deviations in
	// normalised units, softplus of the network's output clipped to
	// [0.3, 10] (skill_dynamics.py without fix_variance), instead of
	// fixing them at 1.
	LearnVariance bool `json:"learn_variance,omitempty"`
	// Horizon is the number k of control steps whose change the model
	// predicts, q(s_{t+k} − s_t | s_t, z); default 1, DADS's one-step
	// skill dynamics. A Learner pairs each transition with the skill
	// state k steps later in its episode, so the intrinsic reward asks
	// where a skill has taken the skill state after k steps, and the
	// planner predicts a skill's effect k steps at a time (its SkillSteps
	// must be a multiple of k). An episode's last k−1 transitions are not
	// stored when it ran to its time limit; when a task failure (a fall)
	// ended it they are, with the skill state where it ended in place of
	// the one k steps on.
	Horizon int `json:"horizon,omitempty"`
}

// Bounds of learned standard deviations in normalised units (DADS).
const (
	stdLow  = 0.3
	stdHigh = 10
)

// outputs returns the network's output width for a stateDim-dimensional
// state: K logits, K·d means and, with LearnVariance, K·d scales.
func (c DynamicsConfig) outputs(stateDim int) int {
	if c.LearnVariance {
		return c.Components * (1 + 2*stateDim)
	}
	return c.Components * (1 + stateDim)
}

func (c DynamicsConfig) withDefaults() DynamicsConfig {
	if len(c.Hidden) == 0 {
		c.Hidden = []int{128, 128}
	}
	if c.Components == 0 {
		c.Components = 4
	}
	if c.LearningRate == 0 {
		c.LearningRate = 3e-4
	}
	if c.Momentum == 0 {
		c.Momentum = 0.99
	}
	if c.Epsilon == 0 {
		c.Epsilon = 1e-8
	}
	if c.Horizon == 0 {
		c.Horizon = 1
	}
	return c
}

func (c DynamicsConfig) validate() error {
	for _, h := range c.Hidden {
		if h < 1 || h > 1<<16 {
			return fmt.Errorf("dads: hidden width %d, want 1…65536", h)
		}
	}
	switch {
	case c.Components < 1 || c.Components > 64:
		return fmt.Errorf("dads: %d mixture components, want 1…64", c.Components)
	case !(c.LearningRate > 0) || c.LearningRate > 1:
		return fmt.Errorf("dads: skill-dynamics learning rate %g, want (0, 1]", c.LearningRate)
	case !(c.Momentum > 0 && c.Momentum < 1):
		return fmt.Errorf("dads: normaliser momentum %g, want (0, 1)", c.Momentum)
	case !(c.Epsilon > 0 && c.Epsilon < 1):
		return fmt.Errorf("dads: normaliser epsilon %g, want (0, 1)", c.Epsilon)
	case c.Horizon < 1 || c.Horizon > 1000:
		return fmt.Errorf("dads: skill-dynamics horizon %d, want 1…1000", c.Horizon)
	}
	return nil
}

// SkillDynamics is the skill-dynamics model q(Δs|s, z) of DADS: an MLP
// from the normalised state and the skill to a mixture of K diagonal
// Gaussians over the normalised change Δs = s' − s, with unit variances
// (skill_dynamics.py with fix_variance, the DADS default: the mixture
// weights and means are learned, the scales are not) or, with
// DynamicsConfig.LearnVariance, learned ones.
//
// Inputs s and targets Δs are normalised by running means and variances
// that every Train call updates from its batch, with momentum: m ← ρm +
// (1−ρ)·mean(batch), and likewise the variance. The first call sets them
// from its batch. (DADS normalises a training batch by its own statistics
// and everything else by the moving averages; here both use the moving
// averages, so a batch is scored the same in training and in evaluation.)
//
// A SkillDynamics is not safe for concurrent use.
type SkillDynamics struct {
	cfg                DynamicsConfig
	stateDim, skillDim int
	net                *nn.MLP
	adam               nn.Adam
	train, infer       *nn.Workspace
	in, out            normaliser
	x, dy              []float32
}

// normaliser holds running statistics of one vector quantity.
type normaliser struct {
	mean, vari []float64
	seen       bool
}

func newNormaliser(d int) normaliser {
	v := make([]float64, d)
	for i := range v {
		v[i] = 1
	}
	return normaliser{mean: make([]float64, d), vari: v}
}

// update folds in the statistics of n rows of x with momentum rho.
func (nz *normaliser) update(x []float64, n int, rho float64) {
	d := len(nz.mean)
	for j := range d {
		var m, v float64
		for i := range n {
			m += x[i*d+j]
		}
		m /= float64(n)
		for i := range n {
			e := x[i*d+j] - m
			v += e * e
		}
		v /= float64(n)
		if !nz.seen {
			nz.mean[j], nz.vari[j] = m, v
		} else {
			nz.mean[j] = rho*nz.mean[j] + (1-rho)*m
			nz.vari[j] = rho*nz.vari[j] + (1-rho)*v
		}
	}
	nz.seen = true
}

// NewSkillDynamics returns an untrained model of the change of a
// stateDim-dimensional skill state under skillDim-dimensional skills,
// initialised from rng.
func NewSkillDynamics(stateDim, skillDim int, cfg DynamicsConfig, rng *rand.Rand) (*SkillDynamics, error) {
	if stateDim < 1 || skillDim < 1 || stateDim > 1024 || skillDim > 1024 {
		return nil, fmt.Errorf("dads: state dimension %d, skill dimension %d, want 1…1024", stateDim, skillDim)
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("dads: nil rng")
	}
	sizes := append([]int{stateDim + skillDim}, cfg.Hidden...)
	sizes = append(sizes, cfg.outputs(stateDim))
	net, err := nn.NewMLP(1, sizes, nn.Config{Hidden: nn.ReLU}, rng)
	if err != nil {
		return nil, fmt.Errorf("dads: %w", err)
	}
	return newDynamics(stateDim, skillDim, cfg, net), nil
}

func newDynamics(stateDim, skillDim int, cfg DynamicsConfig, net *nn.MLP) *SkillDynamics {
	d := &SkillDynamics{cfg: cfg, stateDim: stateDim, skillDim: skillDim, net: net,
		in: newNormaliser(stateDim), out: newNormaliser(stateDim)}
	d.adam.LearningRate = float32(cfg.LearningRate)
	return d
}

// StateDim returns the skill-state dimension.
func (d *SkillDynamics) StateDim() int { return d.stateDim }

// SkillDim returns the skill dimension.
func (d *SkillDynamics) SkillDim() int { return d.skillDim }

// Config returns the options in use, defaults filled in.
func (d *SkillDynamics) Config() DynamicsConfig { return d.cfg }

func (d *SkillDynamics) checkRows(name string, x []float64, n, width int) {
	if len(x) < n*width {
		panic(fmt.Sprintf("dads: %s has %d values for %d rows of %d", name, len(x), n, width))
	}
}

// inputs fills d.x with the n network inputs (normalised s, z).
func (d *SkillDynamics) inputs(s, z []float64, n int) []float32 {
	w := d.stateDim + d.skillDim
	if cap(d.x) < n*w {
		d.x = make([]float32, n*w)
	}
	x := d.x[:n*w]
	for i := range n {
		row := x[i*w : (i+1)*w]
		for j := range d.stateDim {
			row[j] = float32((s[i*d.stateDim+j] - d.in.mean[j]) / math.Sqrt(d.in.vari[j]+d.cfg.Epsilon))
		}
		for j := range d.skillDim {
			row[d.stateDim+j] = float32(z[i*d.skillDim+j])
		}
	}
	return x
}

func (d *SkillDynamics) forward(s, z []float64, n int) []float32 {
	if d.infer == nil || d.infer.MaxRows() < n {
		d.infer = d.net.NewInferenceWorkspace(min(chunkRows, max(n, 256)))
	}
	return d.net.Forward(d.infer, d.inputs(s, z, n), n)
}

// softmaxNorm returns the largest logit m and s = Σ exp(x_i − m): the
// softmax is exp(x_i − m)/s and log Σ exp(x_i) = m + log s.
func softmaxNorm[T float32 | float64](x []T) (m, s float64) {
	m = math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, float64(v))
	}
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m, s
}

// logProbRow returns log q(y) in normalised units for one output row, and
// if resp is not nil the components' posterior responsibilities.
func (d *SkillDynamics) logProbRow(out []float32, y []float64, resp []float64) float64 {
	k := d.cfg.Components
	ds := d.stateDim
	m, s := softmaxNorm(out[:k])
	lnorm := m + math.Log(s) // log softmax = logit − lnorm
	var buf [64]float64
	lc := buf[:k]
	for c := range k {
		mu := out[k+c*ds : k+(c+1)*ds]
		q := 0.0
		for j, m := range mu {
			e := y[j] - float64(m)
			if d.cfg.LearnVariance {
				sd := d.scale(out, c, j)
				e /= sd
				q += 2 * math.Log(sd)
			}
			q += e * e
		}
		lc[c] = float64(out[c]) - lnorm - 0.5*q - 0.5*float64(ds)*math.Log(2*math.Pi)
	}
	best, s := softmaxNorm(lc)
	lp := best + math.Log(s)
	if resp != nil {
		for c := range k {
			resp[c] = math.Exp(lc[c] - lp)
		}
	}
	return lp
}

// scale returns component c's standard deviation of dimension j in
// normalised units, for an output row with learned scales.
func (d *SkillDynamics) scale(out []float32, c, j int) float64 {
	k, ds := d.cfg.Components, d.stateDim
	return min(stdHigh, max(stdLow, softplus(float64(out[k+k*ds+c*ds+j]))))
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// logJacobian is Σ_j log σ_j of the target normaliser: the log density of
// Δs is that of the normalised target minus it.
func (d *SkillDynamics) logJacobian() float64 {
	var l float64
	for _, v := range d.out.vari {
		l += 0.5 * math.Log(v+d.cfg.Epsilon)
	}
	return l
}

// normTarget writes the normalised Δs of row i into y.
func (d *SkillDynamics) normTarget(s, next []float64, i int, y []float64) {
	for j := range d.stateDim {
		delta := next[i*d.stateDim+j] - s[i*d.stateDim+j]
		y[j] = (delta - d.out.mean[j]) / math.Sqrt(d.out.vari[j]+d.cfg.Epsilon)
	}
}

// LogProb writes into dst[i] the log density log q(Δs_i|s_i, z_i) of the
// change Δs_i = next_i − s_i (in the units of Δs) for n rows: s and next
// hold n×StateDim values and z n×SkillDim, row-major. One forward pass
// serves all rows. It panics if a slice is too short.
func (d *SkillDynamics) LogProb(s, z, next []float64, n int, dst []float64) {
	d.checkRows("s", s, n, d.stateDim)
	d.checkRows("next", next, n, d.stateDim)
	d.checkRows("z", z, n, d.skillDim)
	d.checkRows("dst", dst, n, 1)
	if n == 0 {
		return
	}
	w := d.net.Out()
	jac := d.logJacobian()
	y := make([]float64, d.stateDim)
	for i0 := 0; i0 < n; i0 += chunkRows {
		m := min(chunkRows, n-i0)
		out := d.forward(s[i0*d.stateDim:], z[i0*d.skillDim:], m)
		for i := range m {
			d.normTarget(s, next, i0+i, y)
			dst[i0+i] = d.logProbRow(out[i*w:(i+1)*w], y, nil) - jac
		}
	}
}

// chunkRows bounds the rows of one inference pass, and so the workspace:
// 4096 rows of two 512-wide layers take 16 MB.
const chunkRows = 4096

// Predict writes into dst the predicted next skill states s + E[Δs] for n
// rows, where E[Δs] is the mean of the whole mixture (DADS's
// predict_state without use_modal_mean). dst may alias s.
func (d *SkillDynamics) Predict(s, z []float64, n int, dst []float64) {
	d.predict(s, z, n, dst, false)
}

// PredictModal is Predict with E[Δs] replaced by the mean of the most
// likely component (DADS's predict_state with use_modal_mean), which does
// not average distinct modes.
func (d *SkillDynamics) PredictModal(s, z []float64, n int, dst []float64) {
	d.predict(s, z, n, dst, true)
}

func (d *SkillDynamics) predict(s, z []float64, n int, dst []float64, modal bool) {
	d.checkRows("s", s, n, d.stateDim)
	d.checkRows("z", z, n, d.skillDim)
	d.checkRows("dst", dst, n, d.stateDim)
	if n == 0 {
		return
	}
	w := d.net.Out()
	k, ds := d.cfg.Components, d.stateDim
	var buf [64]float64
	pi := buf[:k]
	var out []float32
	for i := range n {
		if i%chunkRows == 0 {
			m := min(chunkRows, n-i)
			out = d.forward(s[i*ds:], z[i*d.skillDim:], m)
		}
		row := out[(i%chunkRows)*w : (i%chunkRows+1)*w]
		lmax, sum := softmaxNorm(row[:k])
		for c := range k {
			pi[c] = math.Exp(float64(row[c]) - lmax) // unnormalised
		}
		best := 0
		for c := range k {
			if pi[c] > pi[best] {
				best = c
			}
		}
		for j := range ds {
			var m float64
			if modal {
				m = float64(row[k+best*ds+j])
			} else {
				for c := range k {
					m += pi[c] * float64(row[k+c*ds+j])
				}
				m /= sum
			}
			dst[i*ds+j] = s[i*ds+j] + d.out.mean[j] + m*math.Sqrt(d.out.vari[j]+d.cfg.Epsilon)
		}
	}
}

// Train folds the batch into the normalisers' running statistics and
// takes one Adam step on the mean negative log-likelihood of the n
// transitions (s, z) → next. It returns the batch's mean log density
// log q(Δs|s, z) before the step, in the units of Δs. It panics if a
// slice is too short and returns an error if the batch has no rows or a
// value is not finite.
func (d *SkillDynamics) Train(s, z, next []float64, n int) (float64, error) {
	if n < 1 {
		return 0, fmt.Errorf("dads: skill-dynamics batch of %d rows", n)
	}
	d.checkRows("s", s, n, d.stateDim)
	d.checkRows("next", next, n, d.stateDim)
	d.checkRows("z", z, n, d.skillDim)
	for _, x := range [][]float64{s[:n*d.stateDim], next[:n*d.stateDim], z[:n*d.skillDim]} {
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, errors.New("dads: skill-dynamics batch has a value that is not finite")
			}
		}
	}
	delta := make([]float64, n*d.stateDim)
	for i := range delta {
		delta[i] = next[i] - s[i]
	}
	d.in.update(s, n, d.cfg.Momentum)
	d.out.update(delta, n, d.cfg.Momentum)

	if d.train == nil || d.train.MaxRows() < n {
		d.train = d.net.NewWorkspace(n)
	}
	out := d.net.Forward(d.train, d.inputs(s, z, n), n)
	w := d.net.Out()
	if cap(d.dy) < n*w {
		d.dy = make([]float32, n*w)
	}
	dy := d.dy[:n*w]
	k, ds := d.cfg.Components, d.stateDim
	y := make([]float64, ds)
	var buf [64]float64
	resp := buf[:k]
	var total float64
	scale := 1 / float64(n)
	for i := range n {
		row, g := out[i*w:(i+1)*w], dy[i*w:(i+1)*w]
		d.normTarget(s, next, i, y)
		total += d.logProbRow(row, y, resp)
		// Softmax of the logits for the gradient of the log-partition.
		m, sum := softmaxNorm(row[:k])
		for c := range k {
			pi := math.Exp(float64(row[c])-m) / sum
			// ∂(−log q)/∂logit_c = π_c − r_c.
			g[c] = float32(scale * (pi - resp[c]))
			for j := range ds {
				e := y[j] - float64(row[k+c*ds+j])
				if !d.cfg.LearnVariance {
					// ∂(−log q)/∂μ_cj = −r_c (y_j − μ_cj).
					g[k+c*ds+j] = float32(-scale * resp[c] * e)
					continue
				}
				sd := d.scale(row, c, j)
				// ∂(−log q)/∂μ = −r_c e/σ², ∂(−log q)/∂σ = r_c (1/σ − e²/σ³),
				// and σ = softplus(o) has ∂σ/∂o = sigmoid(o) inside the
				// clip, 0 outside (tf.clip_by_value).
				g[k+c*ds+j] = float32(-scale * resp[c] * e / (sd * sd))
				o := float64(row[k+k*ds+c*ds+j])
				gs := 0.0
				if sp := softplus(o); sp > stdLow && sp < stdHigh {
					gs = scale * resp[c] * (1/sd - e*e/(sd*sd*sd)) / (1 + math.Exp(-o))
				}
				g[k+k*ds+c*ds+j] = float32(gs)
			}
		}
	}
	d.net.ZeroGrad()
	d.net.Backward(d.train, dy, nil)
	d.adam.Step(d.net.Params, d.net.Grads, nil)
	return total/float64(n) - d.logJacobian(), nil
}

const (
	dynMagic   = "SBXDADSD"
	dynVersion = 1
)

// Save writes the model: its dimensions, options, normaliser statistics
// network and optimiser state, so that training resumes exactly.
func (d *SkillDynamics) Save(w io.Writer) error {
	var e enc
	e.int(d.stateDim)
	e.int(d.skillDim)
	e.int(d.cfg.Components)
	e.f64(d.cfg.LearningRate)
	e.f64(d.cfg.Momentum)
	e.f64(d.cfg.Epsilon)
	learn := 0
	if d.cfg.LearnVariance {
		learn = 1
	}
	e.int(learn)
	for _, nz := range []normaliser{d.in, d.out} {
		e.f64s(nz.mean)
		e.f64s(nz.vari)
		seen := 0
		if nz.seen {
			seen = 1
		}
		e.int(seen)
	}
	var net bytes.Buffer
	if err := d.net.Save(&net); err != nil {
		return err
	}
	e.blob(net.Bytes())
	opt, err := d.adam.MarshalBinary()
	if err != nil {
		return fmt.Errorf("dads: save: %w", err)
	}
	e.blob(opt)
	e.int(d.cfg.Horizon) // appended after version 1's fields
	return writeSection(w, dynMagic, dynVersion, e.b)
}

// LoadDynamics reads a model written by SkillDynamics.Save. A truncated,
// foreign or corrupted stream gives an error wrapping ErrCorrupt.
func LoadDynamics(r io.Reader) (*SkillDynamics, error) {
	p, err := readSection(r, dynMagic, dynVersion)
	if err != nil {
		return nil, err
	}
	dc := dec{b: p}
	stateDim := dc.int(1024, "state dimension")
	skillDim := dc.int(1024, "skill dimension")
	cfg := DynamicsConfig{Components: dc.int(64, "components"), LearningRate: dc.f64(), Momentum: dc.f64(), Epsilon: dc.f64()}
	cfg.LearnVariance = dc.int(1, "variance flag") == 1
	var nzs [2]normaliser
	for i := range nzs {
		nzs[i].mean = dc.f64s("normaliser mean")
		nzs[i].vari = dc.f64s("normaliser variance")
		nzs[i].seen = dc.int(1, "normaliser flag") == 1
		if dc.err == nil && (len(nzs[i].mean) != stateDim || len(nzs[i].vari) != stateDim) {
			dc.fail(fmt.Sprintf("normaliser of %d, %d values for state dimension %d", len(nzs[i].mean), len(nzs[i].vari), stateDim))
		}
		for _, v := range nzs[i].vari {
			if !(v >= 0) || math.IsInf(v, 0) {
				dc.fail(fmt.Sprintf("normaliser variance %g", v))
			}
		}
	}
	blob := dc.blob("network")
	opt := dc.blob("optimiser")
	cfg.Horizon = 1 // models saved before the horizon existed end here
	if len(dc.b) > 0 {
		cfg.Horizon = dc.int(1000, "horizon")
	}
	if dc.err != nil {
		return nil, dc.err
	}
	if stateDim < 1 || skillDim < 1 {
		return nil, fmt.Errorf("%w: dimensions %d, %d", ErrCorrupt, stateDim, skillDim)
	}
	net, err := nn.Load(bytes.NewReader(blob))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	sizes := net.Sizes()
	if net.Members() != 1 || sizes[0] != stateDim+skillDim || sizes[len(sizes)-1] != cfg.outputs(stateDim) {
		return nil, fmt.Errorf("%w: network of sizes %v for state %d, skill %d, %d components", ErrCorrupt, sizes, stateDim, skillDim, cfg.Components)
	}
	cfg.Hidden = sizes[1 : len(sizes)-1]
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	d := newDynamics(stateDim, skillDim, cfg, net)
	d.in, d.out = nzs[0], nzs[1]
	if err := d.adam.UnmarshalBinary(opt); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if m, _, _ := d.adam.State(); m != nil && len(m) != len(net.Params) {
		return nil, fmt.Errorf("%w: optimiser state for %d parameters, network has %d", ErrCorrupt, len(m), len(net.Params))
	}
	return d, nil
}

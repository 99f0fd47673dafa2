package ensemble

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"sandbox/mbrl/nn"
)

// Dataset holds N transitions as row-major float32 matrices.
type Dataset struct {
	// Obs is N×OutDim: the observations.
	Obs []float32
	// Act is N×ActDim: the actions taken.
	Act []float32
	// Next is N×OutDim: the observations that followed.
	Next []float32
}

// TrainConfig holds the options of Train. The zero value gives PETS's
// settings with mbrl-lib's early stopping.
type TrainConfig struct {
	// Epochs is the maximum number of passes over each member's bootstrap;
	// default 100.
	Epochs int
	// BatchSize is the minibatch size per member; default 32 (PETS). MBPO
	// uses 256.
	BatchSize int
	// LearningRate is Adam's step size; default 1e-3 (PETS).
	LearningRate float32
	// WeightDecay holds L2 coefficients λ_l per layer, the loss gaining
	// Σ_l λ_l·½‖W_l‖² (biases excluded); a shorter slice repeats its last
	// entry for the remaining layers. Default PETS's: 2.5e-5, 5e-5, 7.5e-5,
	// 7.5e-5 for hidden layers (7.5e-5 beyond) and 1e-4 for the output.
	WeightDecay []float32
	// Decoupled applies WeightDecay AdamW-style instead of as L2.
	Decoupled bool
	// ClipNorm, if positive, clips the gradient norm of all members jointly.
	ClipNorm float32
	// LogVarPenalty is the coefficient c of c·Σ(maxLogVar − minLogVar) added
	// to the loss to keep the bounds tight; default 0.01 (PETS). Negative
	// disables it.
	LogVarPenalty float32
	// ValidationFraction is the share of transitions held out for early
	// stopping and elite selection; default 0.2 (MBPO). Negative disables
	// the split: Train runs Epochs epochs and ranks elites by training loss.
	ValidationFraction float64
	// MaxValidation caps the held-out set; default 5000 (MBPO).
	MaxValidation int
	// Patience is the number of epochs without improvement after which
	// training stops; default 5 (MBPO, mbrl-lib).
	Patience int
	// Score is the held-out criterion for early stopping and elites;
	// default MSE (MBPO, mbrl-lib).
	Score Score
	// Improvement is the decrease of a member's held-out score that counts
	// as improvement: relative for MSE, default 0.01 (mbrl-lib); in nats
	// per dimension for NLL, default 0.001.
	Improvement float64
	// NoBootstrap trains every member on the whole training split instead
	// of its own bootstrap resample.
	NoBootstrap bool
}

// WithDefaults returns c with its zero fields set to their defaults for a
// network of layers weight layers (the hidden layers and the output).
// Applying it twice changes nothing.
func (c TrainConfig) WithDefaults(layers int) TrainConfig {
	if c.Epochs == 0 {
		c.Epochs = 100
	}
	if c.BatchSize == 0 {
		c.BatchSize = 32
	}
	if c.LearningRate == 0 {
		c.LearningRate = 1e-3
	}
	if c.WeightDecay == nil {
		pets := []float32{2.5e-5, 5e-5, 7.5e-5, 7.5e-5}
		c.WeightDecay = make([]float32, layers)
		for l := range layers - 1 {
			c.WeightDecay[l] = pets[min(l, len(pets)-1)]
		}
		c.WeightDecay[layers-1] = 1e-4
	}
	if c.LogVarPenalty == 0 {
		c.LogVarPenalty = 0.01
	}
	if c.ValidationFraction == 0 {
		c.ValidationFraction = 0.2
	}
	if c.MaxValidation == 0 {
		c.MaxValidation = 5000
	}
	if c.Patience == 0 {
		c.Patience = 5
	}
	if c.Improvement == 0 {
		c.Improvement = 0.01
		if c.Score == NLL {
			c.Improvement = 1e-3
		}
	}
	return c
}

// Score is a held-out criterion for early stopping and elite selection.
type Score uint8

const (
	// MSE is the mean squared error of the predicted mean, as in MBPO and
	// mbrl-lib. It stops once the mean has converged, which can be before
	// the variance head has: predicted variances then run high.
	MSE Score = iota
	// NLL is the Gaussian negative log-likelihood, which keeps training
	// while the variance improves. A deterministic ensemble uses MSE.
	NLL
)

// TrainStats reports a Train call. Errors are in normalized units: Δ divided
// per dimension by its standard deviation on the training split, so 1 is
// the error of predicting the mean change.
type TrainStats struct {
	// Epochs is the number of epochs run.
	Epochs int
	// EarlyStopped reports whether Patience ended training before Epochs.
	EarlyStopped bool
	// TrainLoss is the training loss per epoch, averaged over members and
	// minibatches: mean per-dimension Gaussian NLL without the constant ½log2π
	// and factor ½ (as PETS), or the MSE for a deterministic ensemble.
	TrainLoss []float64
	// ValMSE is each member's held-out mean squared error per dimension for
	// the weights kept. Nil without a validation split.
	ValMSE []float64
	// ValNLL is each member's held-out Gaussian negative log-likelihood per
	// dimension in nats, NaN for a deterministic ensemble. Nil without a
	// validation split.
	ValNLL []float64
	// Elites are the members kept for prediction, best first.
	Elites []int
}

// Train fits the ensemble to data, drawing the validation split, bootstraps
// and minibatch order from rng. It refits the input and output
// normalization on the training split, then trains all members together
// with Adam, each on its own bootstrap of the training split, evaluating
// the held-out Score after every epoch. Training stops after Patience epochs
// in which no member improved by Improvement; each member then reverts to
// its best weights, and the Elites members with the best held-out Score
// become the elites. Train starts from the current weights, so repeated calls
// continue training (PETS, MBPO); the Adam state starts afresh.
func (e *Ensemble) Train(data Dataset, cfg TrainConfig, rng *rand.Rand) (TrainStats, error) {
	if rng == nil {
		return TrainStats{}, errors.New("ensemble: nil rng")
	}
	cfg = cfg.WithDefaults(e.net.Layers())
	od, ad, in := e.outDim, e.ActDim(), e.inDim
	n := len(data.Obs) / od
	if len(data.Obs) != n*od || len(data.Act) != n*ad || len(data.Next) != n*od {
		return TrainStats{}, fmt.Errorf("ensemble: dataset lengths %d, %d, %d are not N rows of %d, %d, %d",
			len(data.Obs), len(data.Act), len(data.Next), od, ad, od)
	}
	if n < 2 {
		return TrainStats{}, fmt.Errorf("ensemble: %d transitions, want ≥ 2", n)
	}
	if cfg.Epochs < 0 || cfg.BatchSize < 1 || cfg.Patience < 1 {
		return TrainStats{}, fmt.Errorf("ensemble: Epochs %d, BatchSize %d, Patience %d", cfg.Epochs, cfg.BatchSize, cfg.Patience)
	}
	if len(cfg.WeightDecay) == 0 {
		return TrainStats{}, errors.New("ensemble: empty WeightDecay (nil selects the default)")
	}

	perm := rng.Perm(n)
	nVal := 0
	if cfg.ValidationFraction > 0 {
		nVal = min(int(cfg.ValidationFraction*float64(n)), cfg.MaxValidation, n-1)
	}
	val, train := perm[:nVal], perm[nVal:]

	// Raw inputs and targets, then normalized in place. From here on in
	// and od are the network's widths.
	in, od = e.netIn, e.netOut
	x := make([]float32, n*in)
	y := make([]float32, n*od)
	for r := range n {
		o := data.Obs[r*e.outDim : (r+1)*e.outDim]
		e.encode(o, data.Act[r*ad:(r+1)*ad], x[r*in:(r+1)*in])
		e.target(o, data.Next[r*e.outDim:(r+1)*e.outDim], y[r*od:(r+1)*od])
	}
	fitNormalizer(x, in, train, e.inMean, e.inStd)
	fitNormalizer(y, od, train, e.outMean, e.outStd)
	normalize(x, e.inMean, e.inStd)
	normalize(y, e.outMean, e.outStd)

	members := e.cfg.Members
	boot := make([][]int, members)
	for m := range boot {
		if cfg.NoBootstrap {
			boot[m] = slices.Clone(train)
			continue
		}
		boot[m] = make([]int, len(train))
		for i := range boot[m] {
			boot[m][i] = train[rng.IntN(len(train))]
		}
	}

	t := &trainer{
		e:      e,
		cfg:    cfg,
		x:      x,
		y:      y,
		ws:     e.net.NewWorkspace(members * cfg.BatchSize),
		xb:     make([]float32, members*cfg.BatchSize*in),
		yb:     make([]float32, members*cfg.BatchSize*od),
		dy:     make([]float32, members*cfg.BatchSize*e.net.Out()),
		decay:  e.net.DecayMask(cfg.WeightDecay),
		opt:    nn.Adam{LearningRate: cfg.LearningRate, Decoupled: cfg.Decoupled, ClipNorm: cfg.ClipNorm},
		bopt:   nn.Adam{LearningRate: cfg.LearningRate},
		memLos: make([]float64, members),
	}
	if nVal > 0 {
		// Validation runs in larger chunks than training minibatches.
		chunk := min(nVal, 512)
		t.evalWS = e.net.NewInferenceWorkspace(members * chunk)
		t.xe = make([]float32, members*chunk*in)
	}
	if !e.cfg.Deterministic {
		t.bounds = make([]float32, 2*members*od)
		t.gBounds = make([]float32, 2*members*od)
	}

	var stats TrainStats
	best := make([]float64, members)
	var snapshot []float32
	var snapBounds [2][]float32
	byNLL := cfg.Score == NLL && !e.cfg.Deterministic
	score := func() []float64 {
		mse, nll := t.evaluate(val)
		if byNLL {
			return nll
		}
		return mse
	}
	if nVal > 0 {
		copy(best, score())
		snapshot = slices.Clone(e.net.Params)
		snapBounds = [2][]float32{slices.Clone(e.maxLogVar), slices.Clone(e.minLogVar)}
	}
	sinceImproved := 0
	trainLoss := make([]float64, members)
	for epoch := range cfg.Epochs {
		clear(trainLoss)
		for m := range boot {
			rng.Shuffle(len(boot[m]), func(i, j int) { boot[m][i], boot[m][j] = boot[m][j], boot[m][i] })
		}
		batches := 0
		for start := 0; start < len(train); start += cfg.BatchSize {
			t.step(boot, start, min(cfg.BatchSize, len(train)-start))
			for m, l := range t.memLos {
				trainLoss[m] += l
			}
			batches++
		}
		mean := 0.0
		for m := range trainLoss {
			trainLoss[m] /= float64(batches)
			mean += trainLoss[m] / float64(members)
		}
		stats.TrainLoss = append(stats.TrainLoss, mean)
		stats.Epochs = epoch + 1
		if nVal == 0 {
			continue
		}
		improved := false
		for m, s := range score() {
			gain := best[m] - s
			if !byNLL {
				gain /= math.Abs(best[m])
			}
			if gain > cfg.Improvement || (math.IsNaN(best[m]) && !math.IsNaN(s)) {
				best[m] = s
				copy(snapshot[m*len(e.net.MemberParams(m)):], e.net.MemberParams(m))
				if !e.cfg.Deterministic {
					copy(snapBounds[0][m*od:(m+1)*od], e.maxLogVar[m*od:(m+1)*od])
					copy(snapBounds[1][m*od:(m+1)*od], e.minLogVar[m*od:(m+1)*od])
				}
				improved = true
			}
		}
		if improved {
			sinceImproved = 0
		} else if sinceImproved++; sinceImproved >= cfg.Patience {
			stats.EarlyStopped = epoch+1 < cfg.Epochs
			break
		}
	}

	final := trainLoss
	if nVal > 0 {
		copy(e.net.Params, snapshot)
		if !e.cfg.Deterministic {
			copy(e.maxLogVar, snapBounds[0])
			copy(e.minLogVar, snapBounds[1])
		}
		stats.ValMSE, stats.ValNLL = t.evaluate(val)
		final = stats.ValMSE
		if byNLL {
			final = stats.ValNLL
		}
	}
	order := make([]int, members)
	for m := range order {
		order[m] = m
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpNaNLast(final[a], final[b]) })
	copy(e.elites, order[:len(e.elites)])
	stats.Elites = e.Elites()
	return stats, nil
}

func cmpNaNLast(a, b float64) int {
	switch {
	case math.IsNaN(a) && math.IsNaN(b):
		return 0
	case math.IsNaN(a):
		return 1
	case math.IsNaN(b):
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// fitNormalizer sets mean and std to the per-column statistics of the rows
// of x (row width w) listed in rows. Columns with a standard deviation
// below 1e-6 keep std 1, as in mbrl-lib's Normalizer, so constant inputs
// pass through unscaled.
func fitNormalizer(x []float32, w int, rows []int, mean, std []float32) {
	for j := range w {
		var s, ss float64
		for _, r := range rows {
			v := float64(x[r*w+j])
			s += v
			ss += v * v
		}
		mu := s / float64(len(rows))
		sd := math.Sqrt(math.Max(ss/float64(len(rows))-mu*mu, 0))
		if sd < 1e-6 {
			sd = 1
		}
		mean[j], std[j] = float32(mu), float32(sd)
	}
}

func normalize(x, mean, std []float32) {
	w := len(mean)
	for i := range x {
		x[i] = (x[i] - mean[i%w]) / std[i%w]
	}
}

// trainer holds the buffers of one Train call.
type trainer struct {
	e       *Ensemble
	cfg     TrainConfig
	x, y    []float32 // normalized inputs and targets, all rows
	ws      *nn.Workspace
	evalWS  *nn.Workspace
	xe      []float32
	xb, yb  []float32
	dy      []float32
	decay   []float32
	opt     nn.Adam
	bopt    nn.Adam
	bounds  []float32 // maxLogVar then minLogVar, for bopt
	gBounds []float32
	memLos  []float64 // loss per member of the last step
}

// step runs one minibatch of b rows per member: rows boot[m][start:start+b].
func (t *trainer) step(boot [][]int, start, b int) {
	e := t.e
	in, od := e.netIn, e.netOut
	for m := range boot {
		for i, r := range boot[m][start : start+b] {
			k := m*b + i
			copy(t.xb[k*in:(k+1)*in], t.x[r*in:(r+1)*in])
			copy(t.yb[k*od:(k+1)*od], t.y[r*od:(r+1)*od])
		}
	}
	out := e.net.Forward(t.ws, t.xb, b)
	width := e.net.Out()
	dy := t.dy[:len(out)]
	scale := 1 / float32(b*od)
	gMax, gMin := t.gBounds, t.gBounds[len(t.gBounds)/2:]
	clear(t.gBounds)
	for m := range boot {
		var loss float64
		for i := range b {
			k := m*b + i
			o, g := out[k*width:(k+1)*width], dy[k*width:(k+1)*width]
			yk := t.yb[k*od : (k+1)*od]
			for d, target := range yk {
				diff := o[d] - target
				if e.cfg.Deterministic {
					loss += float64(diff * diff)
					g[d] = 2 * diff * scale
					continue
				}
				j := m*od + d
				lv, dRaw, dHi, dLo := boundLogVar(o[od+d], e.maxLogVar[j], e.minLogVar[j])
				inv := float32(math.Exp(-float64(lv)))
				loss += float64(diff*diff*inv + lv)
				g[d] = 2 * diff * inv * scale
				glv := (1 - diff*diff*inv) * scale
				g[od+d] = glv * dRaw
				gMax[j] += glv * dHi
				gMin[j] += glv * dLo
			}
		}
		t.memLos[m] = loss * float64(scale)
	}
	e.net.ZeroGrad()
	e.net.Backward(t.ws, dy, nil)
	t.opt.Step(e.net.Params, e.net.Grads, t.decay)
	if !e.cfg.Deterministic {
		c := max(t.cfg.LogVarPenalty, 0) // negative disables it
		n := len(e.maxLogVar)
		for j := range n {
			gMax[j] += c
			gMin[j] -= c
		}
		copy(t.bounds, e.maxLogVar)
		copy(t.bounds[n:], e.minLogVar)
		t.bopt.Step(t.bounds, t.gBounds, nil)
		copy(e.maxLogVar, t.bounds)
		copy(e.minLogVar, t.bounds[n:])
	}
}

// evaluate returns each member's mean squared error and Gaussian NLL per
// dimension (normalized units) on the rows val.
func (t *trainer) evaluate(val []int) (mse, nll []float64) {
	e := t.e
	in, od := e.netIn, e.netOut
	members := e.cfg.Members
	mse = make([]float64, members)
	nll = make([]float64, members)
	chunk := t.evalWS.MaxRows() / members
	width := e.net.Out()
	for start := 0; start < len(val); start += chunk {
		rows := val[start:min(start+chunk, len(val))]
		b := len(rows)
		for m := range members {
			for i, r := range rows {
				copy(t.xe[(m*b+i)*in:], t.x[r*in:(r+1)*in])
			}
		}
		out := e.net.Forward(t.evalWS, t.xe, b)
		for m := range members {
			for i, r := range rows {
				o := out[(m*b+i)*width : (m*b+i+1)*width]
				for d, target := range t.y[r*od : (r+1)*od] {
					diff := float64(o[d] - target)
					mse[m] += diff * diff
					if e.cfg.Deterministic {
						continue
					}
					lv, _, _, _ := boundLogVar(o[od+d], e.maxLogVar[m*od+d], e.minLogVar[m*od+d])
					nll[m] += 0.5 * (math.Log(2*math.Pi) + float64(lv) + diff*diff*math.Exp(-float64(lv)))
				}
			}
		}
	}
	norm := 1 / float64(len(val)*od)
	for m := range members {
		mse[m] *= norm
		nll[m] *= norm
		if e.cfg.Deterministic {
			nll[m] = math.NaN()
		}
	}
	return mse, nll
}

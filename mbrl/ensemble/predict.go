package ensemble

import (
	"fmt"
	"math"
)

// ensureRows grows the prediction scratch to hold rows network rows.
func (e *Ensemble) ensureRows(rows int) {
	if e.ws == nil || e.ws.MaxRows() < rows {
		rows = max(rows, 64)
		e.ws = e.net.NewInferenceWorkspace(rows)
		e.x = make([]float32, rows*e.netIn)
		e.order = make([]int, rows)
	}
}

// checkRows returns the number of rows of obs and act and panics if their
// lengths disagree.
func (e *Ensemble) checkRows(obs, act []float32) int {
	n := len(obs) / e.outDim
	if len(obs) != n*e.outDim || len(act) != n*e.ActDim() {
		panic(fmt.Sprintf("ensemble: obs of length %d and act of length %d are not rows of %d and %d",
			len(obs), len(act), e.outDim, e.ActDim()))
	}
	return n
}

// forward normalizes the rows order[k] of (obs, act) (row k if order is
// nil) into the network input, grouped by member with counts, and runs the
// network.
func (e *Ensemble) forward(obs, act []float32, order, counts []int) []float32 {
	rows := 0
	for _, c := range counts {
		rows += c
	}
	e.ensureRows(rows)
	od, ad, in := e.outDim, e.ActDim(), e.netIn
	x := e.x[:rows*in]
	for k := range rows {
		r := k
		if order != nil {
			r = order[k]
		}
		xk := x[k*in : (k+1)*in]
		e.encode(obs[r*od:(r+1)*od], act[r*ad:(r+1)*ad], xk)
		for j, v := range xk {
			xk[j] = (v - e.inMean[j]) / e.inStd[j]
		}
	}
	return e.net.ForwardGroups(e.ws, x, counts)
}

// decode writes the next-observation mean and, if variance is not nil,
// variance of every row of the network output out, grouped by counts, to
// row order[k] (k if order is nil) of mean and variance.
func (e *Ensemble) decode(obs, out []float32, order, counts []int, mean, variance []float32) {
	od, no := e.outDim, e.netOut
	width := e.net.Out()
	k := 0
	for m, c := range counts {
		for range c {
			r := k
			if order != nil {
				r = order[k]
			}
			var lv []float32
			if variance != nil && !e.cfg.Deterministic {
				lv = out[k*width+no : (k+1)*width]
			}
			e.decodeRow(obs[r*od:(r+1)*od], out[k*width:k*width+no], lv, m, mean[r*od:(r+1)*od], rowOf(variance, r, od))
			k++
		}
	}
}

// rowOf returns row r of width w of x, or nil if x is nil.
func rowOf(x []float32, r, w int) []float32 {
	if x == nil {
		return nil
	}
	return x[r*w : (r+1)*w]
}

// decodeRow turns one row of normalized network means mu (netOut) and raw
// log-variances lv (netOut; nil for none) of member m into the
// next-observation mean and, if variance is not nil, variance. An angle's
// variance is split between its cosine and sine by the delta method
// (sin²θ·Var θ and cos²θ·Var θ). mean may alias obs.
func (e *Ensemble) decodeRow(obs, mu, lv []float32, m int, mean, variance []float32) {
	no := e.netOut
	for j, i := range e.keep {
		s := e.outStd[j]
		var v float32
		if variance != nil && lv != nil {
			l, _, _, _ := boundLogVar(lv[j], e.maxLogVar[m*no+j], e.minLogVar[m*no+j])
			v = float32(math.Exp(float64(l))) * s * s
		}
		si := e.sinOf[j]
		if si < 0 {
			mean[i] = obs[i] + mu[j]*s + e.outMean[j]
			if variance != nil {
				variance[i] = v
			}
			continue
		}
		sn, cs := math.Sincos(float64(atan2(obs[si], obs[i]) + mu[j]*s + e.outMean[j]))
		mean[i], mean[si] = float32(cs), float32(sn)
		if variance != nil {
			variance[i], variance[si] = float32(sn*sn)*v, float32(cs*cs)*v
		}
	}
}

// Predict sets mean and variance to the Gaussian that member members[r]
// predicts for the next observation of row r of obs (N×OutDim, row-major)
// and act (N×ActDim). variance may be nil; it is zero for a deterministic
// ensemble. Rows are regrouped by member internally so that every member
// costs one GEMM per layer; PredictGrouped skips that copy. mean may be obs
// itself for an in-place update but must not otherwise overlap it.
//
// Predict panics if the lengths disagree or a member is out of range.
func (e *Ensemble) Predict(obs, act []float32, members []int, mean, variance []float32) {
	n := e.checkRows(obs, act)
	if len(members) != n {
		panic(fmt.Sprintf("ensemble: %d members for %d rows", len(members), n))
	}
	e.checkOut(n, mean, variance)
	clear(e.counts)
	for _, m := range members {
		if m < 0 || m >= e.cfg.Members {
			panic(fmt.Sprintf("ensemble: member %d of %d", m, e.cfg.Members))
		}
		e.counts[m]++
	}
	e.ensureRows(n)
	// Counting sort: order lists the rows of member 0, then member 1, ...
	pos := 0
	for m, c := range e.counts {
		e.start[m] = pos
		pos += c
	}
	for r, m := range members {
		e.order[e.start[m]] = r
		e.start[m]++
	}
	out := e.forward(obs, act, e.order[:n], e.counts)
	e.decode(obs, out, e.order[:n], e.counts, mean, variance)
}

// PredictGrouped is Predict for rows already grouped by member: the first
// counts[0] rows use member 0, the next counts[1] member 1, and so on. It
// copies nothing but the normalized inputs.
func (e *Ensemble) PredictGrouped(obs, act []float32, counts []int, mean, variance []float32) {
	n := e.checkRows(obs, act)
	if len(counts) != e.cfg.Members {
		panic(fmt.Sprintf("ensemble: %d counts for %d members", len(counts), e.cfg.Members))
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	if total != n {
		panic(fmt.Sprintf("ensemble: counts sum to %d for %d rows", total, n))
	}
	e.checkOut(n, mean, variance)
	out := e.forward(obs, act, nil, counts)
	e.decode(obs, out, nil, counts, mean, variance)
}

func (e *Ensemble) checkOut(n int, mean, variance []float32) {
	if len(mean) != n*e.outDim || (variance != nil && len(variance) != n*e.outDim) {
		panic(fmt.Sprintf("ensemble: %d rows with %d means and %d variances", n, len(mean), len(variance)))
	}
}

package control

import (
	"fmt"
	"math"
)

// MaxBatchMB bounds the memory, in MB (10⁶ bytes), that a planner may
// allocate for one Plan: its batch of candidate plans, samples × horizon ×
// action dimension float64 values (and CEM's colored-noise filter,
// horizon² values). Validate refuses options and problems beyond it, so that
// a mistyped count fails with an error instead of exhausting memory.
const MaxBatchMB = 256

// Bounds of the options, checked by every planner's Validate.
const (
	maxSamples    = 1_000_000 // plans per batch
	maxIterations = 1000      // sample-refit rounds per Plan
	maxStd        = 100       // sampling standard deviation; plans lie in [−1, 1]
)

// checkCount reports a count option outside [1, max] with its name and
// default (the value 0 selects).
func checkCount(planner, name string, v, def, max int) error {
	if v < 0 || v > max {
		return fmt.Errorf("control: %s: %s %d outside [1, %d] (0 means %d)", planner, name, v, max, def)
	}
	return nil
}

// checkMemory reports a malformed problem shape, or a batch of samples
// plans of horizon steps of dim actions, plus extra float64 values that
// the note in the message names, beyond MaxBatchMB. option names the
// option that sets samples.
func checkMemory(planner, option string, samples, horizon, dim int, extra float64, note string) error {
	if horizon < 1 || dim < 1 {
		return fmt.Errorf("control: %s: non-positive horizon %d or action dimension %d", planner, horizon, dim)
	}
	// float64 arithmetic: the product of three ints may overflow.
	if mb := 8 * (float64(samples)*float64(horizon)*float64(dim) + extra) / 1e6; mb > MaxBatchMB {
		return fmt.Errorf("control: %s: %s × horizon × action dimension = %d × %d × %d values%s take %.0f MB, more than MaxBatchMB = %d MB",
			planner, option, samples, horizon, dim, note, mb, MaxBatchMB)
	}
	return nil
}

// checkOption reports a real option v outside [0, hi] ([0, hi) if open),
// or not a number; hi = +Inf asks for a finite v. zero says what 0 means.
func checkOption(planner, name string, v, hi float64, open bool, zero string) error {
	switch {
	case math.IsInf(hi, 1) && !(v >= 0 && v <= math.MaxFloat64):
		return fmt.Errorf("control: %s: %s %v, want a finite value ≥ 0 (0 means %s)", planner, name, v, zero)
	case open && !(v >= 0 && v < hi):
		return fmt.Errorf("control: %s: %s %v outside [0, %v) (0 means %s)", planner, name, v, hi, zero)
	case !(v >= 0 && v <= hi):
		return fmt.Errorf("control: %s: %s %v outside [0, %v] (0 means %s)", planner, name, v, hi, zero)
	}
	return nil
}

// batch is the scratch memory a planner hands to an Objective: n plans of
// size values each, backed by one allocation that is reused across calls.
type batch struct {
	data   []float64
	plans  [][]float64
	scores []float64
}

// resize makes b hold n plans of size values, reallocating only on growth.
func (b *batch) resize(n, size int) {
	if cap(b.data) < n*size {
		b.data = make([]float64, n*size)
	}
	b.data = b.data[:n*size]
	if cap(b.plans) < n {
		b.plans = make([][]float64, n)
	}
	b.plans = b.plans[:n]
	for i := range b.plans {
		b.plans[i] = b.data[i*size : (i+1)*size : (i+1)*size]
	}
	if cap(b.scores) < n {
		b.scores = make([]float64, n)
	}
	b.scores = b.scores[:n]
}

// evaluate scores every plan in b with obj.
func (b *batch) evaluate(obj Objective) {
	for i := range b.scores {
		b.scores[i] = math.NaN() // an Objective that skips a plan must not leave a stale score
	}
	obj(b.plans, b.scores)
}

// grow returns s resized to n, reusing its storage when possible.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// checkProblem panics, with the planner's name, if p or dst is malformed.
func checkProblem(name string, p Problem, dst []float64) {
	switch {
	case p.Horizon <= 0 || p.Dim <= 0:
		panic(fmt.Sprintf("control: %s: non-positive Horizon %d or Dim %d", name, p.Horizon, p.Dim))
	case p.Objective == nil:
		panic(fmt.Sprintf("control: %s: nil Objective", name))
	case len(dst) != p.Horizon*p.Dim:
		panic(fmt.Sprintf("control: %s: len(dst) = %d, want Horizon*Dim = %d", name, len(dst), p.Horizon*p.Dim))
	case p.Init != nil && len(p.Init) != p.Horizon*p.Dim:
		panic(fmt.Sprintf("control: %s: len(Init) = %d, want Horizon*Dim = %d", name, len(p.Init), p.Horizon*p.Dim))
	case p.Prev != nil && len(p.Prev) != p.Dim:
		panic(fmt.Sprintf("control: %s: len(Prev) = %d, want Dim = %d", name, len(p.Prev), p.Dim))
	}
}

// initMean writes p.Init (zeros if nil), clipped to [-1, 1], into mean.
func initMean(p Problem, mean []float64) {
	if p.Init == nil {
		clear(mean)
		return
	}
	for i, v := range p.Init {
		mean[i] = clip(v)
	}
}

// clip returns v limited to [-1, 1]. NaN is mapped to 0 so that a planner
// never emits it.
func clip(v float64) float64 {
	switch {
	case v > 1:
		return 1
	case v < -1:
		return -1
	case v != v:
		return 0
	}
	return v
}

// better reports whether score a beats b, ordering NaN below everything so
// that a broken score is never preferred.
func better(a, b float64) bool {
	if math.IsNaN(a) {
		return false
	}
	return math.IsNaN(b) || a > b
}

package sac

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"sandbox/mbrl/nn"
)

// BenchmarkUpdate measures Update at the reacher's widths (34 observation
// and 7 action values) for the reference 256×256 networks and a smaller
// 128×128 variant. Build with -tags netlib for OpenBLAS, which runs one
// thread per call here as in sandbox train and compare (on a busy 2-core
// machine two threads made an update 1.6–2.6× slower).
func BenchmarkUpdate(b *testing.B) {
	const obsDim, actDim = 34, 7
	nn.SetBLASThreads(1)
	for _, hidden := range []int{256, 128} {
		for _, batch := range []int{256, 128} {
			b.Run(fmt.Sprintf("hidden=%dx%d/batch=%d", hidden, hidden, batch), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				a, err := New(obsDim, actDim, Config{Hidden: []int{hidden, hidden}, BatchSize: batch}, rng)
				if err != nil {
					b.Fatal(err)
				}
				mb := randBatch(rng, batch, obsDim, actDim)
				a.Update(mb, rng)
				for b.Loop() {
					a.Update(mb, rng)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
				b.ReportMetric(updateFlops(a, batch)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// updateFlops counts the GEMM flops of one Update of n rows: the actor
// runs two forward passes and one backward pass without ∂L/∂x; the critics
// (2n rows) run three forward passes, counting the target's, and two
// backward passes, one without ∂L/∂x. A backward pass costs two forward
// passes, less the first layer's ∂L/∂x GEMM when it is not needed.
func updateFlops(a *Agent, n int) float64 {
	fwd := func(sizes []int, rows int) (all, first float64) {
		for l := range len(sizes) - 1 {
			f := 2 * float64(rows) * float64(sizes[l]*sizes[l+1])
			all += f
			if l == 0 {
				first = f
			}
		}
		return all, first
	}
	fa, la := fwd(a.actorSizes(), n)
	fc, lc := fwd(a.criticSizes(), 2*n)
	return 4*fa - la + 7*fc - lc
}

// BenchmarkActBatch measures the policy on 400 observations at once, the
// rollout batch of MBPO.
func BenchmarkActBatch(b *testing.B) {
	const obsDim, actDim, n = 34, 7, 400
	rng := rand.New(rand.NewPCG(1, 2))
	a, err := New(obsDim, actDim, Config{}, rng)
	if err != nil {
		b.Fatal(err)
	}
	obs := randBatch(rng, n, obsDim, actDim).Obs
	act := make([]float64, n*actDim)
	for b.Loop() {
		a.ActBatch(obs, n, act, rng)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "actions/s")
}

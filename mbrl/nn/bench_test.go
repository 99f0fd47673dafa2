package nn

import (
	"math/rand/v2"
	"testing"
)

// The planner shape of PETS: CEM with 400 candidates × 20 particles split
// over a 5-member ensemble, inputs obs+act ≈ 30, outputs mean and
// log-variance of 25 observation dimensions.
const (
	benchMembers = 5
	benchRows    = 400 * 20 / benchMembers
)

var benchSizes = []int{30, 200, 200, 200, 50}

func benchNet(b *testing.B) (*MLP, []float32) {
	m, err := NewMLP(benchMembers, benchSizes, Config{}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	return m, randSlice(rand.New(rand.NewPCG(3, 4)), benchMembers*benchRows*m.In())
}

// gemmFlops is 2·rows·Σ In·Out, the multiply-adds of one forward pass.
func gemmFlops(m *MLP, rows int) float64 {
	var f float64
	for _, ly := range m.layers {
		f += 2 * float64(rows) * float64(ly.in*ly.out)
	}
	return f
}

func BenchmarkForwardPlanner(b *testing.B) {
	m, x := benchNet(b)
	ws := m.NewInferenceWorkspace(benchMembers * benchRows)
	for b.Loop() {
		m.Forward(ws, x, benchRows)
	}
	flops := gemmFlops(m, benchMembers*benchRows)
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkForwardBackwardPlanner(b *testing.B) {
	m, x := benchNet(b)
	ws := m.NewWorkspace(benchMembers * benchRows)
	dy := randSlice(rand.New(rand.NewPCG(5, 6)), benchMembers*benchRows*m.Out())
	for b.Loop() {
		m.Forward(ws, x, benchRows)
		m.Backward(ws, dy, nil)
	}
	// Backward costs two forward GEMMs per layer except ∂L/∂x of layer 0.
	rows := benchMembers * benchRows
	flops := 3*gemmFlops(m, rows) - 2*float64(rows)*float64(benchSizes[0]*benchSizes[1])
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkAdamStep(b *testing.B) {
	m, _ := benchNet(b)
	decay := m.DecayMask([]float32{1e-4})
	var opt Adam
	for b.Loop() {
		opt.Step(m.Params, m.Grads, decay)
	}
	b.ReportMetric(float64(len(m.Params))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparams/s")
}

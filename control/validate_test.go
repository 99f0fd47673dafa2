package control_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"sandbox/control"
)

func TestPlannersValidate(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name    string
		planner interface{ Validate(horizon, dim int) error }
		horizon int
		dim     int
		want    string // a part of the error; "" for none
	}{
		{"CEM/zero", &control.CEM{}, 30, 7, ""},
		{"CEM/reference", &control.CEM{Population: 500, Elites: 50, Iterations: 5, Alpha: 0.1, Beta: 2.5}, 30, 24, ""},
		{"CEM/Population<0", &control.CEM{Population: -1}, 5, 2, "Population -1 outside [1, 1000000] (0 means 400)"},
		{"CEM/Population huge", &control.CEM{Population: 1 << 40}, 5, 2, "Population 1099511627776 outside [1, 1000000]"},
		{"CEM/Elites>Population", &control.CEM{Population: 10, Elites: 11}, 5, 2, "Elites 11 outside [1, Population = 10] (0 means 1)"},
		{"CEM/Elites>default Population", &control.CEM{Elites: 401}, 5, 2, "Elites 401 outside [1, Population = 400] (0 means 40)"},
		{"CEM/Elites<0", &control.CEM{Elites: -2}, 5, 2, "Elites -2"},
		{"CEM/Iterations", &control.CEM{Iterations: 1001}, 5, 2, "Iterations 1001 outside [1, 1000] (0 means 5)"},
		{"CEM/Alpha=1", &control.CEM{Alpha: 1}, 5, 2, "Alpha 1 outside [0, 1) (0 means 0.1)"},
		{"CEM/Alpha NaN", &control.CEM{Alpha: nan}, 5, 2, "Alpha NaN"},
		{"CEM/InitStd<0", &control.CEM{InitStd: -0.1}, 5, 2, "InitStd -0.1 outside [0, 100] (0 means 0.5)"},
		{"CEM/InitStd Inf", &control.CEM{InitStd: inf}, 5, 2, "InitStd +Inf"},
		{"CEM/MinStd NaN", &control.CEM{MinStd: nan}, 5, 2, "MinStd NaN outside [0, 100] (0 means no floor)"},
		{"CEM/Beta", &control.CEM{Beta: 11}, 5, 2, "Beta 11 outside [0, 10] (0 means white noise)"},
		// 1e6 plans of 100 steps of 7 actions: 5600 MB.
		{"CEM/memory", &control.CEM{Population: 1_000_000}, 100, 7, "Population × horizon × action dimension = 1000000 × 100 × 7 values take 5600 MB, more than MaxBatchMB = 256 MB"},
		// The colored-noise filter of a 10⁴-step horizon takes 800 MB.
		{"CEM/filter memory", &control.CEM{Population: 1, Beta: 2}, 10_000, 1, "1 × 10000 × 1 values and horizon² for the colored-noise filter take 800 MB"},
		{"CEM/white long horizon", &control.CEM{Population: 1}, 10_000, 1, ""},
		{"CEM/horizon 0", &control.CEM{}, 0, 2, "non-positive horizon 0"},
		{"MPPI/zero", &control.MPPI{}, 7, 9, ""},
		{"MPPI/Samples<0", &control.MPPI{Samples: -5}, 7, 9, "Samples -5 outside [1, 1000000] (0 means 700)"},
		{"MPPI/Gamma<0", &control.MPPI{Gamma: -1}, 7, 9, "Gamma -1, want a finite value ≥ 0 (0 means 0.5)"},
		{"MPPI/Gamma Inf", &control.MPPI{Gamma: inf}, 7, 9, "Gamma +Inf"},
		{"MPPI/Beta>1", &control.MPPI{Beta: 1.5}, 7, 9, "Beta 1.5 outside [0, 1] (0 means 0.7)"},
		{"MPPI/Beta=1", &control.MPPI{Beta: 1}, 7, 9, ""},
		{"MPPI/Sigma NaN", &control.MPPI{Sigma: nan}, 7, 9, "Sigma NaN outside [0, 100] (0 means 0.9)"},
		{"MPPI/Iterations<0", &control.MPPI{Iterations: -1}, 7, 9, "Iterations -1 outside [1, 1000] (0 means 1)"},
		{"MPPI/memory", &control.MPPI{Samples: 1_000_000}, 1000, 1, "Samples × horizon × action dimension = 1000000 × 1000 × 1 values take 8000 MB"},
		{"MPPI/dim 0", &control.MPPI{}, 7, 0, "action dimension 0"},
		{"RandomShooting/zero", &control.RandomShooting{}, 15, 7, ""},
		{"RandomShooting/Samples<0", &control.RandomShooting{Samples: -1}, 15, 7, "Samples -1 outside [1, 1000000] (0 means 1000)"},
		// The default 1000 plans of 10⁴ steps of 7 actions: 560 MB.
		{"RandomShooting/memory", &control.RandomShooting{}, 10_000, 7, "Samples × horizon × action dimension = 1000 × 10000 × 7 values take 560 MB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.planner.Validate(tt.horizon, tt.dim)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

// Plan panics with the error of Validate.
func TestPlanPanicsWithValidateError(t *testing.T) {
	p := control.Problem{Horizon: 2, Dim: 2, Objective: quadratic(make([]float64, 4))}
	for _, pl := range []interface {
		control.Planner
		Validate(horizon, dim int) error
	}{
		&control.CEM{Population: 10, Elites: 11},
		&control.MPPI{Beta: 1.5},
		&control.RandomShooting{Samples: -1},
	} {
		assert.PanicsWithError(t, pl.Validate(p.Horizon, p.Dim).Error(), func() { pl.Plan(p, newRand(1), make([]float64, 4)) })
	}
}

func TestBatchSize(t *testing.T) {
	tests := []struct {
		name    string
		planner interface{ BatchSize() int }
		want    int
	}{
		{"CEM/default", &control.CEM{}, 400},
		{"CEM", &control.CEM{Population: 64}, 64},
		{"MPPI/default", &control.MPPI{}, 700},
		{"MPPI", &control.MPPI{Samples: 200}, 200},
		{"RandomShooting/default", &control.RandomShooting{}, 1000},
		{"RandomShooting", &control.RandomShooting{Samples: 3}, 3},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.planner.BatchSize(), "%s: BatchSize() = %d, want %d", tt.name, tt.planner.BatchSize(), tt.want)
	}
}

func TestMPPIWeights(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	const gamma = 2
	tests := []struct {
		name     string
		scores   []float64
		want     []float64
		wantBest float64
	}{
		{"finite", []float64{1, 0, -0.5}, []float64{1, math.Exp(-gamma), math.Exp(-1.5 * gamma)}, 1},
		{"ties", []float64{3, 3, 2}, []float64{1, 1, math.Exp(-gamma)}, 3},
		{"NaN", []float64{nan, 1, nan}, []float64{0, 1, 0}, 1},
		{"+Inf", []float64{inf, 5, -inf}, []float64{1, 0, 0}, inf},
		{"all -Inf", []float64{-inf, nan, -inf}, []float64{1, 0, 1}, -inf},
		{"all NaN", []float64{nan, nan}, []float64{0, 0}, -inf},
		{"empty", nil, nil, -inf},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := append([]float64(nil), tt.scores...)
			sum, best := control.MPPIWeights(w, gamma)
			var wantSum float64
			for _, v := range tt.want {
				wantSum += v
			}
			assert.Equal(t, tt.want, w, "MPPIWeights(%v) weights = %v, want %v", tt.scores, w, tt.want)
			assert.Equal(t, wantSum, sum, "MPPIWeights(%v) sum = %v, want %v", tt.scores, sum, wantSum)
			assert.Equal(t, tt.wantBest, best, "MPPIWeights(%v) best = %v, want %v", tt.scores, best, tt.wantBest)
		})
	}
}

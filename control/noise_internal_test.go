package control

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestColoredNoiseCovariance checks the colored-noise matrix M through the
// covariance M Mᵀ of y = M z: unit variance at every step, identity for
// white noise (β = 0), and lag-1 correlation above 0.5 for brown noise
// (β = 2) over a horizon of 30.
func TestColoredNoiseCovariance(t *testing.T) {
	const tol = 1e-12 // rounding in sums of at most 30 products
	for _, n := range []int{1, 2, 5, 6, 30} {
		for _, beta := range []float64{0, 1, 2} {
			t.Run(fmt.Sprintf("n=%d/beta=%v", n, beta), func(t *testing.T) {
				var c coloredNoise
				c.reset(n, beta)
				cov := func(s, u int) float64 {
					var v float64
					for j := range n {
						v += c.m[s*n+j] * c.m[u*n+j]
					}
					return v
				}
				for s := range n {
					assert.InDelta(t, 1, cov(s, s), tol, "Var(y_%d) = %v, want 1", s, cov(s, s))
					if beta == 0 {
						for u := range s {
							assert.InDelta(t, 0, cov(s, u), tol, "Cov(y_%d, y_%d) = %v, want 0", s, u, cov(s, u))
						}
					}
					if beta == 2 && n == 30 && s > 0 { // short series have few low frequencies
						assert.Greater(t, cov(s, s-1), 0.5, "Cov(y_%d, y_%d) = %v, want > 0.5", s, s-1, cov(s, s-1))
					}
				}
			})
		}
	}
}

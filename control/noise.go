package control

import (
	"math"
	"math/rand/v2"
)

// coloredNoise draws stationary Gaussian time series of unit variance whose
// power spectral density is proportional to 1/f^β, by the method of Timmer
// and König ("On generating power law noise", A&A 300, 1995) as used by iCEM
// (Pinneri et al. 2020) through the colorednoise package. The spectrum of a
// length-n series has n real degrees of freedom (the real DC and, for even n,
// Nyquist terms, and a complex pair per other positive frequency), so a
// series is y = M z for z ~ N(0, I_n) and a fixed n×n matrix M, which is
// precomputed. As in colorednoise, the DC amplitude is that of the lowest
// non-zero frequency 1/n, and M is scaled so that Var(y_t) = 1 for every t.
// For β = 0, M is orthogonal and y is white noise.
type coloredNoise struct {
	n    int
	beta float64
	m    []float64 // row-major n×n
	z    []float64
}

// reset prepares c for series of length n with exponent beta, reusing the
// previous matrix when neither changed.
func (c *coloredNoise) reset(n int, beta float64) {
	if c.n == n && c.beta == beta && c.m != nil {
		return
	}
	c.n, c.beta = n, beta
	c.m = grow(c.m, n*n)
	c.z = grow(c.z, n)
	amp := func(k int) float64 {
		if k == 0 {
			k = 1
		}
		return math.Pow(float64(k)/float64(n), -beta/2)
	}
	var ss float64 // variance of y_t before normalisation, the same for every t
	for t := range n {
		row := c.m[t*n : (t+1)*n]
		// The inverse real DFT, y_t = (1/n)[X_0 + 2 Σ_k Re(X_k e^{2πikt/n}) + X_{n/2}(-1)^t],
		// with real terms of variance 2a² and complex parts of variance a² each.
		row[0] = math.Sqrt2 * amp(0)
		j := 1
		for k := 1; 2*k < n; k++ {
			s, co := math.Sincos(2 * math.Pi * float64(k*t) / float64(n))
			row[j] = 2 * amp(k) * co
			row[j+1] = -2 * amp(k) * s
			j += 2
		}
		if n%2 == 0 && n > 1 {
			sign := 1.0
			if t%2 == 1 {
				sign = -1
			}
			row[j] = math.Sqrt2 * amp(n/2) * sign
		}
		if t == 0 {
			for _, v := range row {
				ss += v * v
			}
		}
	}
	scale := 1 / math.Sqrt(ss)
	for i := range c.m {
		c.m[i] *= scale
	}
}

// sample writes one series of length n into dst[0], dst[stride], ...,
// drawing n standard normals from rng.
func (c *coloredNoise) sample(rng *rand.Rand, dst []float64, stride int) {
	for i := range c.z {
		c.z[i] = rng.NormFloat64()
	}
	for t := range c.n {
		var y float64
		for j, v := range c.m[t*c.n : (t+1)*c.n] {
			y += v * c.z[j]
		}
		dst[t*stride] = y
	}
}

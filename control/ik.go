package control

import "math"

// PlanarChain is a planar serial arm of revolute joints rooted at the
// origin: link i has length Lengths[i] (m) and turns by q[i] (rad, relative
// to link i−1) within [Lower[i], Upper[i]].
type PlanarChain struct {
	Lengths, Lower, Upper []float64
}

// Tip returns the end of the last link for joint angles q.
func (c PlanarChain) Tip(q []float64) (x, y float64) {
	phi := 0.0
	for i, l := range c.Lengths {
		phi += q[i]
		x += l * math.Cos(phi)
		y += l * math.Sin(phi)
	}
	return x, y
}

// Curl returns a pose whose tip lies at (x, y) when the links are equally
// long: every joint bent by the same angle α, so the links form the chord of
// a regular polygon, |tip| = l·sin(nα/2)/sin(α/2). It is a good start for
// Solve when the previous solution is stuck against a limit.
func (c PlanarChain) Curl(x, y float64, dst []float64) {
	n := len(c.Lengths)
	total := 0.0
	for _, l := range c.Lengths {
		total += l
	}
	l := total / float64(n)
	r := math.Min(math.Hypot(x, y), total)
	chord := func(a float64) float64 {
		if a < 1e-9 {
			return total
		}
		return l * math.Sin(float64(n)*a/2) / math.Sin(a/2)
	}
	// chord falls from total at α = 0 to 0 at α = 2π/n: bisect.
	lo, hi := 0.0, 2*math.Pi/float64(n)
	for range 60 {
		mid := (lo + hi) / 2
		if chord(mid) > r {
			lo = mid
		} else {
			hi = mid
		}
	}
	a := (lo + hi) / 2
	dst[0] = math.Atan2(y, x) - float64(n-1)*a/2
	for i := 1; i < n; i++ {
		dst[i] = math.Max(c.Lower[i], math.Min(c.Upper[i], a))
	}
	dst[0] = math.Remainder(dst[0], 2*math.Pi)
	dst[0] = math.Max(c.Lower[0], math.Min(c.Upper[0], dst[0]))
}

// Solve finds joint angles that put the tip at (x, y), starting from q0, by
// damped least squares (Wampler 1986; Buss 2004): Δq = Jᵀ(JJᵀ + λ²I)⁻¹e,
// with λ = 0.05 m, step clipped to 0.3 rad, and limits enforced after every
// iteration. It writes the solution into dst (len(q0)) and returns the
// remaining tip error, m. Unreachable targets give the closest pose found.
func (c PlanarChain) Solve(q0 []float64, x, y float64, dst []float64) float64 {
	const (
		iterations = 200
		lambda2    = 0.05 * 0.05
		maxStep    = 0.3
		tolerance  = 1e-5
	)
	n := len(c.Lengths)
	copy(dst, q0[:n])
	var jx, jy [64]float64
	if n > len(jx) {
		panic("control: PlanarChain.Solve supports at most 64 joints")
	}
	for range iterations {
		tx, ty := c.Tip(dst)
		ex, ey := x-tx, y-ty
		if math.Hypot(ex, ey) < tolerance {
			break
		}
		// Column j of the Jacobian is the sum over links i ≥ j of
		// l_i·(−sin φ_i, cos φ_i).
		phi := 0.0
		var sx, sy [64]float64
		for i, l := range c.Lengths {
			phi += dst[i]
			sx[i], sy[i] = -l*math.Sin(phi), l*math.Cos(phi)
		}
		ax, ay := 0.0, 0.0
		for j := n - 1; j >= 0; j-- {
			ax += sx[j]
			ay += sy[j]
			jx[j], jy[j] = ax, ay
		}
		// A = JJᵀ + λ²I (2×2); solve A·w = e, then Δq = Jᵀw.
		a11, a12, a22 := lambda2, 0.0, lambda2
		for j := range n {
			a11 += jx[j] * jx[j]
			a12 += jx[j] * jy[j]
			a22 += jy[j] * jy[j]
		}
		det := a11*a22 - a12*a12
		wx := (a22*ex - a12*ey) / det
		wy := (a11*ey - a12*ex) / det
		for j := range n {
			d := math.Max(-maxStep, math.Min(maxStep, jx[j]*wx+jy[j]*wy))
			dst[j] = math.Max(c.Lower[j], math.Min(c.Upper[j], dst[j]+d))
		}
	}
	tx, ty := c.Tip(dst)
	return math.Hypot(x-tx, y-ty)
}

//go:build amd64 && !purego

package nn

import "golang.org/x/sys/cpu"

// useAVX2 selects the vectorised SiLU kernel; tests clear it to exercise
// the portable one.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func siluAVX2(y, s, z *float32, n int)

// silu sets s[i] = σ(z[i]) and y[i] = z[i]·s[i]; the slices may alias.
// Elementwise SiLU otherwise costs more than the GEMMs of a 200-wide layer
// under OpenBLAS.
func silu(y, s, z []float32) {
	n := len(z) &^ 7
	if !useAVX2 || n == 0 {
		siluGeneric(y, s, z)
		return
	}
	y, s = y[:len(z)], s[:len(z)]
	siluAVX2(&y[0], &s[0], &z[0], n)
	siluGeneric(y[n:], s[n:], z[n:])
}

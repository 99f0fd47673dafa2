//go:build !amd64 || purego

package nn

// useAVX2 is false on platforms without the assembly kernel.
var useAVX2 = false

// silu sets s[i] = σ(z[i]) and y[i] = z[i]·s[i]; the slices may alias.
func silu(y, s, z []float32) { siluGeneric(y, s, z) }

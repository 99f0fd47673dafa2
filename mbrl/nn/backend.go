package nn

// backend names the BLAS implementation that blas32 and blas64 use; the
// netlib build tag overrides it in an init function.
var backend = "gonum"

// Backend returns the BLAS implementation in use: "gonum" for the pure-Go
// default or "netlib" (OpenBLAS through cgo) for builds with the netlib tag.
func Backend() string { return backend }

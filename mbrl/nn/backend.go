package nn

import "sandbox/mbrl/nn/internal/openblas"

// backend names the BLAS implementation that blas32 and blas64 use; the
// netlib build tag overrides it in an init function.
var backend = "gonum"

// Backend returns the BLAS implementation in use: "gonum" for the pure-Go
// default or "netlib" (OpenBLAS through cgo) for builds with the netlib tag.
func Backend() string { return backend }

// BLASCore returns the CPU core OpenBLAS picked its kernels for ("" for
// the pure-Go backend). Kernels for different cores round differently, so
// a run repeats bit for bit only under the same core; OPENBLAS_CORETYPE in
// the environment selects one (on a CPU that can run it).
func BLASCore() string { return openblas.CoreName() }

// SetBLASThreads sets the number of threads one BLAS call may use (OpenBLAS
// only; the pure-Go backend runs each call on the calling goroutine).
// Small products, such as SAC's 256-row minibatches, and runs that train
// several models at once are faster with one thread: OpenBLAS's threads
// then only spin against each other.
func SetBLASThreads(n int) { openblas.SetThreads(max(1, n)) }

//go:build netlib

package openblas_test

import (
	"fmt"

	"sandbox/mbrl/nn/internal/openblas"
)

// With the netlib tag, package nn sets the threads one OpenBLAS call may
// use (small products run faster on one) and reports the CPU core whose
// kernels OpenBLAS chose at start-up (machine-dependent, so only its
// presence is printed here).
func Example() {
	openblas.SetThreads(1)
	fmt.Println("kernels chosen:", openblas.CoreName() != "")
	// Output: kernels chosen: true
}

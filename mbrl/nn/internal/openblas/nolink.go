//go:build !netlib

package openblas

// SetThreads does nothing without OpenBLAS.
func SetThreads(n int) {}

// CoreName returns "" without OpenBLAS.
func CoreName() string { return "" }

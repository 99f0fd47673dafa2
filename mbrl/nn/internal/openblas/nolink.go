//go:build !netlib

package openblas

// SetThreads does nothing without OpenBLAS.
func SetThreads(n int) {}

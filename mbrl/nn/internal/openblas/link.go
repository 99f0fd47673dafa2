//go:build netlib

package openblas

/*
#cgo LDFLAGS: -lopenblas
void openblas_set_num_threads(int);
char* openblas_get_corename(void);
*/
import "C"

// SetThreads sets the number of threads OpenBLAS uses for one call.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// CoreName returns the CPU core OpenBLAS chose its kernels for at start-up
// ("Haswell", "SkylakeX", …; OPENBLAS_CORETYPE overrides the choice).
func CoreName() string { return C.GoString(C.openblas_get_corename()) }

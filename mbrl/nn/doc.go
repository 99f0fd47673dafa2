// Package nn provides float32 multilayer perceptrons built for ensembles of
// dynamics models (PETS, Chua et al. 2018; MBPO, Janner et al. 2019).
//
// An MLP holds E members with identical architecture. Inputs and outputs are
// row-major matrices with one sample per row, laid out as E contiguous
// blocks: the rows of member 0, then those of member 1, and so on. A forward
// or backward pass issues one GEMM per member per layer, through
// gonum.org/v1/gonum/blas/blas32, into buffers preallocated in a Workspace,
// so the hot path does not allocate.
//
// The pure-Go gonum BLAS is used by default. Building with the tag netlib
// (go build -tags netlib, with libopenblas-dev installed) routes blas32 and
// blas64 through OpenBLAS via gonum.org/v1/netlib; Backend reports which is
// active. Set OPENBLAS_NUM_THREADS=1 when several goroutines run GEMMs at once.
package nn

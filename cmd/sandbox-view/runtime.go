package main

import (
	"os"
	"runtime/debug"

	"sandbox/mbrl/nn"
)

// Runtime defaults, measured in docs/results/speed.md; each yields to its
// environment variable when that is set.
//
//   - One OpenBLAS thread (OPENBLAS_NUM_THREADS=N for more): a second
//     thread made PETS training 14% faster on a quiet machine, but its
//     threads wait for each other by spinning in sched_yield, 0.6 s of
//     system time per second of user time, and on a shared machine the
//     run was no faster at all (docs/facts.md, "BLAS threads").
//   - GOGC=400: the physics port allocates 5–8 KB a step; a larger heap
//     target cuts collection work by about 5% of an oracle rollout.
func init() {
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" && os.Getenv("GOTO_NUM_THREADS") == "" && os.Getenv("OMP_NUM_THREADS") == "" {
		nn.SetBLASThreads(1)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// Package boot sets up what both binaries (sandbox and sandbox-view) need
// before they run: every task package (tasks/all), the runtime defaults
// and the zoo of trained agents. They import it for its init.
package boot

import (
	"log"
	"os"
	"runtime/debug"

	"sandbox/assets"
	"sandbox/mbrl"
	"sandbox/mbrl/nn"
	_ "sandbox/tasks/all" // every task package outside package tasks, yours included
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
//
// The zoo embedded in the binary (assets/zoo) serves zoo:NAME.
func init() {
	if os.Getenv("OPENBLAS_NUM_THREADS") == "" && os.Getenv("GOTO_NUM_THREADS") == "" && os.Getenv("OMP_NUM_THREADS") == "" {
		nn.SetBLASThreads(1)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	z, err := mbrl.OpenZoo(assets.Zoo())
	if err != nil {
		log.Fatal(err) // the embedded index is checked by the tests
	}
	mbrl.UseZoo(z)
}

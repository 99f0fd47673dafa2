// Package seed derives independent random streams from one user seed, one
// stream per purpose, so that adding a draw in one place never shifts the
// numbers drawn in another.
package seed

import (
	"hash/fnv"
	"math/rand/v2"
)

// Stream returns a PCG generator for (seed, purpose, index...). Distinct
// arguments give unrelated streams; equal arguments give identical ones.
func Stream(seed uint64, purpose string, index ...uint64) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(purpose))
	hi := h.Sum64()
	lo := seed
	for _, i := range index {
		// SplitMix64 finaliser mixes each index into the low word.
		lo = mix(lo ^ mix(i+0x9e3779b97f4a7c15))
	}
	return rand.New(rand.NewPCG(mix(seed^hi), lo))
}

func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

package control

import "math/rand/v2"

// Zero is a Controller whose every action is zero.
type Zero struct{}

// Reset implements Controller; it does nothing.
func (Zero) Reset(*rand.Rand) {}

// Act implements Controller, writing zeros into act.
func (Zero) Act(_, act []float64) { clear(act) }

// Random is a Controller whose actions are drawn independently and uniformly
// from [−1, 1] with the rng given to Reset. The zero value is ready for
// Reset; Act panics before the first Reset.
type Random struct {
	rng *rand.Rand
}

// Reset implements Controller.
func (r *Random) Reset(rng *rand.Rand) { r.rng = rng }

// Act implements Controller.
func (r *Random) Act(_, act []float64) {
	if r.rng == nil {
		panic("control: Random.Act called before Reset")
	}
	for i := range act {
		act[i] = 2*r.rng.Float64() - 1
	}
}

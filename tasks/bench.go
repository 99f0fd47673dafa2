package tasks

import (
	"math"
	"math/rand/v2"
	"time"
)

// Throughput is what Measure reports for one task, in steps per second of
// wall time on one goroutine.
type Throughput struct {
	// Box2D is bare engine stepping of the task's world (sim.StepBox2D).
	Box2D float64
	// Physics is sim.World.Step: servos, forces and divergence checks added.
	Physics float64
	// Env is Env.Step with random actions: control steps, each Substeps
	// physics steps plus the observation, reward and bookkeeping.
	Env      float64
	Substeps int
}

// Overhead is the cost of the Env over bare Box2D stepping of the same
// bodies: (Box2D steps/s) / (Env steps/s × Substeps) − 1.
func (t Throughput) Overhead() float64 {
	return t.Box2D/(t.Env*float64(t.Substeps)) - 1
}

// Measure times each kind of stepping for about d, driving the robot with
// random actions from rng.
func Measure(e *Env, d time.Duration, rng *rand.Rand) Throughput {
	act := make([]float64, e.spec.ActionDim)
	random := func() {
		for i := range act {
			act[i] = 2*rng.Float64() - 1
		}
	}
	world := e.robot.World
	// physics runs n physics steps with a new random command every
	// Substeps steps and restarts the episode now and then.
	physics := func(bare bool) float64 {
		e.Reset(rng)
		start, n := time.Now(), 0
		for time.Since(start) < d {
			for range 100 {
				if n%e.substeps == 0 {
					random()
					e.robot.Command(act, e.spec.ControlDt)
				}
				if n%(e.substeps*e.spec.Steps) == 0 {
					e.Reset(rng)
				}
				if bare {
					world.StepBox2D()
				} else if world.Step() != nil {
					e.Reset(rng)
				}
				n++
			}
		}
		return float64(n) / time.Since(start).Seconds()
	}
	t := Throughput{Substeps: e.substeps, Box2D: physics(true), Physics: physics(false)}
	e.Reset(rng)
	start, n := time.Now(), 0
	for time.Since(start) < d {
		for range 10 {
			random()
			st, err := e.Step(act)
			if err != nil || st.Terminated || st.Truncated {
				e.Reset(rng)
			}
			n++
		}
	}
	t.Env = float64(n) / time.Since(start).Seconds()
	return t
}

// ReplayGap measures how much of an Env's future its snapshot leaves out.
// Over steps control steps of a random walk of actions (each joint's
// command moves by N(0, 0.45²) per step, so fingers and feet strike what
// they touch), it steps a clone restored from the live Env's snapshot
// alongside the live Env and returns the RMS, over steps and observation
// values, of the difference between the two next observations (in the
// observation's own units). A snapshot holds every body's pose and
// velocity and every servo target, but not the impulses Box2D's solver
// warm-starts from or its contact caches: where those matter, a learned
// model that sees the observation cannot predict the next one better than
// this, and an oracle planning on snapshots is not exact. It is zero, to
// rounding, for the reacher; warm starts on contacts make it large (see
// Claw).
func ReplayGap(e *Env, steps int, rng *rand.Rand) (float64, error) {
	act := make([]float64, e.spec.ActionDim)
	sum, n := 0.0, 0
	e.Reset(rng)
	replay, err := e.Clone()
	if err != nil {
		return 0, err
	}
	for range steps {
		for i := range act {
			act[i] = math.Max(-1, math.Min(1, act[i]+0.45*rng.NormFloat64()))
		}
		if err := replay.Restore(e.Snapshot()); err != nil {
			return 0, err
		}
		live, err := e.Step(act)
		if err != nil {
			return 0, err
		}
		again, err := replay.Step(act)
		if err != nil {
			return 0, err
		}
		for i, x := range live.Obs {
			d := x - again.Obs[i]
			sum += d * d
		}
		n += len(live.Obs)
		if live.Terminated || live.Truncated {
			e.Reset(rng)
			clear(act)
		}
	}
	if n == 0 {
		return 0, nil
	}
	return math.Sqrt(sum / float64(n)), nil
}

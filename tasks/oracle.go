package tasks

import (
	"sync"

	"sandbox/control"
)

// DivergedScore is what a plan scores when it blows the simulation up.
const DivergedScore = -1e6

// Oracle turns the true simulator into a planning objective: it scores an
// action plan by restoring a snapshot of a live Env on a private clone and
// summing the task's rewards along the simulated rollout. A rollout stops
// at a task failure (whose reward carries the task's penalty).
type Oracle struct {
	live   *Env
	clones []*Env
	snap   Snapshot
}

// NewOracle returns an oracle for live that simulates on workers clones in
// parallel (at least one). The scores do not depend on workers.
func NewOracle(live *Env, workers int) (*Oracle, error) {
	o := &Oracle{live: live}
	for range max(workers, 1) {
		c, err := New(live.factory)
		if err != nil {
			return nil, err
		}
		o.clones = append(o.clones, c)
	}
	return o, nil
}

// Objective returns the objective for the live Env's current state; obs is
// ignored (the simulator state is richer than the observation).
func (o *Oracle) Objective(obs []float64) control.Objective {
	o.snap = o.live.Snapshot()
	return o.score
}

func (o *Oracle) score(plans [][]float64, scores []float64) {
	n := len(o.clones)
	if n == 1 || len(plans) < 2*n {
		for i, p := range plans {
			scores[i] = o.rollout(o.clones[0], p)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (len(plans) + n - 1) / n
	for w, c := range o.clones {
		lo, hi := w*chunk, min((w+1)*chunk, len(plans))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				scores[i] = o.rollout(c, plans[i])
			}
		}()
	}
	wg.Wait()
}

func (o *Oracle) rollout(c *Env, plan []float64) float64 {
	if err := c.Restore(o.snap); err != nil {
		return DivergedScore
	}
	dim := c.spec.ActionDim
	prev := c.obs
	total := 0.0
	for t := 0; t+dim <= len(plan); t += dim {
		act := plan[t : t+dim]
		next, err := c.advance(act)
		if err != nil {
			return total + DivergedScore
		}
		total += c.task.Reward(prev, act, next, nil)
		if c.task.Failure(next) != "" {
			break
		}
		prev = next
	}
	return total
}

// Package eval runs a controller on a task's held-out goals and reports
// its success rate, ROBEL's end-of-episode success: the last step of an
// episode that ran to its time limit.
package eval

import (
	"fmt"
	"maps"
	"math"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/tasks"
)

// Result summarises an evaluation.
type Result struct {
	Episodes    int       `json:"episodes"`
	Successes   int       `json:"successes"`
	SuccessRate float64   `json:"success_rate"`
	MeanReturn  float64   `json:"mean_return"`
	EnvSteps    int       `json:"env_steps"`
	Returns     []float64 `json:"-"`
	// Reasons counts how episodes ended ("time limit", a task failure, a
	// divergence).
	Reasons map[string]int `json:"end_reasons"`
	// FinalTerms holds each named reward term of the episodes' last step,
	// averaged over episodes (the reacher's "distance" is minus the final
	// fingertip distance to the goal, m).
	FinalTerms map[string]float64 `json:"final_terms,omitempty"`
	// PerEpisode lists every episode in order.
	PerEpisode []Episode `json:"per_episode,omitempty"`
}

// Episode is one evaluation episode's outcome.
type Episode struct {
	Success bool    `json:"success"`
	Return  float64 `json:"return"`
	Steps   int     `json:"steps"`
	Reason  string  `json:"end_reason"`
	// Terms are the named reward terms of the episode's last step.
	Terms map[string]float64 `json:"final_terms,omitempty"`
}

// Run runs episodes of ctrl on env. Episode i draws its initial state
// and goal from the stream (seed, "eval-env", i) and the controller's
// randomness from (seed, "eval-controller", i), so results do not depend on
// the order or number of other episodes. An episode succeeds when its last
// step is a success and it ended by the time limit (ROBEL reports
// end-of-episode success; a fall or a blow-up fails). after, when not nil,
// is called after each episode.
func Run(env *tasks.Env, ctrl control.Controller, episodes int, s uint64, after func(ep int, ret float64, success bool)) (Result, error) {
	res := Result{Episodes: episodes, Reasons: map[string]int{}}
	act := make([]float64, env.Spec().ActionDim)
	for ep := range episodes {
		obs := env.Reset(seed.Stream(s, "eval-env", uint64(ep)))
		ctrl.Reset(seed.Stream(s, "eval-controller", uint64(ep)))
		ret, steps := 0.0, 0
		for {
			ctrl.Act(obs, act)
			st, err := env.Step(act)
			if err != nil {
				return res, fmt.Errorf("eval: episode %d step %d: controller output rejected: %w", ep, env.StepCount(), err)
			}
			res.EnvSteps++
			steps++
			ret += st.Reward
			obs = st.Obs
			if st.Terminated || st.Truncated {
				ok := st.Info.Success && !st.Terminated && st.Info.Reason == "time limit"
				if ok {
					res.Successes++
				}
				reason := st.Info.Reason
				if len(reason) > 8 && reason[:8] == "diverged" {
					reason = "diverged"
				}
				res.Reasons[reason]++
				for k, v := range st.Info.Terms {
					if res.FinalTerms == nil {
						res.FinalTerms = map[string]float64{}
					}
					res.FinalTerms[k] += v / float64(episodes)
				}
				res.PerEpisode = append(res.PerEpisode, Episode{Success: ok, Return: ret, Steps: steps,
					Reason: reason, Terms: maps.Clone(st.Info.Terms)})
				if after != nil {
					after(ep, ret, ok)
				}
				break
			}
		}
		res.Returns = append(res.Returns, ret)
		res.MeanReturn += ret
	}
	if episodes > 0 {
		res.SuccessRate = float64(res.Successes) / float64(episodes)
		res.MeanReturn /= float64(episodes)
	}
	if math.IsNaN(res.MeanReturn) {
		return res, fmt.Errorf("eval: evaluation produced a NaN return")
	}
	return res, nil
}

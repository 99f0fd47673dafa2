package modelenv

import (
	"math"
	"math/rand/v2"

	"sandbox/control"
	"sandbox/mbrl/ensemble"
)

// Diagnostics describe a trained ensemble (written to DIR/model.json
// and plotted in DIR/model.png).
type Diagnostics struct {
	// MemberValMSE and MemberValNLL are each member's held-out error on
	// the last fit: MSE of normalized Δobs and Gaussian NLL per dimension.
	MemberValMSE []float64 `json:"member_val_mse"`
	MemberValNLL []float64 `json:"member_val_nll"`
	Elites       []int     `json:"elites"`
	// Horizons are the look-ahead lengths, in control steps, of the
	// open-loop errors: starting from a real observation of an evaluation
	// episode, the elites' mean prediction is rolled forward on the actions
	// that were taken and compared with what happened.
	Horizons []int `json:"horizons"`
	// RMSE is the root mean squared error over every predicted value;
	// RMSEByPart the same per named observation part, in its own units.
	RMSE       []float64            `json:"rmse"`
	RMSEByPart map[string][]float64 `json:"rmse_by_part"`
	// Starts is the number of start points averaged at each horizon.
	Starts []int `json:"starts"`
}

// Recorder is a Controller that records what its inner controller saw and
// did, episode by episode.
type Recorder struct {
	Inner    control.Controller
	Episodes []Recorded
}

// Recorded is one episode: the observation and action of every step.
type Recorded struct{ Obs, Act [][]float64 }

// Reset implements control.Controller.
func (r *Recorder) Reset(rng *rand.Rand) {
	r.Inner.Reset(rng)
	r.Episodes = append(r.Episodes, Recorded{})
}

// Act implements control.Controller.
func (r *Recorder) Act(obs, act []float64) {
	r.Inner.Act(obs, act)
	e := &r.Episodes[len(r.Episodes)-1]
	e.Obs = append(e.Obs, append([]float64(nil), obs...))
	e.Act = append(e.Act, append([]float64(nil), act...))
}

// Diagnose measures the open-loop prediction error of ens on recorded
// episodes up to maxHorizon steps ahead, overall and for each named part
// (observation indices); the member fields are left to the caller.
func Diagnose(ens *ensemble.Ensemble, layout Layout, parts map[string][]int, eps []Recorded, maxHorizon int) Diagnostics {
	d := Diagnostics{RMSEByPart: map[string][]float64{}}
	sd, ad := layout.StateDim(), layout.InputActDim()
	sum := make([]float64, maxHorizon)
	partSum := map[string][]float64{}
	for n := range parts {
		partSum[n] = make([]float64, maxHorizon)
	}
	counts := make([]int, maxHorizon)
	state, in, obs := make([]float32, sd), make([]float32, ad), make([]float64, layout.ObsDim)
	for _, ep := range eps {
		for t0 := 0; t0+1 < len(ep.Obs); t0++ {
			copy(obs, ep.Obs[t0])
			for h := 0; h < maxHorizon && t0+h+1 < len(ep.Obs); h++ {
				// obs holds float32 predictions exactly, so the state
				// round-trips unchanged.
				layout.Split(obs, ep.Act[t0+h], state, in)
				ens.Step(ensemble.Expectation, state, in, nil, state, nil)
				for k, i := range layout.State {
					obs[i] = float64(state[k])
				}
				for k, i := range layout.LastAction {
					obs[i] = math.Max(-1, math.Min(1, ep.Act[t0+h][k]))
				}
				truth := ep.Obs[t0+h+1]
				for k, i := range layout.State {
					e := float64(state[k]) - truth[i]
					sum[h] += e * e
				}
				for n, idx := range parts {
					for _, i := range idx {
						e := obs[i] - truth[i]
						partSum[n][h] += e * e / float64(len(idx))
					}
				}
				counts[h]++
			}
		}
	}
	for h := range maxHorizon {
		if counts[h] == 0 {
			break
		}
		d.Horizons = append(d.Horizons, h+1)
		d.Starts = append(d.Starts, counts[h])
		d.RMSE = append(d.RMSE, math.Sqrt(sum[h]/float64(counts[h]*sd)))
		for n := range parts {
			d.RMSEByPart[n] = append(d.RMSEByPart[n], math.Sqrt(partSum[n][h]/float64(counts[h])))
		}
	}
	return d
}

// Sanitize returns d with non-finite numbers (which JSON cannot hold)
// replaced by −1.
func Sanitize(d Diagnostics) Diagnostics {
	fix := func(xs []float64) []float64 {
		out := make([]float64, len(xs))
		for i, x := range xs {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				x = -1
			}
			out[i] = x
		}
		return out
	}
	d.MemberValMSE, d.MemberValNLL, d.RMSE = fix(d.MemberValMSE), fix(d.MemberValNLL), fix(d.RMSE)
	parts := map[string][]float64{}
	for n, v := range d.RMSEByPart {
		parts[n] = fix(v)
	}
	d.RMSEByPart = parts
	return d
}

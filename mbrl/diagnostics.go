package mbrl

import (
	"math"
	"math/rand/v2"
	"path/filepath"

	"sandbox/control"
	"sandbox/internal/seed"
	"sandbox/mbrl/ensemble"
)

// ModelDiagnostics describe a trained ensemble (written to DIR/model.json
// and plotted in DIR/model.png).
type ModelDiagnostics struct {
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

// recorder is a Controller that records what its inner controller saw and
// did, episode by episode.
type recorder struct {
	inner    control.Controller
	episodes []recorded
}

type recorded struct{ obs, act [][]float64 }

func (r *recorder) Reset(rng *rand.Rand) {
	r.inner.Reset(rng)
	r.episodes = append(r.episodes, recorded{})
}

func (r *recorder) Act(obs, act []float64) {
	r.inner.Act(obs, act)
	e := &r.episodes[len(r.episodes)-1]
	e.obs = append(e.obs, append([]float64(nil), obs...))
	e.act = append(e.act, append([]float64(nil), act...))
}

// diagnose measures the open-loop prediction error of ens on recorded
// episodes up to maxHorizon steps ahead.
func diagnose(ens *ensemble.Ensemble, layout ModelLayout, parts map[string][]int, eps []recorded, maxHorizon int, fit *FitInfo) ModelDiagnostics {
	d := ModelDiagnostics{RMSEByPart: map[string][]float64{}}
	if fit != nil {
		d.MemberValMSE, d.MemberValNLL, d.Elites = fit.ValMSE, fit.ValNLL, fit.Elites
	}
	sd, ad := layout.StateDim(), layout.InputActDim()
	sum := make([]float64, maxHorizon)
	partSum := map[string][]float64{}
	for n := range parts {
		partSum[n] = make([]float64, maxHorizon)
	}
	counts := make([]int, maxHorizon)
	state, in, obs := make([]float32, sd), make([]float32, ad), make([]float64, layout.ObsDim)
	for _, ep := range eps {
		for t0 := 0; t0+1 < len(ep.obs); t0++ {
			copy(obs, ep.obs[t0])
			for h := 0; h < maxHorizon && t0+h+1 < len(ep.obs); h++ {
				// obs holds float32 predictions exactly, so the state
				// round-trips unchanged.
				layout.Split(obs, ep.act[t0+h], state, in)
				ens.Step(ensemble.Expectation, state, in, nil, state, nil)
				for k, i := range layout.State {
					obs[i] = float64(state[k])
				}
				for k, i := range layout.LastAction {
					obs[i] = math.Max(-1, math.Min(1, ep.act[t0+h][k]))
				}
				truth := ep.obs[t0+h+1]
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

// diagnostics writes DIR/model.json and DIR/model.png for the final model,
// on the episodes of the last evaluation (re-run if this call has not
// evaluated).
func (t *trainer) diagnostics() error {
	if t.diag == nil {
		t.diag = &recorder{inner: t.controller(true)}
		if _, err := Evaluate(t.env, t.diag, t.cfg.EvalEpisodes, seed.Stream(t.cfg.Seed, "train-eval").Uint64(), nil); err != nil {
			return err
		}
	}
	parts := map[string][]int{}
	for _, s := range t.env.Spec().Obs {
		if s.Goal || s.Action {
			continue
		}
		for i := s.Start; i < s.Start+s.Len; i++ {
			parts[s.Name] = append(parts[s.Name], i)
		}
	}
	d := diagnose(t.ens, t.layout, parts, t.diag.episodes, 2*t.cfg.Planner.Horizon, t.st.LastFit)
	if err := writeJSON(filepath.Join(t.opt.Dir, "model.json"), sanitize(d), false); err != nil {
		return err
	}
	return plotModel(filepath.Join(t.opt.Dir, "model.png"), d)
}

// sanitize replaces non-finite numbers (which JSON cannot hold) by −1.
func sanitize(d ModelDiagnostics) ModelDiagnostics {
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

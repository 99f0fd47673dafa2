package mbrl

import (
	"sandbox/control"
)

// mpcAlgo is the family of PETS and PDDM: MPC on the learned ensemble
// collects every episode after the random ones, and the ensemble is
// refitted every RetrainEvery env steps. Its members differ in their
// planner and defaults (pets.go, pddm.go).
type mpcAlgo struct {
	noHooks
	dynamics
	agent *Agent
}

func newMPC(r *Run) (Algorithm, error) {
	d, err := newDynamics(r)
	if err != nil {
		return nil, err
	}
	return mpcWith(r, d)
}

func loadMPC(r *Run, parts Parts) (Algorithm, error) {
	d, err := loadDynamics(parts)
	if err != nil {
		return nil, err
	}
	if d.ens == nil {
		return nil, parts.missing("model", r.cfg.Algo)
	}
	return mpcWith(r, d)
}

func mpcWith(r *Run, d dynamics) (Algorithm, error) {
	agent, err := NewAgent(d.ens, r.env.Task(), r.cfg)
	if err != nil {
		return nil, err
	}
	return &mpcAlgo{dynamics: d, agent: agent}, nil
}

// Controller is the MPC agent in training and evaluation alike.
func (a *mpcAlgo) Controller(*Run, bool) (control.Controller, error) { return a.agent, nil }

// AfterEpisode refits the model when a fit is due.
func (a *mpcAlgo) AfterEpisode(r *Run) error {
	if !fitDue(r) {
		return nil
	}
	if err := a.fit(r); err != nil {
		return err
	}
	afterFit(r)
	return nil
}

func (a *mpcAlgo) Parts() []Part { return []Part{{"model", a.ens}} }

// Finish writes the model diagnostics.
func (a *mpcAlgo) Finish(r *Run) error { return a.finish(r, a) }

package control

// WithDefaults returns c with its zero options set to the defaults they
// stand for, so that a saved config shows the values a run used.
func (c CEM) WithDefaults() CEM {
	c.Population, c.Elites, c.Iterations, c.Alpha, c.InitStd = c.options()
	return c
}

// WithDefaults returns m with its zero options set to their defaults.
func (m MPPI) WithDefaults() MPPI {
	m.Samples, m.Gamma, m.Beta, m.Sigma, m.Iterations = m.options()
	return m
}

// WithDefaults returns r with its zero options set to their defaults.
func (r RandomShooting) WithDefaults() RandomShooting {
	r.Samples = r.BatchSize()
	return r
}

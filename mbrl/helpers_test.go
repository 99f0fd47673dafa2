package mbrl

import (
	"os"

	"sandbox/control"
)

// benchConfig is assets/configs/pets-reacher.json (mbrl cannot import
// package assets).
func benchConfig() Config {
	data, err := os.ReadFile("../assets/configs/pets-reacher.json")
	if err != nil {
		panic(err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		panic(err)
	}
	return cfg
}

func controlCEM(pop, elites, iters int) control.CEM {
	return control.CEM{Population: pop, Elites: elites, Iterations: iters}
}

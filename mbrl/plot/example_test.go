package plot_test

import (
	"fmt"
	"os"
	"path/filepath"

	"sandbox/mbrl/plot"
)

// A learning curve of two panels: success rate and mean return against
// env steps.
func ExampleCurve() {
	dir, err := os.MkdirTemp("", "plot-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	steps := []float64{1000, 2000, 3000}
	path := filepath.Join(dir, "curve.png")
	err = plot.Curve(path, "pets on reacher, seed 1", []plot.Panel{
		{Label: "success rate", X: steps, Y: []float64{0, 0.5, 0.9}},
		{Label: "mean return", X: steps, Y: []float64{-28, 5, 21}},
	})
	if err != nil {
		panic(err)
	}
	b, _ := os.ReadFile(path)
	fmt.Printf("%q\n", b[1:4])
	// Output: "PNG"
}

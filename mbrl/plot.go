package mbrl

import (
	"fmt"
	"image/color"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// savePlots draws plots as one column of panels into a PNG file.
func savePlots(path string, w, h vg.Length, plots ...*plot.Plot) error {
	img := vgimg.New(w, h)
	dc := draw.New(img)
	grid := make([][]*plot.Plot, len(plots))
	for i, p := range plots {
		grid[i] = []*plot.Plot{p}
	}
	tiles := draw.Tiles{Rows: len(plots), Cols: 1, PadX: vg.Millimeter, PadY: 4 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	canvases := plot.Align(grid, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[i][0])
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("mbrl: plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("mbrl: plot %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("mbrl: plot: %w", err)
	}
	return nil
}

// plotCurve writes the learning curve: success rate and mean return
// against training env steps.
func plotCurve(path string, cfg Config, ms []Metric) error {
	succ, ret := make(plotter.XYs, len(ms)), make(plotter.XYs, len(ms))
	for i, m := range ms {
		succ[i] = plotter.XY{X: float64(m.EnvSteps), Y: m.SuccessRate}
		ret[i] = plotter.XY{X: float64(m.EnvSteps), Y: m.MeanReturn}
	}
	top := plot.New()
	top.Title.Text = fmt.Sprintf("%s on %s, seed %d", cfg.Algo, cfg.Task, cfg.Seed)
	top.Y.Label.Text = "success rate"
	top.Y.Min, top.Y.Max = 0, 1
	top.X.Label.Text = "env steps"
	bottom := plot.New()
	bottom.Y.Label.Text = "mean return"
	bottom.X.Label.Text = "env steps"
	if err := plotutil.AddLinePoints(top, succ); err != nil {
		return fmt.Errorf("mbrl: plot: %w", err)
	}
	if err := plotutil.AddLinePoints(bottom, ret); err != nil {
		return fmt.Errorf("mbrl: plot: %w", err)
	}
	top.X.Min, bottom.X.Min = 0, 0
	top.Add(plotter.NewGrid())
	bottom.Add(plotter.NewGrid())
	return savePlots(path, 16*vg.Centimeter, 16*vg.Centimeter, top, bottom)
}

// plotModel writes the model diagnostics: held-out error per member and
// open-loop prediction error against horizon for each observation part.
func plotModel(path string, d ModelDiagnostics) error {
	members := plot.New()
	members.Title.Text = "held-out error per member (normalized Δobs)"
	members.X.Label.Text = "member"
	members.Y.Label.Text = "MSE"
	vals := make(plotter.Values, len(d.MemberValMSE))
	copy(vals, d.MemberValMSE)
	if len(vals) > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(14))
		if err != nil {
			return fmt.Errorf("mbrl: plot: %w", err)
		}
		bars.Color = color.RGBA{R: 70, G: 110, B: 190, A: 255}
		members.Add(bars)
	}

	horizon := plot.New()
	horizon.Title.Text = "open-loop prediction error on evaluation episodes"
	horizon.X.Label.Text = "steps ahead"
	horizon.Y.Label.Text = "RMSE (observation units)"
	names := make([]string, 0, len(d.RMSEByPart))
	for n := range d.RMSEByPart {
		names = append(names, n)
	}
	sort.Strings(names)
	var lines []any
	for _, n := range names {
		xy := make(plotter.XYs, len(d.Horizons))
		for i, h := range d.Horizons {
			xy[i] = plotter.XY{X: float64(h), Y: d.RMSEByPart[n][i]}
		}
		lines = append(lines, n, xy)
	}
	if len(lines) > 0 {
		if err := plotutil.AddLinePoints(horizon, lines...); err != nil {
			return fmt.Errorf("mbrl: plot: %w", err)
		}
	}
	horizon.Legend.Top, horizon.Legend.Left = true, true
	horizon.Add(plotter.NewGrid())
	return savePlots(path, 16*vg.Centimeter, 18*vg.Centimeter, members, horizon)
}

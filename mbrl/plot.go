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
// against training env steps, and for DADS the intrinsic reward and the
// skill-dynamics log-likelihood.
func plotCurve(path string, cfg Config, ms []Metric) error {
	panels := []struct {
		label string
		y     func(Metric) *float64
	}{
		{"success rate", func(m Metric) *float64 { return &m.SuccessRate }},
		{"mean return", func(m Metric) *float64 { return &m.MeanReturn }},
		{"intrinsic reward", func(m Metric) *float64 { return m.IntrinsicReward }},
		{"skill-dynamics log-likelihood", func(m Metric) *float64 { return m.SkillLogLik }},
	}
	var plots []*plot.Plot
	for _, pn := range panels {
		var xys plotter.XYs
		for _, m := range ms {
			if y := pn.y(m); y != nil {
				xys = append(xys, plotter.XY{X: float64(m.EnvSteps), Y: *y})
			}
		}
		if len(xys) == 0 {
			continue
		}
		p := plot.New()
		p.Y.Label.Text, p.X.Label.Text = pn.label, "env steps"
		p.X.Min = 0
		if err := plotutil.AddLinePoints(p, xys); err != nil {
			return fmt.Errorf("mbrl: plot: %w", err)
		}
		p.Add(plotter.NewGrid())
		plots = append(plots, p)
	}
	plots[0].Title.Text = fmt.Sprintf("%s on %s, seed %d", cfg.Algo, cfg.Task, cfg.Seed)
	plots[0].Y.Min, plots[0].Y.Max = 0, 1
	return savePlots(path, 16*vg.Centimeter, vg.Length(len(plots))*8*vg.Centimeter, plots...)
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

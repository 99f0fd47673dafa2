// Package plot draws the PNG figures of training runs and comparisons:
// learning curves, model diagnostics and success-rate bands over seeds.
package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"sandbox/internal/safefile"
	"sandbox/mbrl/modelenv"
)

// Panel is one panel of a learning curve: Y against env steps X.
type Panel struct {
	Label string
	X, Y  []float64
}

// Curve writes a learning curve, one panel per non-empty Panel in a
// column, titled title; the first panel is a success rate (0 to 1).
func Curve(path, title string, panels []Panel) error {
	var plots []*plot.Plot
	for _, pn := range panels {
		if len(pn.X) == 0 {
			continue
		}
		xys := make(plotter.XYs, len(pn.X))
		for i := range pn.X {
			xys[i] = plotter.XY{X: pn.X[i], Y: pn.Y[i]}
		}
		p := plot.New()
		p.Y.Label.Text, p.X.Label.Text = pn.Label, "env steps"
		p.X.Min = 0
		if err := plotutil.AddLinePoints(p, xys); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		p.Add(plotter.NewGrid())
		plots = append(plots, p)
	}
	if len(plots) == 0 {
		return fmt.Errorf("plot: %s: no points", path)
	}
	plots[0].Title.Text = title
	plots[0].Y.Min, plots[0].Y.Max = 0, 1
	return save(path, 16*vg.Centimeter, vg.Length(len(plots))*8*vg.Centimeter, plots...)
}

// Model writes a model's diagnostics: held-out error per member and
// open-loop prediction error against horizon for each observation part.
func Model(path string, d modelenv.Diagnostics) error {
	members := plot.New()
	members.Title.Text = "held-out error per member (normalized Δobs)"
	members.X.Label.Text = "member"
	members.Y.Label.Text = "MSE"
	vals := make(plotter.Values, len(d.MemberValMSE))
	copy(vals, d.MemberValMSE)
	if len(vals) > 0 {
		bars, err := plotter.NewBarChart(vals, vg.Points(14))
		if err != nil {
			return fmt.Errorf("plot: %w", err)
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
			return fmt.Errorf("plot: %w", err)
		}
	}
	horizon.Legend.Top, horizon.Legend.Left = true, true
	horizon.Add(plotter.NewGrid())
	return save(path, 16*vg.Centimeter, 18*vg.Centimeter, members, horizon)
}

// Band is one algorithm's success rate over seeds at each evaluation:
// Mean with the range [Min, Max], and the mean return.
type Band struct {
	Label                      string
	Steps                      []float64
	Mean, Min, Max, MeanReturn []float64
}

// Bands writes each band's mean success curve with its range as error
// bars, titled title, and below it the mean return.
func Bands(path, title string, bands []Band) error {
	p, q := plot.New(), plot.New()
	p.Title.Text = title
	p.X.Label.Text, q.X.Label.Text = "env steps", "env steps"
	p.Y.Label.Text = "success rate (mean, range over seeds)"
	q.Y.Label.Text = "mean return (mean over seeds)"
	p.Y.Min, p.Y.Max, p.X.Min, q.X.Min = 0, 1, 0, 0
	p.Add(plotter.NewGrid())
	q.Add(plotter.NewGrid())
	for i, a := range bands {
		xys := make(plotter.XYs, len(a.Steps))
		rets := make(plotter.XYs, len(a.Steps))
		errs := make(plotter.YErrors, len(a.Steps))
		for j, x := range a.Steps {
			xys[j] = plotter.XY{X: x, Y: a.Mean[j]}
			rets[j] = plotter.XY{X: x, Y: a.MeanReturn[j]}
			errs[j] = struct{ Low, High float64 }{a.Mean[j] - a.Min[j], a.Max[j] - a.Mean[j]}
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		col := plotutil.Color(i)
		line.Color, points.Color, points.Shape = col, col, plotutil.Shape(i)
		bars, err := plotter.NewYErrorBars(struct {
			plotter.XYs
			plotter.YErrors
		}{xys, errs})
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		bars.Color = col
		p.Add(line, points, bars)
		p.Legend.Add(a.Label, line, points)
		rl, err := plotter.NewLine(rets)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		rl.Color = col
		q.Add(rl)
	}
	p.Legend.Top, p.Legend.Left = true, true
	return save(path, 16*vg.Centimeter, 18*vg.Centimeter, p, q)
}

// save draws plots as one column of panels into a PNG file, written
// atomically.
func save(path string, w, h vg.Length, plots ...*plot.Plot) error {
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
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return fmt.Errorf("plot %s: %w", path, err)
	}
	return safefile.Write(path, b.Bytes())
}

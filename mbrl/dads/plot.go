package dads

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"sandbox/internal/safefile"
	"sandbox/internal/seed"
)

// SkillFan is the outcome of SkillPaths: where a grid of skills takes the
// skill state from one start.
type SkillFan struct {
	// Skills holds the skills, one per path.
	Skills [][]float64
	// Paths holds, per skill, the skill states from the start on, one
	// slice of StateDim values per step.
	Paths [][][]float64
	// Spread is the RMS distance of the paths' final states from their
	// centroid, in the units of the skill state: a measure of diversity
	// (0 when every skill ends in the same place).
	Spread float64
}

// SkillPaths runs the deterministic skill policy for steps control steps
// (the episode length if steps ≤ 0) with each skill of a grid×grid grid
// over the first two skill components (the others zero; a one-dimensional
// skill takes grid values), each episode from the same start and goal,
// drawn from seed.Stream(s, "dads/fan"), on the Learner's env.
func (l *Learner) SkillPaths(grid, steps int, s uint64) (SkillFan, error) {
	if grid < 1 || grid > 100 {
		return SkillFan{}, fmt.Errorf("dads: skill grid of %d, want 1…100", grid)
	}
	if steps <= 0 {
		steps = l.env.Spec().Steps
	}
	d, ds := l.cfg.Skills, l.dyn.StateDim()
	var skills [][]float64
	at := func(i int) float64 {
		if grid == 1 {
			return 0
		}
		return -1 + 2*float64(i)/float64(grid-1)
	}
	for i := range grid {
		if d == 1 {
			skills = append(skills, []float64{at(i)})
			continue
		}
		for j := range grid {
			z := make([]float64, d)
			z[0], z[1] = at(i), at(j)
			skills = append(skills, z)
		}
	}
	fan := SkillFan{Skills: skills}
	in := make([]float64, l.pol.ObsDim())
	act := make([]float64, l.env.Spec().ActionDim)
	for _, z := range skills {
		obs := l.env.Reset(seed.Stream(s, "dads/fan"))
		st := make([]float64, ds)
		l.spacer.SkillState(obs, st)
		path := [][]float64{st}
		for range steps {
			l.PolicyObs(obs, z, in)
			l.pol.Act(in, act, nil)
			step, err := l.env.Step(act)
			if err != nil {
				return SkillFan{}, fmt.Errorf("dads: skill paths: %w", err)
			}
			obs = step.Obs
			st := make([]float64, ds)
			l.spacer.SkillState(obs, st)
			path = append(path, st)
			if step.Terminated || step.Truncated {
				break
			}
		}
		fan.Paths = append(fan.Paths, path)
	}
	fan.Spread = spread(fan.Paths)
	return fan, nil
}

// spread is the RMS distance of the paths' last points from their mean.
func spread(paths [][][]float64) float64 {
	if len(paths) == 0 {
		return 0
	}
	ds := len(paths[0][0])
	mean := make([]float64, ds)
	for _, p := range paths {
		for j, v := range p[len(p)-1] {
			mean[j] += v / float64(len(paths))
		}
	}
	var ss float64
	for _, p := range paths {
		for j, v := range p[len(p)-1] {
			ss += (v - mean[j]) * (v - mean[j])
		}
	}
	return math.Sqrt(ss / float64(len(paths)))
}

// PlotSkills draws fan into a PNG file: each skill's path over the first
// two skill-state components (against the step for a one-dimensional
// skill space), coloured by its skill, with a dot at its end. labels name
// the skill-state components (tasks.SkillSpacer.SkillSpace).
func PlotSkills(path, title string, labels []string, fan SkillFan) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s (spread %.3g)", title, fan.Spread)
	switch len(labels) {
	case 1:
		p.X.Label.Text, p.Y.Label.Text = "control step", labels[0]
	case 0:
	default:
		p.X.Label.Text, p.Y.Label.Text = labels[0], labels[1]
	}
	for i, path := range fan.Paths {
		xy := make(plotter.XYs, len(path))
		for t, s := range path {
			if len(s) > 1 {
				xy[t] = plotter.XY{X: s[0], Y: s[1]}
			} else {
				xy[t] = plotter.XY{X: float64(t), Y: s[0]}
			}
		}
		c := skillColor(fan.Skills[i])
		line, err := plotter.NewLine(xy)
		if err != nil {
			return fmt.Errorf("dads: plot: %w", err)
		}
		line.Color = c
		line.Width = vg.Points(1.2)
		end, err := plotter.NewScatter(xy[len(xy)-1:])
		if err != nil {
			return fmt.Errorf("dads: plot: %w", err)
		}
		end.Color, end.Shape, end.Radius = c, draw.CircleGlyph{}, vg.Points(2.5)
		p.Add(line, end)
	}
	if len(fan.Paths) > 0 && len(fan.Paths[0]) > 0 {
		s0 := fan.Paths[0][0]
		xy := plotter.XY{X: 0, Y: s0[0]}
		if len(s0) > 1 {
			xy = plotter.XY{X: s0[0], Y: s0[1]}
		}
		start, err := plotter.NewScatter(plotter.XYs{xy})
		if err == nil {
			start.Shape, start.Radius = draw.CrossGlyph{}, vg.Points(5)
			p.Add(start)
		}
	}
	p.Add(plotter.NewGrid())
	// Rendered in memory and written atomically, as every file of a run
	// directory is.
	w, err := p.WriterTo(14*vg.Centimeter, 14*vg.Centimeter, "png")
	if err != nil {
		return fmt.Errorf("dads: plot %s: %w", path, err)
	}
	var b bytes.Buffer
	if _, err := w.WriteTo(&b); err != nil {
		return fmt.Errorf("dads: plot %s: %w", path, err)
	}
	if err := safefile.Write(path, b.Bytes()); err != nil {
		return fmt.Errorf("dads: plot: %w", err)
	}
	return nil
}

// skillColor maps a skill's first two components in [−1, 1] to a colour:
// its direction to the hue, its length to the saturation.
func skillColor(z []float64) color.Color {
	x, y := z[0], 0.0
	if len(z) > 1 {
		y = z[1]
	}
	h := math.Atan2(y, x)/(2*math.Pi) + 0.5
	s := math.Min(1, math.Hypot(x, y)/math.Sqrt2)
	return hsv(h, 0.25+0.75*s, 0.85)
}

func hsv(h, s, v float64) color.Color {
	i := math.Floor(h * 6)
	f := h*6 - i
	p, q, t := v*(1-s), v*(1-f*s), v*(1-(1-f)*s)
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.RGBA{R: uint8(255 * r), G: uint8(255 * g), B: uint8(255 * b), A: 255}
}

// WriteSkillsPlot draws the skill fan, in the task's own skill space
// (without Config.SkillObs), of a 5×5 grid of skills over one episode from
// the start drawn from seed.Stream(Seed, "dads/fan") into a PNG file at
// path (skills.png in a run directory) and returns the fan.
func (l *Learner) WriteSkillsPlot(path string) (SkillFan, error) {
	fan, err := l.SkillPaths(5, 0, l.cfg.Seed)
	if err != nil {
		return fan, err
	}
	labels := l.spacer.SkillSpace()
	if e, ok := l.spacer.(extendedSpace); ok {
		// The plot and the spread are of the task's own skill space.
		labels = labels[:e.n]
		for _, p := range fan.Paths {
			for t := range p {
				p[t] = p[t][:e.n]
			}
		}
		fan.Spread = spread(fan.Paths)
	}
	title := fmt.Sprintf("DADS skills on %s after %d iterations", l.env.Spec().ID, l.iteration)
	return fan, PlotSkills(path, title, labels, fan)
}

package robots

import (
	"fmt"
	"math"

	"sandbox/sim"
)

// maxOverlaps bounds the pairs of shapes that may touch at the rest pose.
// Each is a contact the solver works on every physics step, and their
// cost grows faster than their number: 2016 overlapping pairs (64 discs
// on one spot) take about 14 ms per step on the 2-core development
// machine, 512 pairs about 2 ms.
const maxOverlaps = 512

// overlaps counts the pairs of shapes of different bodies that may collide
// (by their filters; not both static, not a jointed child and its parent)
// and whose bounding circles overlap at the rest pose, and reports more
// than maxOverlaps.
func (m *Model) overlaps() error {
	type disc struct {
		body   int
		c      sim.Vec2
		r      float64
		filter ShapeSpec
	}
	poses := m.restPoses(nil)
	idx := map[string]int{}
	var discs []disc
	for i, b := range m.Bodies {
		idx[b.Name] = i
		for _, s := range b.Shapes {
			var c sim.Vec2
			var r float64
			switch {
			case s.Circle != nil:
				c, r = vec(s.Circle.Center), s.Circle.Radius
			case s.Box != nil:
				c, r = vec(s.Box.Center), math.Hypot(s.Box.Half[0], s.Box.Half[1])
			case s.Polygon != nil:
				for _, v := range s.Polygon.Vertices {
					c = c.Add(vec(v))
				}
				c = c.Scale(1 / float64(len(s.Polygon.Vertices)))
				for _, v := range s.Polygon.Vertices {
					r = max(r, vec(v).Sub(c).Norm())
				}
			}
			discs = append(discs, disc{i, poses[i].pos.Add(c.Rotate(poses[i].angle)), r, s})
		}
	}
	parent := func(i int) int {
		if b := m.Bodies[i]; b.Joint != nil {
			return idx[b.Parent]
		}
		return -1
	}
	static := func(i int) bool { return m.Bodies[i].Type == "static" }
	n := 0
	for i, a := range discs {
		for _, b := range discs[i+1:] {
			switch {
			case a.body == b.body, static(a.body) && static(b.body), parent(a.body) == b.body, parent(b.body) == a.body,
				!collide(a.filter, b.filter), a.c.Sub(b.c).Norm() >= a.r+b.r:
				continue
			}
			n++
		}
	}
	if n > maxOverlaps {
		return fmt.Errorf("bodies: %d pairs of shapes of different bodies overlap at the rest pose, at most %d (each is a contact worked every physics step; separate them or filter their collisions)", n, maxOverlaps)
	}
	return nil
}

// collide applies Box2D's filter rule (see sim.Filter).
func collide(a, b ShapeSpec) bool {
	if a.Group != 0 && a.Group == b.Group {
		return a.Group > 0
	}
	bits := func(s ShapeSpec) (uint16, uint16) {
		if s.Category == 0 && s.Mask == 0 {
			return 1, 0xFFFF
		}
		return s.Category, s.Mask
	}
	ca, ma := bits(a)
	cb, mb := bits(b)
	return ca&mb != 0 && cb&ma != 0
}

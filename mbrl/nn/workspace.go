package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Workspace holds the buffers of batched passes through one MLP: the
// activations of every layer for up to MaxRows rows in total (summed over
// members) and, for training workspaces, what Backward needs. Reusing a
// Workspace makes Forward and Backward allocation-free. A Workspace must not
// be used by two goroutines at once; concurrent inference needs one
// Workspace per goroutine.
type Workspace struct {
	net     *MLP
	maxRows int
	train   bool

	counts []int // rows per member in the last pass
	offs   []int // offs[e] is the first row of member e; len members+1
	rows   int

	x     []float32   // input of the last pass (training)
	z, a  [][]float32 // per layer pre- and post-activations (training)
	ping  [2][]float32
	delta [2][]float32
}

// NewWorkspace returns a workspace for Forward and Backward over at most
// maxRows rows in total. It stores every layer's activations: about
// 2·maxRows·Σ(hidden widths) float32s.
func (m *MLP) NewWorkspace(maxRows int) *Workspace {
	ws := m.newWorkspace(maxRows)
	ws.train = true
	ws.z = make([][]float32, len(m.layers))
	ws.a = make([][]float32, len(m.layers))
	for l, ly := range m.layers {
		ws.z[l] = make([]float32, maxRows*ly.out)
		if m.activation(l) == Identity {
			ws.a[l] = ws.z[l]
		} else {
			ws.a[l] = make([]float32, maxRows*ly.out)
		}
	}
	w := m.maxWidth()
	ws.delta = [2][]float32{make([]float32, maxRows*w), make([]float32, maxRows*w)}
	return ws
}

// NewInferenceWorkspace returns a workspace for Forward only over at most
// maxRows rows in total. It keeps two activation buffers of maxRows times
// the widest layer, and Backward panics on it.
func (m *MLP) NewInferenceWorkspace(maxRows int) *Workspace {
	ws := m.newWorkspace(maxRows)
	w := m.maxWidth()
	ws.ping = [2][]float32{make([]float32, maxRows*w), make([]float32, maxRows*w)}
	return ws
}

func (m *MLP) newWorkspace(maxRows int) *Workspace {
	if maxRows < 1 {
		panic(fmt.Sprintf("nn: workspace for %d rows", maxRows))
	}
	return &Workspace{
		net:     m,
		maxRows: maxRows,
		counts:  make([]int, m.members),
		offs:    make([]int, m.members+1),
	}
}

// MaxRows returns the number of rows, summed over members, that the
// workspace can hold.
func (ws *Workspace) MaxRows() int { return ws.maxRows }

func (m *MLP) activation(l int) Activation {
	if l == len(m.layers)-1 {
		return m.output
	}
	return m.hidden
}

// Forward evaluates every member on n rows of its own: x holds
// Members()·n rows of In() values, the rows of member e being
// x[e·n·In():(e+1)·n·In()]. It returns the Members()·n×Out() outputs in the
// same layout, a view into ws valid until its next use. Training
// workspaces keep x for Backward, so x must not change in between.
//
// Forward panics if ws belongs to another MLP, if Members()·n exceeds
// ws.MaxRows() or if x is too short.
func (m *MLP) Forward(ws *Workspace, x []float32, n int) []float32 {
	if n < 0 {
		panic(fmt.Sprintf("nn: Forward with %d rows", n))
	}
	for e := range ws.counts {
		ws.counts[e] = n
	}
	return m.forward(ws, x)
}

// ForwardGroups is Forward with counts[e] rows for member e: x holds
// Σcounts rows, those of member 0 first. Members with no rows cost nothing.
func (m *MLP) ForwardGroups(ws *Workspace, x []float32, counts []int) []float32 {
	if len(counts) != m.members {
		panic(fmt.Sprintf("nn: ForwardGroups with %d counts for %d members", len(counts), m.members))
	}
	for e, c := range counts {
		if c < 0 {
			panic(fmt.Sprintf("nn: ForwardGroups with count %d", c))
		}
		ws.counts[e] = c
	}
	return m.forward(ws, x)
}

func (m *MLP) forward(ws *Workspace, x []float32) []float32 {
	if ws.net != m {
		panic("nn: workspace belongs to another MLP")
	}
	rows := 0
	for e, c := range ws.counts {
		ws.offs[e] = rows
		rows += c
	}
	ws.offs[m.members] = rows
	if rows > ws.maxRows {
		panic(fmt.Sprintf("nn: %d rows exceed the workspace's %d", rows, ws.maxRows))
	}
	if len(x) < rows*m.In() {
		panic(fmt.Sprintf("nn: input of length %d for %d rows of %d", len(x), rows, m.In()))
	}
	ws.rows = rows
	in := x[:rows*m.In()]
	ws.x = in
	impl := blas32.Implementation()
	for l, ly := range m.layers {
		act := m.activation(l)
		var z, a []float32
		if ws.train {
			z, a = ws.z[l][:rows*ly.out], ws.a[l][:rows*ly.out]
		} else {
			z = ws.ping[l%2][:rows*ly.out]
			a = z
		}
		for e := range m.members {
			r0, r1 := ws.offs[e], ws.offs[e+1]
			if r0 == r1 {
				continue
			}
			ze := z[r0*ly.out : r1*ly.out]
			b := m.Bias(e, l)
			for r := 0; r < len(ze); r += ly.out {
				copy(ze[r:r+ly.out], b)
			}
			impl.Sgemm(blas.NoTrans, blas.NoTrans, r1-r0, ly.out, ly.in,
				1, in[r0*ly.in:r1*ly.in], ly.in, m.Weights(e, l), ly.out,
				1, ze, ly.out)
		}
		switch {
		case act == Identity:
		case ws.train:
			act.forward(a, z)
		default:
			act.apply(a, z)
		}
		in = a
	}
	return in
}

// Backward accumulates into m.Grads the gradient of a loss L given
// dy = ∂L/∂y for the outputs y of the last Forward on ws, in the same
// layout. If dx is not nil it receives ∂L/∂x, in the layout of x. Backward
// does not modify dy and does not allocate.
//
// Backward panics on an inference workspace, one of another MLP, or short
// dy or dx.
func (m *MLP) Backward(ws *Workspace, dy, dx []float32) { m.backward(ws, dy, dx, true) }

// BackwardInput writes into dx the gradient ∂L/∂x for the inputs of the
// last Forward on ws given dy, like Backward, but leaves m.Grads alone:
// for a loss that flows through a network whose parameters it does not
// train (SAC's policy loss through the critics). It skips the weight
// products, about a third of Backward's work.
func (m *MLP) BackwardInput(ws *Workspace, dy, dx []float32) {
	if dx == nil {
		panic("nn: BackwardInput needs dx")
	}
	m.backward(ws, dy, dx, false)
}

func (m *MLP) backward(ws *Workspace, dy, dx []float32, weights bool) {
	if ws.net != m || !ws.train {
		panic("nn: Backward needs a training workspace of this MLP")
	}
	rows := ws.rows
	if len(dy) < rows*m.Out() {
		panic(fmt.Sprintf("nn: dy of length %d for %d rows of %d", len(dy), rows, m.Out()))
	}
	if dx != nil && len(dx) < rows*m.In() {
		panic(fmt.Sprintf("nn: dx of length %d for %d rows of %d", len(dx), rows, m.In()))
	}
	impl := blas32.Implementation()
	last := len(m.layers) - 1
	da := dy[:rows*m.Out()]
	for l := last; l >= 0; l-- {
		ly := m.layers[l]
		act := m.activation(l)
		dz := da
		if l != last || act != Identity {
			dz = ws.delta[l%2][:rows*ly.out]
			act.grad(dz, da, ws.z[l], ws.a[l])
		}
		prev := ws.x
		var dprev []float32
		if l > 0 {
			prev = ws.a[l-1]
			dprev = ws.delta[(l-1)%2][:rows*ly.in]
		} else if dx != nil {
			dprev = dx[:rows*ly.in]
		}
		for e := range m.members {
			r0, r1 := ws.offs[e], ws.offs[e+1]
			if r0 == r1 {
				continue
			}
			dze := dz[r0*ly.out : r1*ly.out]
			if weights {
				o := e*m.memberLen + ly.w
				impl.Sgemm(blas.Trans, blas.NoTrans, ly.in, ly.out, r1-r0,
					1, prev[r0*ly.in:r1*ly.in], ly.in, dze, ly.out,
					1, m.Grads[o:o+ly.in*ly.out], ly.out)
				o = e*m.memberLen + ly.b
				db := m.Grads[o : o+ly.out]
				for r := 0; r < len(dze); r += ly.out {
					for j, g := range dze[r : r+ly.out] {
						db[j] += g
					}
				}
			}
			if dprev != nil {
				impl.Sgemm(blas.NoTrans, blas.Trans, r1-r0, ly.in, ly.out,
					1, dze, ly.out, m.Weights(e, l), ly.out,
					0, dprev[r0*ly.in:r1*ly.in], ly.in)
			}
		}
		da = dprev
	}
}

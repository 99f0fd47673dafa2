// Package replay holds transition replay buffers for model-based and
// model-free learners (PETS, PDDM, SAC, MBPO, Dyna).
//
// A Buffer stores transitions (obs, act, reward, next, terminated) in
// preallocated row-major float64 storage. With a capacity it is a ring that
// overwrites its oldest transitions, as SAC's and MBPO's buffers do; without
// one it grows without bound, as PETS's dataset does. Sampling draws from an
// explicit *rand.Rand, and Save/Load round-trip a buffer exactly so that a
// training run can resume.
package replay

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Transition is one step obs --act--> next with its reward. Terminated
// reports that next ended the episode by the task's own end (a fall, a
// drop): a value target must not bootstrap from it. A time limit is not a
// termination.
type Transition struct {
	Obs        []float64
	Act        []float64
	Reward     float64
	Next       []float64
	Terminated bool
}

// Buffer is a replay buffer of transitions of fixed observation and action
// widths. It is not safe for concurrent use.
type Buffer struct {
	obsDim, actDim int
	capacity       int // 0: unbounded

	obs, act, next []float64
	reward         []float64
	term           []bool
	start, n       int // ring: oldest row and number of rows
	added          int // transitions ever added
}

// New returns an empty buffer for observations of obsDim and actions of
// actDim values. capacity is the number of transitions kept, the oldest
// being overwritten first; 0 means unbounded.
func New(obsDim, actDim, capacity int) (*Buffer, error) {
	if obsDim < 1 || actDim < 1 || capacity < 0 {
		return nil, fmt.Errorf("replay: obs width %d, action width %d, capacity %d: want positive widths and a non-negative capacity", obsDim, actDim, capacity)
	}
	return &Buffer{obsDim: obsDim, actDim: actDim, capacity: capacity}, nil
}

// ObsDim returns the observation width.
func (b *Buffer) ObsDim() int { return b.obsDim }

// ActDim returns the action width.
func (b *Buffer) ActDim() int { return b.actDim }

// Capacity returns the capacity, 0 for an unbounded buffer.
func (b *Buffer) Capacity() int { return b.capacity }

// Len returns the number of transitions held.
func (b *Buffer) Len() int { return b.n }

// Added returns the number of transitions ever added, including those
// overwritten.
func (b *Buffer) Added() int { return b.added }

// Add appends a transition, copying its slices. It returns an error, and
// changes nothing, if a slice has the wrong length.
func (b *Buffer) Add(t Transition) error {
	if len(t.Obs) != b.obsDim || len(t.Next) != b.obsDim || len(t.Act) != b.actDim {
		return fmt.Errorf("replay: transition with obs %d, next %d, act %d values, want %d, %d, %d",
			len(t.Obs), len(t.Next), len(t.Act), b.obsDim, b.obsDim, b.actDim)
	}
	if b.capacity == 0 || b.n < b.capacity {
		// Still filling: the oldest row is 0 and storage grows.
		b.obs = append(b.obs, t.Obs...)
		b.act = append(b.act, t.Act...)
		b.next = append(b.next, t.Next...)
		b.reward = append(b.reward, t.Reward)
		b.term = append(b.term, t.Terminated)
		b.n++
		b.added++
		return nil
	}
	row := b.start
	b.start = (b.start + 1) % b.capacity
	copy(b.obs[row*b.obsDim:], t.Obs)
	copy(b.act[row*b.actDim:], t.Act)
	copy(b.next[row*b.obsDim:], t.Next)
	b.reward[row] = t.Reward
	b.term[row] = t.Terminated
	b.added++
	return nil
}

// row maps the i-th oldest transition to its storage row.
func (b *Buffer) row(i int) int {
	if i < 0 || i >= b.n {
		panic(fmt.Sprintf("replay: index %d out of range [0, %d)", i, b.n))
	}
	if b.capacity == 0 {
		return i
	}
	return (b.start + i) % b.capacity
}

// At returns the i-th oldest transition. Its slices are views into the
// buffer, valid until the next Add or Load: copy them to keep them. At
// panics if i is out of range.
func (b *Buffer) At(i int) Transition {
	r := b.row(i)
	return Transition{
		Obs:        b.obs[r*b.obsDim : (r+1)*b.obsDim : (r+1)*b.obsDim],
		Act:        b.act[r*b.actDim : (r+1)*b.actDim : (r+1)*b.actDim],
		Reward:     b.reward[r],
		Next:       b.next[r*b.obsDim : (r+1)*b.obsDim : (r+1)*b.obsDim],
		Terminated: b.term[r],
	}
}

// Batch is a minibatch of transitions in row-major matrices.
type Batch struct {
	Obs, Act, Next []float64 // n×ObsDim, n×ActDim, n×ObsDim
	Reward         []float64 // n
	Terminated     []bool    // n
}

// ErrEmpty is returned by Sample on an empty buffer.
var ErrEmpty = errors.New("replay: sample from an empty buffer")

// Sample draws n transitions uniformly with replacement, using rng only,
// into dst (whose slices are reused when large enough). It returns ErrEmpty
// for an empty buffer.
func (b *Buffer) Sample(rng *rand.Rand, n int, dst *Batch) error {
	if b.n == 0 {
		return ErrEmpty
	}
	if n < 0 {
		return fmt.Errorf("replay: sample of %d transitions", n)
	}
	dst.Obs = resize(dst.Obs, n*b.obsDim)
	dst.Act = resize(dst.Act, n*b.actDim)
	dst.Next = resize(dst.Next, n*b.obsDim)
	dst.Reward = resize(dst.Reward, n)
	if cap(dst.Terminated) < n {
		dst.Terminated = make([]bool, n)
	}
	dst.Terminated = dst.Terminated[:n]
	for k := range n {
		t := b.At(rng.IntN(b.n))
		copy(dst.Obs[k*b.obsDim:], t.Obs)
		copy(dst.Act[k*b.actDim:], t.Act)
		copy(dst.Next[k*b.obsDim:], t.Next)
		dst.Reward[k] = t.Reward
		dst.Terminated[k] = t.Terminated
	}
	return nil
}

// resize returns s resized to n, reusing its storage when it can.
func resize(s []float64, n int) []float64 { return slices.Grow(s[:0], n)[:n] }

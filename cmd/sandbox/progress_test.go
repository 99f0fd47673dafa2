package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// lineWriter hands each write to the test, which waits for it.
type lineWriter chan string

func (w lineWriter) Write(b []byte) (int, error) {
	w <- string(b)
	return len(b), nil
}

// Off a terminal, progress is one line per tick, with the rate since the
// start and the time left at that rate; the ticks carry a fake clock.
func TestProgressLinesInAPipe(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ticks, out := make(chan time.Time), make(lineWriter)
	stopped := false
	p := progress{lines: startLines(out, "train", 0, 15000, "steps", t0, ticks, func() { stopped = true })}
	tick := func(d time.Duration) string {
		ticks <- t0.Add(d)
		return <-out
	}
	assert.Equal(t, "train: 0/15000 steps (0%), 0 steps/s, ETA unknown\n", tick(30*time.Second))
	p.Add(1200)
	assert.Equal(t, "train: 1200/15000 steps (8%), 20.0 steps/s, ETA 11m30s\n", tick(time.Minute))
	p.Add(1200)
	assert.Equal(t, "train: 2400/15000 steps (16%), 4.0 steps/s, ETA 52m30s\n", tick(10*time.Minute))
	p.Add(12600)
	assert.Equal(t, "train: 15000/15000 steps (100%), 12.5 steps/s, ETA 0s\n", tick(20*time.Minute))
	p.Finish()
	assert.True(t, stopped, "Finish stops the ticker")
}

// A resumed run's rate counts only the steps of this process.
func TestProgressOfAResumedRun(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ticks, out := make(chan time.Time), make(lineWriter)
	p := progress{lines: startLines(out, "train", 9000, 15000, "steps", t0, ticks, func() {})}
	p.Add(60)
	ticks <- t0.Add(30 * time.Second)
	assert.Equal(t, "train: 9060/15000 steps (60%), 2.0 steps/s, ETA 49m30s\n", <-out)
	p.Add(1)
	ticks <- t0.Add(2 * time.Hour) // 61 steps in 7200 s: 5939 more take 700997 s
	assert.Equal(t, "train: 9061/15000 steps (60%), 0.0085 steps/s, ETA 194h43m\n", <-out)
	p.Finish()
}

// A writer that is not a terminal gets lines, and nothing before the
// first interval.
func TestProgressOffATerminalPrintsLines(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "eval", 0, 10, "episodes")
	p.Add(10)
	p.Finish()
	assert.Nil(t, p.bar)
	assert.NotNil(t, p.lines)
	assert.Empty(t, buf.String(), "a run shorter than %v prints no line", progressEvery)
}

func TestShortDurationAndRate(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{-time.Second, "0s"},
		{1400 * time.Millisecond, "1s"},
		{59*time.Second + 600*time.Millisecond, "1m00s"},
		{5*time.Minute + 45*time.Second, "5m45s"},
		{59*time.Minute + 59*time.Second + 700*time.Millisecond, "1h00m"},
		{time.Hour + 14*time.Minute + 20*time.Second, "1h14m"},
		{26 * time.Hour, "26h00m"},
	} {
		assert.Equal(t, tc.want, shortDuration(tc.d), "shortDuration(%v)", tc.d)
	}
	for _, tc := range []struct {
		r    float64
		want string
	}{{0, "0"}, {0.0523, "0.052"}, {3.14, "3.1"}, {99.94, "99.9"}, {1234.5, "1234"}} {
		assert.Equal(t, tc.want, shortRate(tc.r), "shortRate(%v)", tc.r)
	}
}

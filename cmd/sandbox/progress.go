package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressEvery is the interval between progress lines off a terminal.
const progressEvery = 30 * time.Second

// progress shows long work on stderr: on a terminal a bar with rate and ETA;
// elsewhere (a pipe, a log file) one line every progressEvery, so that a
// long run in a pipe still says how far it is:
//
//	train: 1200/15000 steps (8%), 3.1 steps/s, ETA 1h14m
type progress struct {
	bar    *progressbar.ProgressBar // on a terminal
	*lines                          // elsewhere
}

// newProgress starts a progress display of total units labelled label
// ("train"), done of which are done already (a resumed run).
func newProgress(w io.Writer, label string, done, total int, unit string) progress {
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetItsString(unit),
			progressbar.OptionShowIts(),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
		_ = bar.Add(done)
		return progress{bar: bar}
	}
	t := time.NewTicker(progressEvery)
	return progress{lines: startLines(w, label, done, total, unit, time.Now(), t.C, t.Stop)}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// Add records n more units done.
func (p progress) Add(n int) {
	if p.bar != nil {
		_ = p.bar.Add(n)
	} else {
		p.lines.add(n)
	}
}

// Finish ends the display: it clears the bar, or stops the lines.
func (p progress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	} else {
		p.lines.finish()
	}
}

// lines writes a progress line at every tick, reading the time from the
// tick, so that a test drives it with a fake clock.
type lines struct {
	w                  io.Writer
	label, unit        string
	total, done, first int
	start              time.Time

	mu     sync.Mutex
	stop   func()
	quit   chan struct{}
	exited chan struct{}
}

func startLines(w io.Writer, label string, done, total int, unit string, start time.Time, ticks <-chan time.Time, stop func()) *lines {
	l := &lines{w: w, label: label, unit: unit, total: total, done: done, first: done, start: start,
		stop: stop, quit: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		defer close(l.exited)
		for {
			select {
			case now := <-ticks:
				l.mu.Lock()
				line := l.line(now)
				l.mu.Unlock()
				fmt.Fprintln(w, line)
			case <-l.quit:
				return
			}
		}
	}()
	return l
}

func (l *lines) add(n int) {
	l.mu.Lock()
	l.done += n
	l.mu.Unlock()
}

// finish stops the ticks and waits for the last line to be written.
func (l *lines) finish() {
	l.stop()
	close(l.quit)
	<-l.exited
}

// line is the progress at now: done of total, the rate since the start and
// the time the rest takes at that rate.
func (l *lines) line(now time.Time) string {
	elapsed := now.Sub(l.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(l.done-l.first) / elapsed
	}
	eta := "unknown"
	if rate > 0 {
		eta = shortDuration(time.Duration(float64(l.total-l.done) / rate * float64(time.Second)))
	}
	pct := 0
	if l.total > 0 {
		pct = 100 * l.done / l.total
	}
	return fmt.Sprintf("%s: %d/%d %s (%d%%), %s %s/s, ETA %s", l.label, l.done, l.total, l.unit, pct, shortRate(rate), l.unit, eta)
}

// shortRate prints a rate with two or three significant digits.
func shortRate(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f", r)
	case r >= 1:
		return fmt.Sprintf("%.1f", r)
	case r > 0:
		return fmt.Sprintf("%.2g", r)
	}
	return "0"
}

// shortDuration prints d to the minute above an hour and to the second
// below: 1h14m, 5m45s, 12s.
func shortDuration(d time.Duration) string {
	d = max(0, d.Round(time.Second))
	switch {
	case d >= time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%ds", int(d.Seconds()))
}

package main

import (
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"

	"sandbox/tasks"
)

// progress is a bar with rate and ETA on a terminal, and silent in pipes.
type progress struct{ bar *progressbar.ProgressBar }

func newProgress(total int, unit string) progress {
	fi, err := os.Stderr.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return progress{}
	}
	return progress{progressbar.NewOptions(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)}
}

func (p progress) Add(n int) {
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

func (p progress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func knownTasks() string { return strings.Join(tasks.IDs(), ", ") }

package session

import (
	"errors"

	"sandbox/internal/cli"
	"sandbox/tasks"
)

// InputError classifies an error of New (or of building a task or a
// controller) for the command line: a usage error (status 2) for what the
// user typed (an unknown task, a controller spec, a config or checkpoint
// it names), a run failure (status 1) for a registered task that does not
// build, which is a mistake in the task's code (tasks.ErrBrokenTask).
func InputError(err error) error {
	if err == nil || errors.Is(err, tasks.ErrBrokenTask) {
		return err
	}
	return cli.Usage(err)
}

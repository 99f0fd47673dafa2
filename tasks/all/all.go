// Package all links every task package outside the tasks package into the
// binaries: both cmd/sandbox and cmd/sandbox-view import it, so a task
// listed here is known to eval, train, record and view alike. Importing a
// task package runs its init, which registers its tasks (tasks.Register).
//
// `sandbox new-task NAME` adds its package to the list; add a package of
// your own by hand with one more blank import (docs/adding-a-task.md).
package all

import (
	_ "sandbox/examples/pendulum"
)

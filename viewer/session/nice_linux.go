package session

import (
	"runtime"
	"syscall"
)

// lowerPriority pins the calling goroutine to its thread and lowers that
// thread's scheduling priority (nice +5), so that under load the window's
// thread wins over the physics and a planner that plans on this thread.
// It is best effort: a failure leaves the priority as it was.
func lowerPriority() {
	runtime.LockOSThread()
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 5)
}

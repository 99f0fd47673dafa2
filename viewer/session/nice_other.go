//go:build !linux

package session

// lowerPriority does nothing where threads have no portable nice value.
func lowerPriority() {}

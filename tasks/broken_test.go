package tasks

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// brokenSpec is a task whose Spec has no actions: a mistake in its code.
type brokenSpec struct{ Task }

func (brokenSpec) Spec() Spec { return Spec{ID: "test-broken", Robot: "reacher", Steps: 10} }

func TestMakeTellsUnknownFromBroken(t *testing.T) {
	_, err := Make("no-such-task")
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrUnknownTask), "Make(unknown) = %v, want ErrUnknownTask", err)
	assert.False(t, errors.Is(err, ErrBrokenTask))

	regMu.Lock()
	registry["test-broken"] = func() Task { return brokenSpec{} }
	regMu.Unlock()
	t.Cleanup(func() {
		regMu.Lock()
		delete(registry, "test-broken")
		regMu.Unlock()
	})
	_, err = Make("test-broken")
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrBrokenTask), "Make(broken) = %v, want ErrBrokenTask", err)
	assert.False(t, errors.Is(err, ErrUnknownTask))
	assert.Equal(t, `tasks: task "test-broken": action dim 0, steps 10, control dt 0.1 must be positive`, err.Error())
}

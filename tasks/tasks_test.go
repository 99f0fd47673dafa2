package tasks_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/tasks"
	"sandbox/tasks/taskstest"
)

func TestConformance(t *testing.T) {
	require.NotEmpty(t, tasks.IDs())
	for _, id := range tasks.IDs() {
		t.Run(id, func(t *testing.T) { taskstest.Run(t, id) })
	}
}

func TestUnknownTaskNamesTheKnownOnes(t *testing.T) {
	_, err := tasks.Make("no-such-task")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown task "no-such-task"`)
	assert.Contains(t, err.Error(), "reacher")
}

// The built-in tasks show their goals in the viewer.
var _ tasks.Drawer = &tasks.Reacher{}

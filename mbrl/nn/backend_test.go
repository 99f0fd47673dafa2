package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBackend(t *testing.T) {
	assert.Equal(t, wantBackend, Backend())
}

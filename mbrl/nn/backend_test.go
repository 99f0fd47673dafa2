package nn

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBackend(t *testing.T) {
	assert.Equal(t, wantBackend, Backend())
	// OpenBLAS names the core its kernels are for; the pure-Go backend none.
	assert.Equal(t, wantBackend == "netlib", BLASCore() != "", "core %q", BLASCore())
}

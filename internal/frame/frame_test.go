package frame

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRoundTripAndEveryCorruption(t *testing.T) {
	var b bytes.Buffer
	payload := []byte("some payload bytes")
	require.NoError(t, Write(&b, "SBXTEST1", 3, payload))
	b.WriteString("trailing")
	r := bytes.NewReader(b.Bytes())
	got, err := Read(r, "SBXTEST1", 3)
	require.NoError(t, err)
	assert.Equal(t, payload, got)
	assert.Equal(t, len("trailing"), r.Len(), "reads exactly its frame")

	good := b.Bytes()[:b.Len()-len("trailing")]
	for n := range len(good) {
		_, err := Read(bytes.NewReader(good[:n]), "SBXTEST1", 3)
		assert.True(t, errors.Is(err, ErrCorrupt), "truncated to %d bytes: %v", n, err)
	}
	for i := range len(good) {
		for bit := range 8 {
			bad := bytes.Clone(good)
			bad[i] ^= 1 << bit
			_, err := Read(bytes.NewReader(bad), "SBXTEST1", 3)
			assert.True(t, errors.Is(err, ErrCorrupt), "bit %d of byte %d flipped: %v", bit, i, err)
		}
	}
	_, err = Read(bytes.NewReader(good), "SBXTEST1", 4)
	assert.ErrorContains(t, err, "version 3, want 4")
	assert.Error(t, Write(&b, "short", 1, nil))
}

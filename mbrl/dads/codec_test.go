package dads

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/frame"
	"sandbox/tasks"
)

// TestLoadOldFiles loads a skill dynamics model and a learner saved by the
// sandbox of before the common codec (testdata/dads-*-v1.bin), whose
// networks, policy and buffer are in the unframed layouts of then, and
// checks that they save again and load back the same.
func TestLoadOldFiles(t *testing.T) {
	stream, err := os.ReadFile("testdata/dads-dynamics-v1.bin")
	require.NoError(t, err)
	d, err := LoadDynamics(bytes.NewReader(stream))
	require.NoError(t, err)
	assert.Equal(t, [3]int{2, 2, 3}, [3]int{d.StateDim(), d.SkillDim(), d.Config().Horizon})
	var buf bytes.Buffer
	require.NoError(t, d.Save(&buf))
	e, err := LoadDynamics(&buf)
	require.NoError(t, err)
	assert.Equal(t, d.Config(), e.Config())
	assert.Equal(t, d.net.Params, e.net.Params)
	assert.Equal(t, d.in, e.in)
	assert.Equal(t, d.out, e.out)

	stream, err = os.ReadFile("testdata/dads-learner-v1.bin")
	require.NoError(t, err)
	env, err := tasks.Make("reacher")
	require.NoError(t, err)
	l, err := LoadLearner(bytes.NewReader(stream), env)
	require.NoError(t, err)
	assert.Equal(t, Counters{Iteration: 1, Episodes: 2, EnvSteps: 100}, l.Counters())
	assert.Equal(t, 60, l.Buffer().Len())
	buf.Reset()
	require.NoError(t, l.Save(&buf))
	m, err := LoadLearner(&buf, env)
	require.NoError(t, err)
	assert.Equal(t, l.Counters(), m.Counters())
	assert.Equal(t, l.Config(), m.Config())
	assert.Equal(t, l.Policy().Updates(), m.Policy().Updates())
	for i := range l.Buffer().Len() {
		assert.Equal(t, l.Buffer().At(i), m.Buffer().At(i))
	}
}

// TestReadSectionErrors: a damaged section's error wraps ErrCorrupt and
// frame's errors, and says what frame found.
func TestReadSectionErrors(t *testing.T) {
	_, err := LoadDynamics(bytes.NewReader([]byte("SBXDADSD")))
	assert.ErrorIs(t, err, ErrCorrupt)
	assert.True(t, errors.Is(err, frame.ErrCorrupt), "error %v does not wrap frame.ErrCorrupt", err)
	assert.EqualError(t, err, "dads: corrupt or truncated stream: SBXDADSD header of 12 bytes ends after 8")

	var b bytes.Buffer
	require.NoError(t, writeSection(&b, dynMagic, dynVersion+1, nil))
	_, err = LoadDynamics(&b)
	var ve *frame.VersionError
	assert.True(t, errors.As(err, &ve), "error %v is not a *frame.VersionError", err)
	assert.ErrorContains(t, err, "dads: corrupt or truncated stream: SBXDADSD format v2, this build reads v1 (made by a newer sandbox, or damaged)")
}

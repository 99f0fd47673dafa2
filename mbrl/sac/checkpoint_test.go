package sac

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/nn"
)

// stateDigest is the SHA-256 of an agent's learned state: the update
// count, log α, the networks' parameters and the optimisers' moments and
// step counts.
func stateDigest(a *Agent) string {
	h := sha256.New()
	binary.Write(h, binary.LittleEndian, int64(a.updates))
	binary.Write(h, binary.LittleEndian, a.logAlpha)
	for _, p := range [][]float32{a.actor.Params, a.critic.Params, a.target.Params} {
		binary.Write(h, binary.LittleEndian, p)
	}
	for _, o := range []*nn.Adam{&a.actorOpt, &a.criticOpt, &a.alphaOpt} {
		m, v, t := o.State()
		binary.Write(h, binary.LittleEndian, m)
		binary.Write(h, binary.LittleEndian, v)
		binary.Write(h, binary.LittleEndian, int64(t))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestLoadOldCheckpoints loads agents saved by the sandbox of before the
// common codec, whose networks are in nn's unframed version 1:
// testdata/sac-v2.bin (smallAgent(5) after three updates, its state's
// digest in sac-v2.sha256) and the policy part of a real MBPO run
// directory. Each saves again in today's layout and loads back the same.
func TestLoadOldCheckpoints(t *testing.T) {
	want, err := os.ReadFile("testdata/sac-v2.sha256")
	require.NoError(t, err)
	for _, tc := range []struct{ file, digest string }{
		{"testdata/sac-v2.bin", strings.TrimSpace(string(want))},
		{"testdata/run-mbpo-policy-v2.bin", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			stream, err := os.ReadFile(tc.file)
			require.NoError(t, err)
			a, err := Load(bytes.NewReader(stream))
			require.NoError(t, err)
			if tc.digest != "" {
				assert.Equal(t, tc.digest, stateDigest(a))
			}
			var buf bytes.Buffer
			require.NoError(t, a.Save(&buf))
			b, err := Load(&buf)
			require.NoError(t, err)
			assert.Equal(t, a.Config(), b.Config())
			assert.Equal(t, stateDigest(a), stateDigest(b))
		})
	}
}

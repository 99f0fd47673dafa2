//go:build xvfb

// Run under a display:
//
//	xvfb-run -a -s "-screen 0 1280x800x24" go test -tags xvfb ./viewer/... ./cmd/sandbox-view/...
package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	code           int
	stderr, shot   string
	usageCode      int
	usageStderrMsg string
)

// TestMain runs the command on the main goroutine, as ebiten requires.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sandbox-view")
	if err != nil {
		panic(err)
	}
	shot = filepath.Join(dir, "shot.png")
	var out, errOut, uOut, uErr bytes.Buffer
	usageCode = run([]string{"--task", "reacher", "--controller", "telepathy"}, &uOut, &uErr)
	usageStderrMsg = uErr.String()
	code = run([]string{"--task", "reacher", "--controller", "oracle", "--frames", "20", "--width", "400", "--height", "300",
		"--screenshot", shot}, &out, &errOut)
	stderr = errOut.String()
	rc := m.Run()
	os.RemoveAll(dir)
	os.Exit(rc)
}

func TestViewRunsTheOracleAndReportsTheFrameRate(t *testing.T) {
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "20 frames")
	assert.Contains(t, stderr, "FPS")
	f, err := os.Open(shot)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, 400, img.Bounds().Dx())
}

func TestBadControllerIsAUsageError(t *testing.T) {
	assert.Equal(t, 2, usageCode)
	assert.Contains(t, usageStderrMsg, "telepathy")
}

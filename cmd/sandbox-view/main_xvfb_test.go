//go:build xvfb

// Run under a display:
//
//	xvfb-run -a -s "-screen 0 1280x800x24" go test -tags xvfb ./viewer/... ./cmd/sandbox-view/...
package main

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/mbrl/nn"
)

var (
	code           int
	stderr, shot   string
	usageCode      int
	usageStderrMsg string
)

// argsEnv makes the test binary run the viewer with these arguments
// (space-separated) and exit: ebiten runs one game per process, so a test
// that needs another view starts the binary again.
const argsEnv = "SANDBOX_VIEW_TEST_ARGS"

// TestMain runs the command on the main goroutine, as ebiten requires.
func TestMain(m *testing.M) {
	if args := os.Getenv(argsEnv); args != "" {
		os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
	}
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

// viewAgain runs the viewer in a new process with args and returns the
// real-time factor it reports at exit and its stderr.
func viewAgain(t *testing.T, args ...string) (float64, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), argsEnv+"="+strings.Join(args, " "))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	m := regexp.MustCompile(`real-time factor ([0-9.]+)`).FindSubmatch(out)
	require.NotNil(t, m, "no real-time factor in %s", out)
	rtf, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err)
	return rtf, string(out)
}

// make view: the reacher's best zoo agent in real time (the Runner's
// factor over the last two seconds, at exit), and a screenshot of it.
// It needs the binary make view runs: the OpenBLAS build (make test runs
// the window tests with -tags 'xvfb netlib'); the pure-Go BLAS plans several
// times slower. The first seconds load the agent and warm the planner up,
// so it runs for 600 frames (10 s at 60 FPS) before the factor is read.
func TestViewShowsTheZooAgentInRealTime(t *testing.T) {
	if nn.Backend() != "netlib" {
		t.Skip("real time needs the OpenBLAS build (-tags netlib), as make view builds it")
	}
	png := filepath.Join(t.TempDir(), "zoo.png")
	rtf, out := viewAgain(t, "--task", "reacher", "--controller", "zoo:best", "--frames", "600", "--screenshot", png)
	t.Logf("%s", out)
	assert.GreaterOrEqual(t, rtf, 0.95, "real-time factor of the zoo agent")
	assert.FileExists(t, png)
}

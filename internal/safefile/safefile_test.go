package safefile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/safefile"
)

func TestWriteReplacesAndLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.json")
	require.NoError(t, safefile.Write(path, []byte("one")))
	require.NoError(t, safefile.Write(path, []byte("two")))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only the target is left")
}

func TestWriteFailureKeepsTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.json")
	require.NoError(t, safefile.Write(path, []byte("one")))
	// A directory where the temporary file would go makes the write fail.
	require.NoError(t, os.Mkdir(path+".tmp", 0o755))
	assert.Error(t, safefile.Write(path, []byte("two")))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one", string(got))
}

func ExampleWrite() {
	path := filepath.Join(os.TempDir(), "safefile-example.txt")
	defer os.Remove(path)
	if err := safefile.Write(path, []byte("metrics")); err != nil {
		panic(err)
	}
	b, _ := os.ReadFile(path)
	fmt.Println(string(b))
	// Output: metrics
}

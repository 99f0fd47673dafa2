// Package frametest checks a loader of framed files (internal/frame)
// against hostile input: the fuzz tests of every package that saves
// through the codec share it.
package frametest

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"sandbox/internal/frame"
)

// Inputs returns data as a stream and framed as the payload of magic and
// version, which gets it past the checksum to the part's own decoding.
func Inputs(t testing.TB, data []byte, magic string, version uint32) [][]byte {
	t.Helper()
	var framed bytes.Buffer
	if err := frame.Write(&framed, magic, version, data); err != nil {
		t.Fatal(err)
	}
	return [][]byte{data, framed.Bytes()}
}

// Load calls load on data and fails t unless it returns a value or an
// error wrapping frame.ErrCorrupt, allocating at most 16 bytes per input
// byte plus 64 KiB: a loader holds the payload and what it decodes, each
// about the input's size, bytes.Buffer and append may double them, and
// the constant covers small fixed allocations and the legacy reader's
// first chunk. It reports whether a value was loaded.
func Load[T any](t testing.TB, data []byte, load func(io.Reader) (T, error)) (T, bool) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := load(bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16*uint64(len(data))+64<<10 {
		t.Fatalf("Load of %d bytes allocated %d", len(data), alloc)
	}
	if err != nil {
		if !errors.Is(err, frame.ErrCorrupt) {
			t.Fatalf("Load error = %v, want ErrCorrupt", err)
		}
		return v, false
	}
	return v, true
}

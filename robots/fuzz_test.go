package robots

import (
	"io/fs"
	"strings"
	"testing"

	"sandbox/assets"
)

// FuzzParse feeds Parse arbitrary bytes: it must return a model or an
// error, never panic, and a model it returns must build. The corpus is
// the embedded models plus testdata/fuzz/FuzzParse; go test runs only
// those, go test -fuzz FuzzParse ./robots searches further.
func FuzzParse(f *testing.F) {
	names, _ := fs.Glob(assets.FS, "robots/*.json")
	for _, n := range names {
		b, _ := fs.ReadFile(assets.FS, n)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.json", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse: error of several lines: %q", err)
			}
			return
		}
		if _, err := m.Build(); err != nil {
			t.Fatalf("Parse accepted a model that does not build: %v", err)
		}
	})
}

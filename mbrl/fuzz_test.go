package mbrl

import (
	"io/fs"
	"strings"
	"testing"

	"sandbox/assets"
)

// FuzzParseConfig feeds ParseConfig and Validate arbitrary bytes: they
// must return a config or a one-line error, never panic or allocate what
// a config claims. The corpus is the embedded configs plus
// testdata/fuzz/FuzzParseConfig; go test runs only those, go test -fuzz
// FuzzParseConfig ./mbrl searches further.
func FuzzParseConfig(f *testing.F) {
	names, _ := fs.Glob(assets.FS, "configs/*.json")
	for _, n := range names {
		b, _ := fs.ReadFile(assets.FS, n)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err == nil {
			if c.Task == "" {
				c.Task = "reacher"
			}
			if c.Algo == "" {
				c.Algo = "pets"
			}
			err = c.Validate()
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of several lines: %q", err)
		}
	})
}

// Package safefile writes files atomically: into a temporary file beside
// the target, synced, then renamed over it, so that a reader (or a run
// resumed after a kill or a full disk) sees the old file or the new one,
// never a part of one.
package safefile

import (
	"fmt"
	"os"
)

// Write writes data to path atomically. On failure the target is left as
// it was and the temporary file is removed.
func Write(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("safefile: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("safefile: %w", err)
	}
	return nil
}

//go:build !unix

package mbrl

import "time"

// cpuTime is not available on this platform: it returns 0.
func cpuTime() time.Duration { return 0 }

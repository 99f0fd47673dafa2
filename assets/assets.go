// Package assets embeds the data files that ship with the binary: robot
// model files (robots/*.json) and default configurations (configs/).
package assets

import "embed"

// FS holds robots/*.json and configs/*.
//
//go:embed robots/*.json configs/*.json
var FS embed.FS

// Package assets embeds the data files that ship with the binary: robot
// model files (robots/*.json), default configurations (configs/) and the
// zoo of trained agents (zoo/).
package assets

import (
	"embed"
	"io/fs"
)

// FS holds robots/*.json and configs/*.
//
//go:embed robots/*.json configs/*.json
var FS embed.FS

//go:embed zoo
var zoo embed.FS

// Zoo returns the zoo of trained agents: zoo.json, the index that
// mbrl.OpenZoo reads, and one checkpoint directory per agent.
func Zoo() fs.FS {
	sub, err := fs.Sub(zoo, "zoo")
	if err != nil {
		panic(err) // "zoo" is a valid path: fs.Sub cannot fail
	}
	return sub
}

package assets_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"log"

	"sandbox/assets"
)

// The embedded files are read like those of any fs.FS: here the reacher's
// robot model, which robots.Load finds by name, and the default config
// that `sandbox train --algo pets --task reacher` starts from.
func Example() {
	read := func(name string, v any) {
		data, err := fs.ReadFile(assets.FS, name)
		if err != nil {
			log.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			log.Fatal(err)
		}
	}
	var robot struct{ Name string }
	read("robots/reacher.json", &robot)
	fmt.Println("robot:", robot.Name)

	var cfg struct{ Algo, Task string }
	read("configs/pets-reacher.json", &cfg)
	fmt.Println("config:", cfg.Algo, "on", cfg.Task)
	// Output:
	// robot: reacher
	// config: pets on reacher
}

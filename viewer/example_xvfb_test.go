//go:build xvfb

package viewer_test

import (
	"fmt"
	"log"

	"sandbox/mbrl"
	"sandbox/viewer"
	"sandbox/viewer/session"
)

// Run shows a session, here the reacher's scripted controller, until the
// window is closed or, as here, a number of frames has been drawn. It needs
// a display and the main goroutine.
//
// The example is compiled but not run (it has no Output comment): Ebiten
// runs one game per process, and in this test binary TestMain's smoke
// window is that game; a second Run crashes.
func ExampleRun() {
	s, err := session.New(session.Config{Task: "reacher", Controller: "scripted", Seed: 1, NewController: mbrl.NewController})
	if err != nil {
		log.Fatal(err)
	}
	res, err := viewer.Run(viewer.Options{Session: s, Width: 480, Height: 320, Frames: 300})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d frames, %.0f per second\n", res.Frames, res.MeanFPS)
}

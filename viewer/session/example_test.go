package session_test

import (
	"bytes"
	"fmt"
	"image/gif"

	"sandbox/mbrl"
	"sandbox/viewer/session"
)

// Record one reacher episode of the scripted controller as a GIF, headless.
func ExampleRecord() {
	s, err := session.New(session.Config{Task: "reacher", Controller: "scripted", Seed: 1, NewController: mbrl.NewController})
	if err != nil {
		fmt.Println(err)
		return
	}
	var buf bytes.Buffer
	res, err := session.Record(s, &buf, session.RecordConfig{Width: 200, Height: 120})
	if err != nil {
		fmt.Println(err)
		return
	}
	g, err := gif.DecodeAll(&buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d frames of %d×%d, %d/%d successes\n", len(g.Image), g.Config.Width, g.Config.Height, res.Successes, res.Episodes)
	// Output: 51 frames of 200×120, 1/1 successes
}

package main

import (
	"fmt"
	"io"

	"sandbox/tasks"
)

func init() {
	register(&command{name: "tasks", args: "[--json]", summary: "List the registered tasks.", run: runTasks})
}

type taskInfo struct {
	ID        string  `json:"id"`
	Robot     string  `json:"robot"`
	ObsDim    int     `json:"obs_dim"`
	ActionDim int     `json:"action_dim"`
	Steps     int     `json:"episode_steps"`
	ControlDt float64 `json:"control_dt"`
	Scripted  bool    `json:"scripted"`
	Doc       string  `json:"doc"`
}

func runTasks(c *command, args []string, out io.Writer) error {
	fs := newFlags(c)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := parse(c, fs, args, out); err != nil {
		return err
	}
	var infos []taskInfo
	for _, id := range tasks.IDs() {
		env, err := tasks.Make(id)
		if err != nil {
			return err
		}
		s := env.Spec()
		_, scripted := env.Task().(tasks.Scripter)
		infos = append(infos, taskInfo{ID: id, Robot: s.Robot, ObsDim: s.ObsDim(), ActionDim: s.ActionDim,
			Steps: s.Steps, ControlDt: s.ControlDt, Scripted: scripted, Doc: s.Doc})
	}
	if *asJSON {
		return printJSON(out, map[string]any{"tasks": infos})
	}
	fmt.Fprintf(out, "%-18s %5s %5s %6s %9s  %s\n", "TASK", "OBS", "ACT", "STEPS", "SCRIPTED", "DESCRIPTION")
	for _, t := range infos {
		fmt.Fprintf(out, "%-18s %5d %5d %6d %9v  %s\n", t.ID, t.ObsDim, t.ActionDim, t.Steps, t.Scripted, t.Doc)
	}
	return nil
}

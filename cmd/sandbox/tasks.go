package main

import (
	"fmt"

	"sandbox/internal/cli"
	"sandbox/tasks"
)

func init() {
	register(&cli.Command{
		Name:  "tasks",
		Usage: "[--json]",
		Short: "List the registered tasks.",
		Long: `Tasks lists the registered tasks: their ids (for --task), observation and
action sizes, episode length in control steps, whether they have a
scripted controller, the recommended learner (what sandbox train runs
without --algo; "-" while no learner solves the task), and what they ask
of the robot.`,
		Flags: tasksCmd.flags,
		Run:   tasksCmd.run,
	})
}

var tasksCmd tasksCommand

type tasksCommand struct{ json bool }

func (f *tasksCommand) flags(fs *cli.FlagSet) { fs.JSON(&f.json) }

type taskInfo struct {
	ID        string  `json:"id"`
	Robot     string  `json:"robot"`
	ObsDim    int     `json:"obs_dim"`
	ActionDim int     `json:"action_dim"`
	Steps     int     `json:"episode_steps"`
	ControlDt float64 `json:"control_dt"`
	Scripted  bool    `json:"scripted"`
	// Learner is the recommended training algorithm ("" while none
	// solves the task): what sandbox train runs without --algo.
	Learner string `json:"learner"`
	Doc     string `json:"doc"`
}

func (f *tasksCommand) run(inv *cli.Invocation) error {
	out := inv.Stdout
	var infos []taskInfo
	for _, id := range tasks.IDs() {
		env, err := tasks.Make(id)
		if err != nil {
			return err
		}
		s := env.Spec()
		_, scripted := env.Task().(tasks.Scripter)
		infos = append(infos, taskInfo{ID: id, Robot: s.Robot, ObsDim: s.ObsDim(), ActionDim: s.ActionDim,
			Steps: s.Steps, ControlDt: s.ControlDt, Scripted: scripted, Learner: s.Learner, Doc: s.Doc})
	}
	if f.json {
		return cli.PrintJSON(out, map[string]any{"tasks": infos})
	}
	fmt.Fprintf(out, "%-18s %5s %5s %6s %9s %8s  %s\n", "TASK", "OBS", "ACT", "STEPS", "SCRIPTED", "LEARNER", "DESCRIPTION")
	for _, t := range infos {
		learner := t.Learner
		if learner == "" {
			learner = "-"
		}
		fmt.Fprintf(out, "%-18s %5d %5d %6d %9v %8s  %s\n", t.ID, t.ObsDim, t.ActionDim, t.Steps, t.Scripted, learner, t.Doc)
	}
	return nil
}

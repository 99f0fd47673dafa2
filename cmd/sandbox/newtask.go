package main

import (
	"errors"
	"fmt"
	"strings"

	"sandbox/internal/cli"
	"sandbox/internal/scaffold"
	"sandbox/tasks"
)

func init() {
	register(&cli.Command{
		Name:  "new-task",
		Usage: "NAME",
		Short: "Write a new task: its robot model, task, conformance test and registration.",
		Long: `New-task writes the package tasks/PKG of a new task NAME (PKG is NAME
without its hyphens) in the sandbox's source tree around the working
directory: the robot model PKG.json, the task PKG.go and its test PKG_test.go,
and adds the package to tasks/all/all.go, the one list of task packages that
both binaries link. The task is a two-link arm pushing a puck on a table; it
builds, passes go test, and runs under eval, view, record and train as
written, ready to be changed into yours (docs/adding-a-task.md). NAME is
lower-case letters and digits, words joined by "-" (pusher,
two-link-pusher); a NAME that is already a task or a package, or whose
directory exists, is refused, and no file is ever overwritten.`,
		Args: []string{"NAME"},
		Run:  runNewTask,
	})
}

func runNewTask(inv *cli.Invocation) error {
	root, err := scaffold.Root(".")
	if err == nil {
		var files []string
		files, err = scaffold.New(root, inv.Args[0], tasks.IDs())
		if err == nil {
			n, _ := scaffold.NamesOf(inv.Args[0])
			fmt.Fprintf(inv.Stdout, "wrote %s\nnext:\n", strings.Join(files, ", "))
			fmt.Fprintf(inv.Stdout, "  go test ./tasks/%s/\n", n.Package)
			fmt.Fprintf(inv.Stdout, "  make build && bin/sandbox eval --task %s --controller random\n", n.ID)
			return nil
		}
	}
	var ue *scaffold.UsageError
	if errors.As(err, &ue) {
		return cli.Usage(err)
	}
	return err
}

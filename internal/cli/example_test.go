package cli_test

import (
	"fmt"
	"os"

	"sandbox/internal/cli"
)

func Example() {
	p := &cli.Program{Name: "sandbox", Summary: "a robotics sandbox", Known: cli.Known{
		Tasks:       func() []string { return []string{"claw-turn", "reacher"} },
		Controllers: "zero, random",
	}}
	var task, controller string
	var episodes int
	p.Register(&cli.Command{
		Name:  "eval",
		Usage: "--task T --controller C [--episodes N]",
		Short: "Run a controller on a task.",
		Flags: func(fs *cli.FlagSet) {
			fs.Task(&task)
			fs.Controller(&controller)
			fs.Episodes(&episodes, 10, 1000)
		},
		Run: func(inv *cli.Invocation) error {
			fmt.Fprintf(inv.Stdout, "%s with %s, %d episodes\n", task, controller, episodes)
			return nil
		},
	})
	code := p.Run([]string{"eval", "--task", "reacher", "--controller", "zero"}, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	code = p.Run([]string{"eval", "--task", "pusher", "--controller", "zero"}, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// reacher with zero, 10 episodes
	// exit 0
	// sandbox eval: --task: unknown task "pusher" (known: claw-turn, reacher) (see sandbox eval -h)
	// exit 2
}

// Command sandbox lists, evaluates, trains, compares, records, benchmarks and
// shows the robot tasks of the MBRL sandbox, and writes new ones.
//
//	sandbox tasks    [--json]
//	sandbox eval     --task T --controller C [--planner F] [--episodes N] [--seed S] [--json]
//	sandbox train    --task T [--algo A] [--steps N] [--seed S] [--out DIR] [--resume] [--config F] [--json]
//	sandbox compare  --task T --algos A,B,... [--steps N] [--seeds K] [--seed S] [--eval-every E] [--config F,...] --out DIR [--jobs J] [--json]
//	sandbox view     --task T --controller C [--seed S] [--frames N --screenshot F.png]
//	sandbox record   --task T --controller C [--planner F] --out F.gif [--episodes N] [--seed S]
//	sandbox bench    [--seconds D] [--json]
//	sandbox new-task NAME
//	sandbox zoo      [--json] [--retrain [--agent NAME] [--dir D]]
//
// `sandbox COMMAND -h` prints a command's help. Usage errors exit with
// status 2 and a one-line reason; run failures exit with status 1. Long runs
// draw a progress bar on a terminal and print a progress line every 30 s
// elsewhere (stderr). With --json the last line of stdout is one JSON
// object.
package main

import (
	"io"
	"log"
	"os"

	"sandbox/internal/cli"
	"sandbox/mbrl"
	"sandbox/tasks"
)

// program holds the subcommands; each file registers its own in an init.
var program = &cli.Program{
	Name:    "sandbox",
	Summary: "a robotics sandbox for model-based reinforcement learning",
	Known:   cli.Known{Tasks: tasks.IDs, Controllers: mbrl.KnownControllers(), Algos: mbrl.Algos},
}

// register adds a subcommand: a new file calls it from its init.
func register(c *cli.Command) { program.Register(c) }

func main() {
	log.SetFlags(0)
	log.SetPrefix("sandbox: ")
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int { return program.Run(args, stdout, stderr) }

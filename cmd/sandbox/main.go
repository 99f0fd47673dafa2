// Command sandbox runs, evaluates, trains, benchmarks and shows the robot
// tasks of the MBRL sandbox.
//
//	sandbox tasks  [--json]
//	sandbox eval   --task T --controller C [--episodes N] [--seed S] [--json]
//	sandbox bench  [--json]
//
// Usage errors exit with status 2 and a one-line reason; run failures exit
// with status 1.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"
)

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(c *command, args []string, out io.Writer) error
}

var commands []*command

func register(c *command) { commands = append(commands, c) }

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	log.SetFlags(0)
	log.SetPrefix("sandbox: ")
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	sort.Slice(commands, func(i, j int) bool { return commands[i].name < commands[j].name })
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name == args[0] {
			err := c.run(c, args[1:], stdout)
			var ue usageError
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.As(err, &ue):
				fmt.Fprintf(stderr, "sandbox %s: %v (see sandbox %s -h)\n", c.name, err, c.name)
				return 2
			default:
				fmt.Fprintf(stderr, "sandbox %s: %v\n", c.name, err)
				return 1
			}
		}
	}
	fmt.Fprintf(stderr, "sandbox: unknown command %q (known: %s)\n", args[0], strings.Join(commandNames(), ", "))
	return 2
}

func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "sandbox: a robotics sandbox for model-based reinforcement learning")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  sandbox %-7s %s\n", c.name, c.args)
	}
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'sandbox COMMAND -h' for a command's flags.")
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses flags, turning flag errors into usage errors and -h into
// printed help.
func parse(c *command, fs *flag.FlagSet, args []string, out io.Writer) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(out, "Usage: sandbox %s %s\n\n%s\n\nFlags:\n", c.name, c.args, c.summary)
			fs.SetOutput(out)
			fs.PrintDefaults()
			return flag.ErrHelp
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// printJSON writes v as one line: the last line of stdout with --json.
func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

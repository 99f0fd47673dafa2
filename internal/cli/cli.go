// Package cli is the command line shared by the sandbox's programs (cmd/sandbox
// and cmd/sandbox-view): one Command value per subcommand, carrying its usage
// line and help, and the flags common to several commands (--task,
// --controller, --seed, --episodes, --steps, --algo, --json, --out, …),
// each defined once here with its one check.
//
// It follows the Go tool. A usage error (a bad flag, a missing or unknown
// value) exits with status 2 and one line on stderr:
//
//	sandbox eval: --episodes 0 outside [1, 1000000] (see sandbox eval -h)
//
// A run failure exits with status 1 and one line, without the hint; -h
// prints the command's help on stdout and exits 0.
//
// The package imports no other part of the sandbox: a Program says what the
// flags accept in its Known (the task registry, the controller specs, the
// algorithms).
package cli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Command is one subcommand, in the style of the Go tool's base.Command.
type Command struct {
	// Name is the word after the program's name: "eval".
	Name string
	// Usage is the synopsis after the name: "--task T [--json]".
	Usage string
	// Short is the one line of the program's command list.
	Short string
	// Long is the help printed by -h above the flags; empty: Short.
	Long string
	// Args names the positional arguments the command takes after its
	// flags ("NAME"); each is required, and no others are accepted.
	Args []string
	// Flags defines the command's flags on fs. It is called on a new flag
	// set for every run, so each run starts from the defaults; nil: no
	// flags.
	Flags func(fs *FlagSet)
	// Run does the work once the flags are parsed and checked. An error
	// made by Usagef or Usage is a usage error (status 2); any other is a
	// run failure (status 1).
	Run func(inv *Invocation) error
}

// Invocation is one run of a command.
type Invocation struct {
	// Argv is the command line after the command's name, as given
	// (`sandbox view` hands it on to the viewer binary).
	Argv []string
	// Args are the positional arguments, one per Command.Args.
	Args []string
	// Stdout takes the results (with --json, a JSON object as the last
	// line); Stderr takes progress and diagnostics.
	Stdout, Stderr io.Writer
}

// Known is what the shared flags accept; a nil or empty field accepts any
// value.
type Known struct {
	// Tasks lists the registered task ids (tasks.IDs); it is called when
	// --task is checked, after every init has registered its tasks.
	Tasks func() []string
	// Controllers lists the controller specs, for help and errors
	// (mbrl.KnownControllers()).
	Controllers string
	// Algos lists the training algorithms (mbrl.Algos).
	Algos []string
}

// Program is a command made of subcommands: NAME COMMAND [flags] [args].
type Program struct {
	// Name prefixes every message: "sandbox".
	Name string
	// Summary is the first line of the program's usage.
	Summary string
	// Known is what the shared flags accept.
	Known Known

	commands []*Command // by name
}

// Register adds c to the program's commands. It panics if another command
// has c's name: that is a mistake in the program, not in its command line.
func (p *Program) Register(c *Command) {
	if p.Lookup(c.Name) != nil {
		panic(fmt.Sprintf("cli: command %q registered twice", c.Name))
	}
	i, _ := slices.BinarySearchFunc(p.commands, c.Name, func(c *Command, name string) int { return strings.Compare(c.Name, name) })
	p.commands = slices.Insert(p.commands, i, c)
}

// Commands returns the registered commands, by name.
func (p *Program) Commands() []*Command { return slices.Clone(p.commands) }

// Lookup returns the command called name, or nil.
func (p *Program) Lookup(name string) *Command {
	for _, c := range p.commands {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Run runs the command args[0] names with the rest of args, and returns the
// exit status. With no arguments it prints the program's usage and returns
// 2; with help, -h or --help it prints the usage and returns 0.
func (p *Program) Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		p.PrintUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := p.Lookup(args[0])
	if c == nil {
		names := make([]string, len(p.commands))
		for i, c := range p.commands {
			names[i] = c.Name
		}
		fmt.Fprintf(stderr, "%s: unknown command %q (known: %s)\n", p.Name, args[0], strings.Join(names, ", "))
		return 2
	}
	return p.RunCommand(c, args[1:], stdout, stderr)
}

// RunCommand runs c with args, the command line after its name, and returns
// the exit status: 0, 1 for a run failure, 2 for a usage error. c need not
// be registered: a binary that is one command of a program (sandbox-view is
// `sandbox view`) runs it this way.
func (p *Program) RunCommand(c *Command, args []string, stdout, stderr io.Writer) int {
	err := p.runCommand(c, args, stdout, stderr)
	var ue *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		// One line, whatever the message holds.
		msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
		fmt.Fprintf(stderr, "%s %s: %s (see %s %s -h)\n", p.Name, c.Name, msg, p.Name, c.Name)
		return 2
	default:
		fmt.Fprintf(stderr, "%s %s: %v\n", p.Name, c.Name, err)
		return 1
	}
}

func (p *Program) runCommand(c *Command, args []string, stdout, stderr io.Writer) error {
	fs := p.flagSet(c)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			p.printHelp(stdout, c, fs)
			return err
		}
		return Usage(err)
	}
	rest := fs.Args()
	switch {
	case len(rest) > len(c.Args):
		return Usagef("unexpected argument %q", rest[len(c.Args)])
	case len(rest) < len(c.Args):
		return Usagef("%s is required", c.Args[len(rest)])
	}
	for _, check := range fs.checks {
		if err := check(); err != nil {
			return Usage(err)
		}
	}
	return c.Run(&Invocation{Argv: args, Args: rest, Stdout: stdout, Stderr: stderr})
}

// flagSet returns c's flags on a new set that reports errors instead of
// printing them and exiting.
func (p *Program) flagSet(c *Command) *FlagSet {
	fs := &FlagSet{FlagSet: flag.NewFlagSet(p.Name+" "+c.Name, flag.ContinueOnError), known: p.Known}
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c.Flags != nil {
		c.Flags(fs)
	}
	return fs
}

// PrintUsage writes the program's usage: every command's synopsis and
// summary.
func (p *Program) PrintUsage(w io.Writer) {
	width := 0
	for _, c := range p.commands {
		width = max(width, len(c.Name))
	}
	fmt.Fprintf(w, "%s: %s\n", p.Name, p.Summary)
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range p.commands {
		fmt.Fprintf(w, "  %s %-*s %s\n", p.Name, width, c.Name, c.Usage)
	}
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range p.commands {
		fmt.Fprintf(w, "  %-*s %s\n", width+1, c.Name, c.Short)
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND -h' for a command's flags.\n", p.Name)
}

// printHelp writes c's help: what -h prints.
func (p *Program) printHelp(w io.Writer, c *Command, fs *FlagSet) {
	help := c.Long
	if help == "" {
		help = c.Short
	}
	fmt.Fprintf(w, "Usage: %s %s %s\n\n%s\n", p.Name, c.Name, c.Usage, strings.TrimSpace(help))
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
}

// UsageError is a mistake in the command line: the program exits with
// status 2 and the error's message, on one line.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usagef returns a usage error formatted as by fmt.Errorf (%w wraps).
func Usagef(format string, a ...any) error { return &UsageError{fmt.Errorf(format, a...)} }

// Usage marks err as a usage error; it returns nil for nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{err}
}

// PrintJSON writes v as one line: with --json, the last line of stdout.
func PrintJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

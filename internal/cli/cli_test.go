package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"sandbox/internal/cli"
)

// flags holds what the test program's commands parsed.
type flags struct {
	task, controller, algo, out string
	algos                       []string
	episodes, steps, w, h       int
	seed                        uint64
	json, contacts, candidates  bool
}

// testProgram is a program whose commands use every shared flag and print
// what they parsed.
func testProgram() (*cli.Program, *flags) {
	p := &cli.Program{Name: "prog", Summary: "a test program", Known: cli.Known{
		Tasks:       func() []string { return []string{"pendulum", "reacher"} },
		Controllers: "zero, random",
		Algos:       []string{"pets", "sac"},
	}}
	f := new(flags)
	print := func(inv *cli.Invocation) error {
		fmt.Fprintf(inv.Stdout, "%+v\n", *f)
		return nil
	}
	p.Register(&cli.Command{Name: "eval", Usage: "--task T --controller C [--episodes N] [--seed S] [--json]",
		Short: "Evaluate a controller.", Long: "Eval evaluates a controller on a task.",
		Flags: func(fs *cli.FlagSet) {
			fs.Task(&f.task)
			fs.Controller(&f.controller)
			fs.Episodes(&f.episodes, 10, 1_000_000)
			fs.Seed(&f.seed)
			fs.JSON(&f.json)
		}, Run: print})
	p.Register(&cli.Command{Name: "train", Usage: "--task T --algo A [--steps N] [--out DIR]", Short: "Train an agent.",
		Flags: func(fs *cli.FlagSet) {
			fs.Task(&f.task)
			fs.Algo(&f.algo)
			fs.Steps(&f.steps)
			fs.Out(&f.out, "run directory")
		}, Run: print})
	p.Register(&cli.Command{Name: "compare", Usage: "--task T --algos A,B", Short: "Compare algorithms.",
		Flags: func(fs *cli.FlagSet) {
			fs.Task(&f.task)
			fs.Algos(&f.algos)
		}, Run: print})
	p.Register(&cli.Command{Name: "record", Usage: "--task T --controller C [--width W --height H]", Short: "Record a GIF.",
		Flags: func(fs *cli.FlagSet) {
			fs.Task(&f.task)
			fs.Controller(&f.controller)
			fs.Episodes(&f.episodes, 1, 1000)
			fs.Size(&f.w, &f.h, image.Pt(640, 400), image.Pt(16, 16), image.Pt(4096, 4096))
			fs.Contacts(&f.contacts)
			fs.Candidates(&f.candidates)
		}, Run: print})
	p.Register(&cli.Command{Name: "new", Usage: "NAME", Short: "Scaffold a task.", Args: []string{"NAME"},
		Run: func(inv *cli.Invocation) error {
			fmt.Fprintf(inv.Stdout, "args %q argv %q\n", inv.Args, inv.Argv)
			return nil
		}})
	p.Register(&cli.Command{Name: "fail", Short: "Fail at run time.",
		Run: func(*cli.Invocation) error { return errors.New("disk full") }})
	p.Register(&cli.Command{Name: "refuse", Short: "Refuse its input at run time.",
		Run: func(*cli.Invocation) error { return cli.Usagef("no such %s:\nsecond line", "thing") }})
	return p, f
}

func runProg(args ...string) (code int, stdout, stderr string) {
	p, _ := testProgram()
	var out, errOut bytes.Buffer
	code = p.Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in the line, after "prog CMD: "
	}{
		{[]string{"eval", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"eval", "--task", "reacher", "--controller", "zero", "--seed", "-1"}, `invalid value "-1" for flag -seed: "-1" is not a decimal number (digits 0-9, no sign, prefix or leading zero)`},
		{[]string{"eval", "--task", "reacher", "--controller", "zero", "--seed", "0x10"}, `invalid value "0x10" for flag -seed: "0x10" is not a decimal number (digits 0-9, no sign, prefix or leading zero)`},
		{[]string{"eval", "--task", "reacher", "--controller", "zero", "--seed", "010"}, `invalid value "010" for flag -seed: "010" is not a decimal number (digits 0-9, no sign, prefix or leading zero)`},
		{[]string{"eval", "--task", "reacher", "--controller", "zero", "--seed", "18446744073709551616"}, `invalid value "18446744073709551616" for flag -seed: 18446744073709551616 is larger than 18446744073709551615`},
		{[]string{"eval", "--controller", "zero"}, "--task is required (known: pendulum, reacher)"},
		{[]string{"eval", "--task", "nope", "--controller", "zero"}, `--task: unknown task "nope" (known: pendulum, reacher)`},
		{[]string{"eval", "--task", "reacher"}, "--controller is required (known: zero, random)"},
		{[]string{"eval", "--task", "reacher", "--controller", "zero", "--episodes", "0"}, "--episodes 0 outside [1, 1000000]"},
		{[]string{"record", "--task", "reacher", "--controller", "zero", "--episodes", "1001"}, "--episodes 1001 outside [1, 1000]"},
		{[]string{"record", "--task", "reacher", "--controller", "zero", "--width", "8"}, "--width 8 / --height 400 outside [16, 4096] × [16, 4096]"},
		{[]string{"eval", "--task", "reacher", "--controller", "zero", "extra"}, `unexpected argument "extra"`},
		{[]string{"train", "--task", "reacher", "--algo", "sarsa"}, `--algo "sarsa": want one of pets, sac`},
		{[]string{"train", "--task", "reacher", "--algo", "pets", "--steps", "-5"}, "--steps -5 outside [0, 100000000]"},
		{[]string{"compare", "--task", "reacher"}, "--algos is required (known: pets, sac)"},
		{[]string{"compare", "--task", "reacher", "--algos", "pets,sarsa"}, `--algos: unknown algorithm "sarsa" (known: pets, sac)`},
		{[]string{"compare", "--task", "reacher", "--algos", "sac,sac"}, `--algos: "sac" listed twice`},
		{[]string{"new"}, "NAME is required"},
		{[]string{"new", "a", "b"}, `unexpected argument "b"`},
		{[]string{"refuse"}, "no such thing:; second line"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runProg(tc.args...)
			assert.Equal(t, 2, code, stderr)
			assert.Empty(t, stdout)
			cmd := tc.args[0]
			assert.Equal(t, fmt.Sprintf("prog %s: %s (see prog %s -h)\n", cmd, tc.want, cmd), stderr)
		})
	}
}

// Every command refuses a flag it does not have, the same way.
func TestABadFlagIsAUsageErrorForEveryCommand(t *testing.T) {
	p, _ := testProgram()
	for _, c := range p.Commands() {
		t.Run(c.Name, func(t *testing.T) {
			code, _, stderr := runProg(c.Name, "--no-such-flag")
			assert.Equal(t, 2, code)
			assert.Equal(t, fmt.Sprintf("prog %s: flag provided but not defined: -no-such-flag (see prog %s -h)\n", c.Name, c.Name), stderr)
		})
	}
}

func TestUnknownCommandNamesTheKnownOnes(t *testing.T) {
	code, _, stderr := runProg("frobnicate")
	assert.Equal(t, 2, code)
	assert.Equal(t, `prog: unknown command "frobnicate" (known: compare, eval, fail, new, record, refuse, train)`+"\n", stderr)
}

func TestRunFailureExits1WithoutTheHint(t *testing.T) {
	code, _, stderr := runProg("fail")
	assert.Equal(t, 1, code)
	assert.Equal(t, "prog fail: disk full\n", stderr)
}

func TestHelpExits0(t *testing.T) {
	p, _ := testProgram()
	for _, c := range p.Commands() {
		t.Run(c.Name, func(t *testing.T) {
			code, stdout, stderr := runProg(c.Name, "-h")
			assert.Equal(t, 0, code, stderr)
			assert.Empty(t, stderr)
			assert.True(t, strings.HasPrefix(stdout, "Usage: prog "+c.Name+" "+c.Usage+"\n\n"), "help starts with the usage line: %q", stdout)
			help := c.Long
			if help == "" {
				help = c.Short
			}
			assert.Contains(t, stdout, help)
			assert.Equal(t, c.Flags != nil, strings.Contains(stdout, "\nFlags:\n"), "a Flags section when there are flags: %q", stdout)
		})
	}
	code, stdout, _ := runProg("eval", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "-controller string\n    \tcontroller: zero, random")
	assert.Contains(t, stdout, "-episodes int\n    \tnumber of episodes (default 10)")
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, stdout, _ := runProg(args...)
		assert.Equal(t, 0, code, args)
		assert.Contains(t, stdout, "  prog compare --task T --algos A,B\n", args)
		assert.Contains(t, stdout, "  refuse   Refuse its input at run time.\n", args)
	}
	code, stdout, _ = runProg()
	assert.Equal(t, 2, code, "no command is a usage error")
	assert.Contains(t, stdout, "Usage:")
}

func TestEveryRunStartsFromTheDefaults(t *testing.T) {
	p, f := testProgram()
	var out bytes.Buffer
	require.Equal(t, 0, p.Run([]string{"eval", "--task", "reacher", "--controller", "zero", "--episodes", "3", "--seed", "7", "--json"}, &out, &out), out.String())
	assert.Equal(t, flags{task: "reacher", controller: "zero", episodes: 3, seed: 7, json: true}, *f)
	require.Equal(t, 0, p.Run([]string{"eval", "--task", "pendulum", "--controller", "random"}, &out, &out), out.String())
	assert.Equal(t, flags{task: "pendulum", controller: "random", episodes: 10, seed: 1}, *f)
	require.Equal(t, 0, p.Run([]string{"compare", "--task", "reacher", "--algos", "pets,sac"}, &out, &out), out.String())
	assert.Equal(t, []string{"pets", "sac"}, f.algos)
	require.Equal(t, 0, p.Run([]string{"record", "--task", "reacher", "--controller", "zero", "--contacts"}, &out, &out), out.String())
	assert.Equal(t, flags{task: "reacher", controller: "zero", algos: []string{"pets", "sac"}, episodes: 1, seed: 1, w: 640, h: 400, contacts: true}, *f,
		"record defines no --algos, so compare's stay; the rest are record's defaults")
}

func TestPositionalArguments(t *testing.T) {
	code, stdout, stderr := runProg("new", "gripper")
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, `args ["gripper"] argv ["gripper"]`+"\n", stdout)
}

// A program whose Known is empty accepts any task and algorithm (and still
// requires the task).
func TestEmptyKnownAcceptsAnyValue(t *testing.T) {
	p := &cli.Program{Name: "prog"}
	var task, algo string
	p.Register(&cli.Command{Name: "train", Flags: func(fs *cli.FlagSet) { fs.Task(&task); fs.Algo(&algo) },
		Run: func(*cli.Invocation) error { return nil }})
	var out bytes.Buffer
	assert.Equal(t, 0, p.Run([]string{"train", "--task", "anything", "--algo", "any"}, &out, &out), out.String())
	assert.Equal(t, 2, p.Run([]string{"train", "--algo", "any"}, &out, &out))
	assert.Equal(t, 0, p.Run([]string{"train", "--task", "anything"}, &out, &out), "--algo may be left to the command")
}

func TestRegisterTwicePanics(t *testing.T) {
	p := &cli.Program{Name: "prog"}
	p.Register(&cli.Command{Name: "eval"})
	assert.PanicsWithValue(t, `cli: command "eval" registered twice`, func() { p.Register(&cli.Command{Name: "eval"}) })
}

func TestUsageWraps(t *testing.T) {
	base := errors.New("tasks: unknown task")
	err := cli.Usage(fmt.Errorf("--task: %w", base))
	var ue *cli.UsageError
	require.ErrorAs(t, err, &ue)
	assert.ErrorIs(t, err, base)
	assert.ErrorIs(t, cli.Usagef("file: %w", base), base)
	assert.NoError(t, cli.Usage(nil))
}

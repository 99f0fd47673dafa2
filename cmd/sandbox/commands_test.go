package main

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command, a new one included, refuses a flag it lacks with exit
// status 2 and one line, and prints its help for -h.
func TestEveryCommandsUsageAndHelp(t *testing.T) {
	for _, c := range program.Commands() {
		t.Run(c.Name, func(t *testing.T) {
			code, _, stderr := sandbox(c.Name, "--no-such-flag")
			assert.Equal(t, 2, code)
			assert.Equal(t, "sandbox "+c.Name+": flag provided but not defined: -no-such-flag (see sandbox "+c.Name+" -h)\n", stderr)

			code, stdout, stderr := sandbox(c.Name, "-h")
			assert.Equal(t, 0, code, stderr)
			assert.True(t, strings.HasPrefix(stdout, "Usage: sandbox "+c.Name+" "+c.Usage+"\n"), "-h starts with the usage line: %q", stdout)
			assert.NotEmpty(t, c.Short)
		})
	}
}

// Every command that takes --task checks it against the registry first,
// naming the known ids.
func TestUnknownTaskListsTheKnownIDs(t *testing.T) {
	for _, c := range program.Commands() {
		if !strings.Contains(c.Usage, "--task") {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			code, _, stderr := sandbox(c.Name, "--task", "no-such-task")
			assert.Equal(t, 2, code)
			assert.Contains(t, stderr, `--task: unknown task "no-such-task" (known: `)
			assert.Contains(t, stderr, "reacher")
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		})
	}
}

// The package doc shows every command's usage line.
func TestPackageDocListsEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	require.NoError(t, err)
	doc := map[string]bool{}
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		doc[strings.Join(strings.Fields(line), " ")] = true
	}
	for _, c := range program.Commands() {
		line := "sandbox " + c.Name + " " + c.Usage
		assert.True(t, doc[strings.Join(strings.Fields(line), " ")], "the doc of main.go lacks %q", line)
	}
}

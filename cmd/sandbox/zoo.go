package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"sandbox/internal/cli"
	"sandbox/mbrl"
)

func init() {
	register(&cli.Command{
		Name:  "zoo",
		Usage: "[--json] [--retrain [--agent NAME] [--dir D]]",
		Short: "List the trained agents shipped with the binary (--controller zoo:NAME).",
		Long: `Zoo lists the trained agents embedded in the binary (assets/zoo): their
names (for --controller zoo:NAME, or zoo:best, in eval, view and record),
tasks and algorithms, the success rate recorded on held-out goals (the
episodes of ` + "`sandbox eval --seed EVAL_SEED`" + `), the training seed and
env steps, the checkpoint's size and the command that trained it.

With --retrain (make zoo) it trains every agent again with its command,
keeps the checkpoint without its replay buffer (an evaluation does not
read it), evaluates it on its held-out goals and rewrites the index in
--dir; rebuild the binaries afterwards to embed the new zoo.`,
		Flags: zooCmd.flags,
		Run:   zooCmd.run,
	})
}

var zooCmd zooCommand

type zooCommand struct {
	json, retrain bool
	agent, dir    string
}

func (f *zooCommand) flags(fs *cli.FlagSet) {
	fs.JSON(&f.json)
	fs.BoolVar(&f.retrain, "retrain", false, "train every agent again (or --agent's) and rewrite the zoo in --dir")
	fs.StringVar(&f.agent, "agent", "", "with --retrain, the one agent to retrain")
	fs.StringVar(&f.dir, "dir", filepath.Join("assets", "zoo"), "with --retrain, the zoo directory of the source tree")
}

func (f *zooCommand) run(inv *cli.Invocation) error {
	if f.retrain {
		return f.retrainZoo(inv)
	}
	agents := mbrl.CurrentZoo().Agents
	if agents == nil {
		agents = []mbrl.ZooAgent{}
	}
	if f.json {
		return cli.PrintJSON(inv.Stdout, map[string]any{"agents": agents})
	}
	out := inv.Stdout
	fmt.Fprintf(out, "%-16s %-10s %-5s %-12s %5s %7s %7s  %s\n", "NAME", "TASK", "ALGO", "SUCCESS", "SEED", "STEPS", "SIZE", "TRAINED WITH")
	for _, a := range agents {
		fmt.Fprintf(out, "%-16s %-10s %-5s %-12s %5d %7d %6.1fM  %s\n", a.Name, a.Task, a.Algo,
			fmt.Sprintf("%.0f%% of %d", 100*a.SuccessRate, a.Episodes), a.Seed, a.EnvSteps, float64(a.Bytes)/1e6, a.Command)
	}
	return nil
}

// retrainZoo trains the agents of the index in f.dir again and rewrites it.
func (f *zooCommand) retrainZoo(inv *cli.Invocation) error {
	z, err := mbrl.OpenZoo(os.DirFS(f.dir))
	if err != nil {
		return err
	}
	if f.agent != "" {
		if _, ok := z.Agent(f.agent); !ok {
			return cli.Usage(fmt.Errorf("--agent %q is not in %s (it has: %s)", f.agent, f.dir, strings.Join(z.Names(), ", ")))
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for i := range z.Agents {
		a := &z.Agents[i]
		if f.agent != "" && a.Name != f.agent {
			continue
		}
		if err := retrainAgent(self, f.dir, a, inv.Stderr); err != nil {
			return fmt.Errorf("zoo: %s: %w", a.Name, err)
		}
		b, err := json.MarshalIndent(z, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(f.dir, mbrl.ZooIndex), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// retrainAgent runs a's training into a scratch directory, copies its
// checkpoint without the replay buffer into dir/a.Dir and records its
// success on a's held-out goals.
func retrainAgent(self, dir string, a *mbrl.ZooAgent, log io.Writer) error {
	tmp, err := os.MkdirTemp("", "sandbox-zoo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	args := append(append([]string(nil), a.TrainArgs...), "--out", tmp)
	fmt.Fprintf(log, "zoo: %s: sandbox %s\n", a.Name, strings.Join(args, " "))
	train := exec.Command(self, args...)
	train.Stdout, train.Stderr = log, log
	if err := train.Run(); err != nil {
		return fmt.Errorf("training: %w", err)
	}
	var idx struct {
		Parts []struct{ Part, File string }
		State struct {
			EnvSteps int `json:"env_steps"`
		}
	}
	data, err := os.ReadFile(filepath.Join(tmp, "checkpoint.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		return err
	}
	dst := filepath.Join(dir, filepath.FromSlash(a.Dir))
	if err := os.RemoveAll(dst); err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	files := []string{"checkpoint.json"}
	for _, p := range idx.Parts {
		if p.Part != "buffer" {
			files = append(files, p.File)
		}
	}
	var size int64
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(tmp, filepath.Base(name)))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(name)), b, 0o644); err != nil {
			return err
		}
		size += int64(len(b))
	}
	eval := exec.Command(self, "eval", "--task", a.Task, "--controller", "ckpt:"+dst,
		"--episodes", fmt.Sprint(a.Episodes), "--seed", fmt.Sprint(a.EvalSeed), "--json")
	var out bytes.Buffer
	eval.Stdout, eval.Stderr = &out, log
	if err := eval.Run(); err != nil {
		return fmt.Errorf("evaluation: %w", err)
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	var res struct {
		SuccessRate *float64 `json:"success_rate"`
	}
	if err := json.Unmarshal(lines[len(lines)-1], &res); err != nil || res.SuccessRate == nil {
		return errors.Join(errors.New("evaluation printed no success rate"), err)
	}
	a.SuccessRate, a.EnvSteps, a.Bytes = *res.SuccessRate, idx.State.EnvSteps, size
	a.Command = "sandbox " + strings.Join(a.TrainArgs, " ") + " --out DIR"
	fmt.Fprintf(log, "zoo: %s: success %.2f on %d held-out goals (seed %d), %d bytes\n", a.Name, a.SuccessRate, a.Episodes, a.EvalSeed, size)
	return nil
}

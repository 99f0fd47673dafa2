package mbrl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"sandbox/control"
	"sandbox/tasks"
)

// ZooIndex is the zoo's index file in its file system.
const ZooIndex = "zoo.json"

// ZooAgent is one trained agent of a zoo: a checkpoint reduced to what
// its evaluation controller needs, with the figures it was shipped with.
type ZooAgent struct {
	Name string `json:"name"` // the NAME of --controller zoo:NAME
	Task string `json:"task"`
	Algo string `json:"algo"`
	// SuccessRate is the success rate on Episodes held-out goals of
	// `sandbox eval --seed EvalSeed` (episodes of the eval streams, never
	// seen in training).
	SuccessRate float64 `json:"success_rate"`
	Episodes    int     `json:"episodes"`
	EvalSeed    uint64  `json:"eval_seed"`
	Seed        uint64  `json:"seed"`      // training seed
	EnvSteps    int     `json:"env_steps"` // real transitions trained on
	// TrainArgs are the arguments of the sandbox command that trained it
	// (`make zoo` runs them again, with --out); Command is that command
	// line, and Config the config file it ran.
	TrainArgs []string `json:"train_args"`
	Command   string   `json:"command"`
	Config    string   `json:"config"`
	// Dir holds the checkpoint in the zoo's file system; Bytes is its size.
	Dir   string `json:"dir"`
	Bytes int64  `json:"bytes"`
}

// Zoo is a set of trained agents in a file system (the binaries ship
// assets.Zoo): an index, ZooIndex, and one checkpoint directory per agent.
type Zoo struct {
	fsys   fs.FS
	Agents []ZooAgent `json:"agents"`
}

// OpenZoo reads the zoo index of fsys.
func OpenZoo(fsys fs.FS) (*Zoo, error) {
	data, err := fs.ReadFile(fsys, ZooIndex)
	if err != nil {
		return nil, fmt.Errorf("mbrl: zoo: %w", err)
	}
	z := &Zoo{fsys: fsys}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(z); err != nil {
		return nil, fmt.Errorf("mbrl: zoo: %s: %w", ZooIndex, err)
	}
	seen := map[string]bool{}
	for _, a := range z.Agents {
		switch {
		case a.Name == "" || strings.ContainsAny(a.Name, " /\\:"):
			return nil, fmt.Errorf("mbrl: zoo: bad agent name %q", a.Name)
		case seen[a.Name]:
			return nil, fmt.Errorf("mbrl: zoo: agent %q listed twice", a.Name)
		case !fs.ValidPath(a.Dir) || a.Dir == ".":
			return nil, fmt.Errorf("mbrl: zoo: agent %q: bad directory %q", a.Name, a.Dir)
		}
		seen[a.Name] = true
	}
	return z, nil
}

// Agent returns the named agent.
func (z *Zoo) Agent(name string) (ZooAgent, bool) {
	i := slices.IndexFunc(z.Agents, func(a ZooAgent) bool { return a.Name == name })
	if i < 0 {
		return ZooAgent{}, false
	}
	return z.Agents[i], true
}

// Names lists the agents' names in index order.
func (z *Zoo) Names() []string {
	names := make([]string, len(z.Agents))
	for i, a := range z.Agents {
		names[i] = a.Name
	}
	return names
}

// ForTask returns the agents trained on task, best recorded success rate
// first (ties in index order).
func (z *Zoo) ForTask(task string) []ZooAgent {
	var out []ZooAgent
	for _, a := range z.Agents {
		if a.Task == task {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].SuccessRate > out[j].SuccessRate })
	return out
}

// Controller returns the evaluation controller of the named agent for
// env, whose task must be the agent's.
func (z *Zoo) Controller(name string, env *tasks.Env) (control.Controller, error) {
	a, ok := z.Agent(name)
	if !ok {
		return nil, fmt.Errorf("mbrl: no zoo agent %q (the zoo has: %s)", name, strings.Join(z.Names(), ", "))
	}
	if id := env.Spec().ID; a.Task != id {
		return nil, fmt.Errorf("mbrl: zoo agent %q was trained on task %q, not %q", name, a.Task, id)
	}
	return newCheckpointController(z.fsys, a.Dir, env, nil)
}

// Size returns the bytes of the files in the agent's directory.
func (z *Zoo) Size(a ZooAgent) (int64, error) {
	var n int64
	err := fs.WalkDir(z.fsys, a.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

// zoo is the zoo that NewController's zoo:NAME specs read (UseZoo).
var zoo struct {
	sync.Mutex
	z *Zoo
}

// UseZoo makes z the zoo of NewController's zoo:NAME specs. The binaries
// call it with the zoo they embed (package assets, which mbrl does not
// import: data reaches mbrl from cmd).
func UseZoo(z *Zoo) {
	zoo.Lock()
	zoo.z = z
	zoo.Unlock()
}

// CurrentZoo returns the zoo UseZoo set, or nil.
func CurrentZoo() *Zoo {
	zoo.Lock()
	defer zoo.Unlock()
	return zoo.z
}

// errNoZoo is the error for zoo:NAME when no zoo is in use.
var errNoZoo = errors.New("mbrl: no zoo of trained agents is linked into this program")

// ResolveZooBest returns spec with zoo:best replaced by the zoo agent of
// task with the best recorded success rate; other specs, and zoo:best
// where the task has no agent, are returned as they are.
func ResolveZooBest(spec, task string) string {
	if spec != "zoo:best" {
		return spec
	}
	if z := CurrentZoo(); z != nil {
		if as := z.ForTask(task); len(as) > 0 {
			return "zoo:" + as[0].Name
		}
	}
	return spec
}

func zooController(name string, env *tasks.Env) (control.Controller, error) {
	z := CurrentZoo()
	if z == nil {
		return nil, errNoZoo
	}
	if name == "best" {
		as := z.ForTask(env.Spec().ID)
		if len(as) == 0 {
			return nil, fmt.Errorf("mbrl: the zoo has no agent for task %q (it has: %s)", env.Spec().ID, strings.Join(z.Names(), ", "))
		}
		name = as[0].Name
	}
	if name == "" {
		return nil, fmt.Errorf("mbrl: controller \"zoo:\" names no agent (the zoo has: %s)", strings.Join(z.Names(), ", "))
	}
	return z.Controller(name, env)
}

// zooPath joins a zoo directory and a file name of its checkpoint index.
func zooPath(dir, file string) string { return path.Join(dir, file) }

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// builtProjects builds each (project folder, stage) once for the whole test
// binary: most tests here plan, package or describe the same examples, and
// each build (host binary, manifest, Lambda package) takes seconds even
// with a warm Go build cache, and minutes with a cold one. TestMain
// removes the builds.
var builtProjects = &projectCache{entries: map[projectKey]*projectEntry{}}

// testEnv is the AWS environment of runCLI: the SDK's, with projects from
// builtProjects.
func testEnv() *awsEnv {
	env := defaultAWSEnv()
	env.loadProject, env.resolveProject = builtProjects.load, builtProjects.load
	return env
}

type projectCache struct {
	mu      sync.Mutex
	root    string // holds the builds; "" until the first
	entries map[projectKey]*projectEntry
}

type projectKey struct{ dir, stage string }

type projectEntry struct {
	dir string     // where it builds
	mu  sync.Mutex // held while building, so a project is built once
	p   *deployer.Project
}

// load is deployer.LoadProject, once per absolute folder and stage: every
// caller gets its own copy of the project (settings resolved again, with
// opts, the manifest copied) sharing the built code. Errors are not kept.
// Options must change only settings, not the manifest or the build, as
// stages.WithAutogenPolicy does.
func (pc *projectCache) load(ctx context.Context, dir, stage, _ string, opts ...stages.ResolveOption) (*deployer.Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	e, err := pc.entry(projectKey{abs, stage})
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.p == nil {
		p, err := deployer.LoadProject(context.WithoutCancel(ctx), abs, stage, e.dir)
		if err != nil {
			return nil, err
		}
		e.p = p
	}
	return copyProject(e.p, dir, opts)
}

// entry returns the cache entry of k.
func (pc *projectCache) entry(k projectKey) (*projectEntry, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.root == "" {
		root, err := os.MkdirTemp("", "gochalice-test-builds-")
		if err != nil {
			return nil, err
		}
		pc.root = root
	}
	e, ok := pc.entries[k]
	if !ok {
		e = &projectEntry{dir: filepath.Join(pc.root, strconv.Itoa(len(pc.entries)))}
		pc.entries[k] = e
	}
	return e, nil
}

// remove deletes the builds.
func (pc *projectCache) remove() {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.root != "" {
		os.RemoveAll(pc.root)
	}
}

// copyProject returns p for a caller that named its folder dir: settings
// resolved afresh with opts (commands change them for a run) and the
// manifest copied; the code, which nothing changes, shared.
func copyProject(p *deployer.Project, dir string, opts []stages.ResolveOption) (*deployer.Project, error) {
	c := *p
	c.Dir = dir
	data, err := json.Marshal(p.Manifest)
	if err != nil {
		return nil, err
	}
	c.Manifest = new(manifest.Manifest)
	if err := json.Unmarshal(data, c.Manifest); err != nil {
		return nil, err
	}
	c.Settings = make(map[string]*stages.Settings, len(p.Settings))
	for name := range p.Settings {
		s, err := p.Config.Resolve(p.Stage, name, opts...)
		if err != nil {
			return nil, err
		}
		c.Settings[name] = s
	}
	return &c, nil
}

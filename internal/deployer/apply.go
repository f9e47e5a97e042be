package deployer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Deployer refreshes app stages and applies plans (deploys and deletes)
// through Clients.
// The zero values of its tuning fields are production defaults.
type Deployer struct {
	Clients *Clients
	// Parallelism bounds the steps run at once (default 8; 1 runs them
	// one by one).
	Parallelism int
	// Backoff is the first pause before retrying a conflicting call, or
	// a role Lambda cannot assume yet (default 1s); throttling is left to
	// the SDK's retryer;
	// pauses double up to 32 times it.
	Backoff time.Duration
	// MaxAttempts bounds the tries of one call (default 10).
	MaxAttempts int
	// WaitMinDelay and WaitMaxDelay are the polling delays of the Lambda
	// function waiters (defaults 1s and 10s); WaitTimeout bounds one wait
	// (default 5m).
	WaitMinDelay, WaitMaxDelay, WaitTimeout time.Duration
	// Progress, when set, is told of every step as it starts and ends.
	// Calls are serialised.
	Progress func(Event)
}

// Event reports one step of Apply.
type Event struct {
	Address string
	Type    ResourceType
	Name    string
	Action  Action
	// Done is false when the step starts and true when it ends.
	Done bool
	// Err is the step's error (Done only).
	Err error
	// Elapsed is the step's duration (Done only).
	Elapsed time.Duration
}

func (d *Deployer) parallelism() int {
	if d.Parallelism > 0 {
		return d.Parallelism
	}
	return 8
}

// applier is one run of Apply: the state as it changes, saved after
// every change.
type applier struct {
	d        *Deployer
	mu       sync.Mutex
	state    *State
	save     func(*State) error
	progress sync.Mutex
	desired  *Desired
	// deleting are the addresses the plan deletes.
	deleting map[string]bool
	// buckets serialises the read-modify-write of each bucket's
	// notification configuration, by bucket name.
	buckets sync.Map
}

// lockBucket locks a bucket's notification configuration against the
// other steps of this apply; it returns the unlock.
func (a *applier) lockBucket(name string) func() {
	mu, _ := a.buckets.LoadOrStore(name, &sync.Mutex{})
	m := mu.(*sync.Mutex)
	m.Lock()
	return m.Unlock
}

func (a *applier) get(addr string) (ResourceState, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rs, ok := a.state.Resources[addr]
	return rs, ok
}

func (a *applier) target() Target {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state.Target
}

// put records a resource and saves the state.
func (a *applier) put(addr string, rs ResourceState) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	rs.Unrecorded = false
	a.state.Resources[addr] = rs
	return a.saveLocked()
}

// remove forgets a resource and saves the state.
func (a *applier) remove(addr string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.state.Resources, addr)
	return a.saveLocked()
}

func (a *applier) saveLocked() error {
	if a.save == nil {
		return nil
	}
	if err := a.save(a.state.Clone()); err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	return nil
}

func (a *applier) event(e Event) {
	if a.d.Progress == nil {
		return
	}
	a.progress.Lock()
	defer a.progress.Unlock()
	a.d.Progress(e)
}

// Apply carries out a plan: independent steps in parallel (at most
// Parallelism at once), each after the steps it depends on; deletes in
// reverse dependency order. save, when not nil, is called with the new
// state after every step that creates, changes or deletes something, so
// an interrupted apply is finished by the next deploy. After a failed step
// no new step starts; Apply waits for the running ones and returns the
// state as it is then, with the errors.
func (d *Deployer) Apply(ctx context.Context, p *Plan, save func(*State) error) (*State, error) {
	st := p.Prior.Clone()
	st.App, st.Stage, st.Target, st.SchemaVersion = p.App, p.Stage, p.Target, StateVersion
	a := &applier{d: d, state: st, save: save, desired: p.Desired, deleting: map[string]bool{}}
	for _, c := range p.Changes {
		if c.Action == Delete {
			a.deleting[c.Address] = true
		}
	}
	adopted := false
	for k, rs := range st.Resources {
		if rs.Unrecorded {
			rs.Unrecorded = false
			st.Resources[k] = rs
			adopted = true
		}
	}
	if !p.HasChanges() {
		if adopted {
			a.mu.Lock()
			err := a.saveLocked()
			a.mu.Unlock()
			return st.Clone(), err
		}
		return st.Clone(), nil
	}
	a.mu.Lock()
	err := a.saveLocked()
	a.mu.Unlock()
	if err != nil {
		return st.Clone(), err
	}

	// The graph of steps.
	steps := map[string]*Change{}
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Action != NoOp {
			steps[c.Address] = c
		}
	}
	deps := map[string][]string{}
	for addr, c := range steps {
		if c.Action == Delete {
			for other, oc := range steps {
				if other != addr && oc.Prior != nil && slices.Contains(oc.Prior.DependsOn, addr) {
					deps[addr] = append(deps[addr], other)
				}
			}
			continue
		}
		for _, dep := range c.Desired.DependsOn {
			if dc, ok := steps[dep]; ok && dc.Action != Delete {
				deps[addr] = append(deps[addr], dep)
			}
		}
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	var ready []string
	for addr := range steps {
		waiting[addr] = len(deps[addr])
		for _, dep := range deps[addr] {
			dependents[dep] = append(dependents[dep], addr)
		}
		if len(deps[addr]) == 0 {
			ready = append(ready, addr)
		}
	}
	order := func(s []string) {
		slices.SortFunc(s, func(x, y string) int {
			if rx, ry := rank(steps[x].Type), rank(steps[y].Type); rx != ry {
				return rx - ry
			}
			return strings.Compare(x, y)
		})
	}
	order(ready)

	type result struct {
		addr string
		err  error
	}
	results := make(chan result)
	running := 0
	var errs []error
	stopped := false
	for {
		for !stopped && len(ready) > 0 && running < d.parallelism() {
			if err := ctx.Err(); err != nil {
				errs = append(errs, err)
				stopped = true
				break
			}
			addr := ready[0]
			ready = ready[1:]
			running++
			go func(c *Change) {
				start := time.Now()
				a.event(Event{Address: c.Address, Type: c.Type, Name: c.Name, Action: c.Action})
				err := a.step(ctx, c)
				if err != nil {
					err = fmt.Errorf("%s %s (%s): %w", c.Action, c.Address, c.Name, err)
				}
				a.event(Event{Address: c.Address, Type: c.Type, Name: c.Name, Action: c.Action, Done: true, Err: err, Elapsed: time.Since(start)})
				results <- result{c.Address, err}
			}(steps[addr])
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			errs = append(errs, r.err)
			stopped = true
			continue
		}
		var next []string
		for _, dep := range dependents[r.addr] {
			waiting[dep]--
			if waiting[dep] == 0 {
				next = append(next, dep)
			}
		}
		order(next)
		ready = append(ready, next...)
		order(ready)
	}
	a.mu.Lock()
	out := a.state.Clone()
	a.mu.Unlock()
	return out, errors.Join(errs...)
}

// step carries out one change through its resource's kind.
func (a *applier) step(ctx context.Context, c *Change) error {
	k, ok := kindOf(c.Type)
	if !ok {
		return fmt.Errorf("unknown resource type %q", c.Type)
	}
	switch c.Action {
	case Delete:
		return a.delete(ctx, c.Address, *c.Prior)
	case Replace:
		if err := a.delete(ctx, c.Address, *c.Prior); err != nil {
			return err
		}
		if k.waitDeleted != nil {
			if err := k.waitDeleted(ctx, a, *c.Prior); err != nil {
				return err
			}
		}
	}
	return k.apply(ctx, a, c.Desired)
}

// delete deletes a resource through its kind and forgets it.
func (a *applier) delete(ctx context.Context, addr string, prior ResourceState) error {
	k, ok := kindOf(prior.Type)
	if !ok {
		return fmt.Errorf("unknown resource type %q", prior.Type)
	}
	if err := k.delete(ctx, a, addr, prior); err != nil {
		return err
	}
	return a.remove(addr)
}

// ignore returns nil when err is an E (a resource already gone, say).
func ignore[E error](err error) error {
	var target E
	if errors.As(err, &target) {
		return nil
	}
	return err
}

func (d *Deployer) waitDelays() (time.Duration, time.Duration) {
	lo, hi := d.WaitMinDelay, d.WaitMaxDelay
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(lo, 10*time.Second)
	}
	return lo, hi
}

func (d *Deployer) waitTimeout() time.Duration {
	if d.WaitTimeout > 0 {
		return d.WaitTimeout
	}
	return 5 * time.Minute
}

package deployer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Refresh reads from AWS what exists of the resources desired or recorded
// (recorded may be nil). A recorded resource that is gone is left out, so
// the plan creates it again; a desired resource that exists under this
// app's name but was not recorded is included, marked Unrecorded, so the
// plan adopts it instead of creating a duplicate. The app stage's other
// resources that an interrupted deploy left unrecorded, which Discover
// finds by name and tags, are included too, marked Unrecorded, so the plan
// deletes them as it does what the app no longer has. Refresh only reads.
func (d *Deployer) Refresh(ctx context.Context, desired *Desired, recorded *State) (*State, error) {
	if recorded == nil {
		recorded = NewState(desired.App, desired.Stage, desired.Target)
	}
	actual := NewState(desired.App, desired.Stage, desired.Target)
	type item struct {
		addr     string
		kind     kind
		want     *Resource
		recorded *ResourceState
	}
	var items []item
	add := func(it item, t ResourceType) error {
		k, ok := kindOf(t)
		if !ok {
			return fmt.Errorf("refresh %s: unknown resource type %q", it.addr, t)
		}
		it.kind = k
		items = append(items, it)
		return nil
	}
	for i := range desired.Resources {
		r := &desired.Resources[i]
		it := item{addr: r.Address, want: r}
		if rs, ok := recorded.Resources[r.Address]; ok {
			it.recorded = &rs
		}
		if err := add(it, r.Type); err != nil {
			return nil, err
		}
	}
	for _, addr := range recorded.Addresses() {
		if _, ok := desired.Resource(addr); ok {
			continue
		}
		rs := recorded.Resources[addr]
		if err := add(item{addr: addr, recorded: &rs}, rs.Type); err != nil {
			return nil, err
		}
	}
	rd := &reader{d: d, target: actual.Target, actual: actual}
	run := func(phase []item) error {
		return d.forEach(ctx, len(phase), func(i int) error {
			it := phase[i]
			rs, found, err := it.kind.read(ctx, rd, it.want, it.recorded)
			if err != nil {
				return fmt.Errorf("refresh %s: %w", it.addr, err)
			}
			if !found {
				return nil
			}
			if it.want != nil {
				rs.DependsOn = slices.Clone(it.want.DependsOn)
			} else {
				rs.DependsOn = slices.Clone(it.recorded.DependsOn)
			}
			rs.Unrecorded = it.recorded == nil
			rd.mu.Lock()
			actual.Resources[it.addr] = rs
			rd.mu.Unlock()
			return nil
		})
	}
	// A resource whose read needs another as refresh found it (a stage
	// needs its API's id) is read once the others are.
	var first, second []item
	for _, it := range items {
		if it.kind.readLate {
			second = append(second, it)
		} else {
			first = append(first, it)
		}
	}
	if err := run(first); err != nil {
		return nil, err
	}
	if err := run(second); err != nil {
		return nil, err
	}
	if actual.App == "" || actual.Stage == "" {
		return actual, nil // no names to look for
	}
	reserved := map[string]bool{}
	for _, r := range desired.Resources {
		reserved[r.Address] = true
	}
	return d.discover(ctx, actual, reserved)
}

// forEach runs f(0..n-1) with at most d.parallelism() at a time and
// returns the errors joined.
func (d *Deployer) forEach(ctx context.Context, n int, f func(i int) error) error {
	sem := make(chan struct{}, d.parallelism())
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

package deployer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/iam"
)

// policyRun drives the deployer through steps against a fake account,
// recording every call: each must be allowed by DeployerPolicy of the
// step's project and of the state recorded at path when the step starts.
type policyRun struct {
	cloud *fakeaws.Cloud
	rec   *recorder
	path  string
	valid func(*testing.T, *iam.Policy)
	last  *deployer.Project

	used     map[string]bool // "Sid action" of every statement action a call needed
	policies []*iam.Policy
}

func newPolicyRun(t *testing.T, cloud *fakeaws.Cloud, rec *recorder, path string) *policyRun {
	return &policyRun{cloud: cloud, rec: rec, path: path, valid: iamActionValidator(t), used: map[string]bool{}}
}

// step runs one step as a subtest; a nil p is the previous step's.
func (r *policyRun) step(t *testing.T, name string, p *deployer.Project, run func(t *testing.T, recorded *deployer.State)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		recorded, err := deployer.LoadState(r.path)
		if err != nil {
			t.Fatal(err)
		}
		if p == nil {
			p = r.last
		}
		r.last = p
		pol, err := deployer.DeployerPolicy(p, recorded, target)
		if err != nil {
			t.Fatal(err)
		}
		r.valid(t, pol)
		r.policies = append(r.policies, pol)
		r.cloud.ResetCalls()
		r.rec.take()
		run(t, recorded)
		calls := r.rec.take()
		if diff := cmp.Diff(callNames(r.cloud.Calls()), recordedNames(calls)); diff != "" {
			t.Errorf("the recorder missed calls the fake saw (-fake +recorder):\n%s", diff)
		}
		for _, c := range calls {
			for _, need := range c.Needs {
				if need.Action == "" {
					t.Errorf("%s.%s: no IAM action in operationActions", c.Service, c.Operation)
					continue
				}
				i := allowingStatement(pol, need)
				if i < 0 {
					t.Errorf("%s.%s needs %s, which the deployer policy does not allow", c.Service, c.Operation, need)
					continue
				}
				r.used[pol.Statement[i].Sid+" "+strings.ToLower(need.Action)] = true
			}
		}
	})
}

// checkUsed reports every action the policies' statements named sids
// (all statements when sids is nil) grant that no call needed.
func (r *policyRun) checkUsed(t *testing.T, sids []string) {
	t.Helper()
	for _, pol := range r.policies {
		for _, st := range pol.Statement {
			if sids != nil && !slices.Contains(sids, st.Sid) {
				continue
			}
			for _, a := range st.Action {
				if !r.used[st.Sid+" "+strings.ToLower(a)] {
					t.Errorf("statement %s grants %s, which no call needed", st.Sid, a)
				}
			}
		}
	}
}

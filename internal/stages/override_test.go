package stages

import "testing"

// TestWithAutogenPolicy overrides autogen_policy for one run, as deploy
// --autogen-policy / --no-autogen-policy do: without autogen the policy
// file is read (policy-<stage>.json unless iam_policy_file names
// another), even one config.json alone never needs, and a missing file is
// an error naming it and the key to set.
func TestWithAutogenPolicy(t *testing.T) {
	t.Parallel()
	type vars = map[string]any
	tests := []struct {
		name        string
		levels      levelSet
		files       []string
		autogen     bool
		wantAutogen bool
		wantFile    string
		wantErr     string
	}{
		{
			name: "off: the stage's default policy file", autogen: false,
			files:    []string{"policy-dev.json"},
			wantFile: ".chalice/policy-dev.json",
		},
		{
			name: "off: the named file", autogen: false,
			levels: levelSet{stage: vars{"iam_policy_file": "dev.json"}}, files: []string{"dev.json"},
			wantFile: ".chalice/dev.json",
		},
		{
			name: "off: no file", autogen: false,
			wantErr: `.chalice/config.json: stages.dev.iam_policy_file: is not set, so with --no-autogen-policy the policy is read from .chalice/policy-dev.json, which does not exist; create that file, set "iam_policy_file" to the name of the policy file in .chalice/, or leave out --no-autogen-policy`,
		},
		{
			name: "on, where config.json turns it off", autogen: true,
			levels: levelSet{stage: vars{"autogen_policy": false}}, files: []string{"policy-dev.json"},
			wantAutogen: true,
		},
		{
			name: "on keeps a named file's statements", autogen: true,
			levels: levelSet{stageFn: vars{"autogen_policy": false, "iam_policy_file": "fn.json"}}, files: []string{"fn.json"},
			wantAutogen: true, wantFile: ".chalice/fn.json",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, project(t, tc.levels.config(), tc.files...))
			by := "--no-autogen-policy"
			if tc.autogen {
				by = "--autogen-policy"
			}
			s, err := c.Resolve("dev", "fn", WithAutogenPolicy(tc.autogen, by))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v\nwant %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.AutogenPolicy != tc.wantAutogen || s.IAMPolicyFile != tc.wantFile || (s.Policy != nil) != (tc.wantFile != "") {
				t.Errorf("AutogenPolicy, IAMPolicyFile, Policy = %v, %q, %v; want %v, %q, a policy: %v",
					s.AutogenPolicy, s.IAMPolicyFile, s.Policy, tc.wantAutogen, tc.wantFile, tc.wantFile != "")
			}
		})
	}
	// Without the option, config.json decides.
	c := mustLoad(t, project(t, levelSet{}.config()))
	if s, err := c.Resolve("dev", "fn"); err != nil || !s.AutogenPolicy || s.IAMPolicyFile != "" {
		t.Errorf("Resolve without options = %+v, %v; want autogen and no file", s, err)
	}
}

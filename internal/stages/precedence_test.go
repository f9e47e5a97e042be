package stages

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const testPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`

// project builds a project folder holding config.json (marshaled from
// cfg) and the given policy files (names relative to .chalice/).
func project(t *testing.T, cfg map[string]any, policies ...string) fstest.MapFS {
	t.Helper()
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{ConfigFile: {Data: data}}
	for _, p := range policies {
		fsys[".chalice/"+p] = &fstest.MapFile{Data: []byte(testPolicy)}
	}
	return fsys
}

func mustLoad(t *testing.T, fsys fstest.MapFS) *Config {
	t.Helper()
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatalf("LoadFS: %v\nconfig.json:\n%s", err, fsys[ConfigFile].Data)
	}
	return c
}

// levelSet writes values into a config at the four levels, for function
// "fn" of stage "dev"; a stage "prod" and a function "other" exist too.
type levelSet struct {
	top, topFn, stage, stageFn map[string]any
}

func (ls levelSet) config() map[string]any {
	orEmpty := func(m map[string]any) map[string]any {
		if m == nil {
			return map[string]any{}
		}
		return m
	}
	top := map[string]any{"version": "2.0", "app_name": "app"}
	for k, v := range ls.top {
		top[k] = v
	}
	top["lambda_functions"] = map[string]any{"fn": orEmpty(ls.topFn)}
	dev := map[string]any{"lambda_functions": map[string]any{"fn": orEmpty(ls.stageFn), "other": map[string]any{}}}
	for k, v := range ls.stage {
		dev[k] = v
	}
	top["stages"] = map[string]any{"dev": dev, "prod": map[string]any{}}
	return top
}

// scalarKey is a key whose resolution the exhaustive precedence test
// checks at every combination of levels.
type scalarKey struct {
	key       string
	stageWide bool   // read from the stage and the top level only
	values    [4]any // at top, top function, stage, stage function
	def       any
	get       func(*Settings) any
	origin    func(*Origins) Level
}

func scalarKeys() []scalarKey {
	deref := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return []scalarKey{
		{key: "lambda_memory_size", values: [4]any{256, 512, 1024, 2048}, def: 128,
			get: func(s *Settings) any { return s.LambdaMemorySize }, origin: func(o *Origins) Level { return o.LambdaMemorySize }},
		{key: "lambda_timeout", values: [4]any{10, 20, 30, 40}, def: 60,
			get: func(s *Settings) any { return s.LambdaTimeout }, origin: func(o *Origins) Level { return o.LambdaTimeout }},
		{key: "reserved_concurrency", values: [4]any{1, 2, 3, 4}, def: nil,
			get: func(s *Settings) any { return deref(s.ReservedConcurrency) }, origin: func(o *Origins) Level { return o.ReservedConcurrency }},
		{key: "xray", values: [4]any{true, false, true, false}, def: false,
			get: func(s *Settings) any { return s.XRay }, origin: func(o *Origins) Level { return o.XRay }},
		{key: "log_retention_in_days", values: [4]any{1, 3, 5, 7}, def: 0,
			get: func(s *Settings) any { return s.LogRetentionInDays }, origin: func(o *Origins) Level { return o.LogRetentionInDays }},
		{key: "layers", values: [4]any{
			[]string{"arn:aws:lambda:us-east-1:123456789012:layer:a:1"},
			[]string{"arn:aws:lambda:us-east-1:123456789012:layer:b:1"},
			[]string{"arn:aws:lambda:us-east-1:123456789012:layer:c:1"},
			[]string{},
		}, def: []string(nil),
			get: func(s *Settings) any { return s.Layers }, origin: func(o *Origins) Level { return o.Layers }},
		{key: "api_gateway_stage", stageWide: true, values: [4]any{"top", nil, "stage", nil}, def: "api",
			get: func(s *Settings) any { return s.APIGatewayStage }, origin: func(o *Origins) Level { return o.APIGatewayStage }},
		{key: "api_gateway_type", stageWide: true, values: [4]any{"HTTP", nil, "REST", nil}, def: "REST",
			get: func(s *Settings) any { return s.APIGatewayType }, origin: func(o *Origins) Level { return o.APIGatewayType }},
		{key: "api_gateway_endpoint_type", stageWide: true, values: [4]any{"REGIONAL", nil, "EDGE", nil}, def: "EDGE",
			get: func(s *Settings) any { return s.APIGatewayEndpointType }, origin: func(o *Origins) Level { return o.APIGatewayEndpointType }},
		{key: "minimum_compression_size", stageWide: true, values: [4]any{0, nil, 1024, nil}, def: nil,
			get: func(s *Settings) any { return deref(s.MinimumCompressionSize) }, origin: func(o *Origins) Level { return o.MinimumCompressionSize }},
		{key: "lambda_architecture", stageWide: true, values: [4]any{"x86_64", nil, "arm64", nil}, def: "arm64",
			get: func(s *Settings) any { return s.LambdaArchitecture }, origin: func(o *Origins) Level { return o.LambdaArchitecture }},
		{key: "region", stageWide: true, values: [4]any{"eu-west-1", nil, "us-east-2", nil}, def: "",
			get: func(s *Settings) any { return s.Region }, origin: func(o *Origins) Level { return o.Region }},
	}
}

// TestPrecedenceExhaustive checks, for each key, every combination of the
// levels it may be written at: the most specific level wins, for the
// function it is written for and only for it.
func TestPrecedenceExhaustive(t *testing.T) {
	t.Parallel()
	levels := [4]Level{LevelTop, LevelTopFunction, LevelStage, LevelStageFunction}
	for _, k := range scalarKeys() {
		for mask := 0; mask < 16; mask++ {
			var names []string
			var ls levelSet
			skip := false
			for i, lv := range levels {
				if mask&(1<<i) == 0 {
					continue
				}
				if k.values[i] == nil {
					skip = true // not allowed at this level
					break
				}
				names = append(names, strings.ReplaceAll(lv.String(), " ", "-"))
				m := map[string]any{k.key: k.values[i]}
				switch lv {
				case LevelTop:
					ls.top = m
				case LevelTopFunction:
					ls.topFn = m
				case LevelStage:
					ls.stage = m
				case LevelStageFunction:
					ls.stageFn = m
				}
			}
			if skip {
				continue
			}
			if len(names) == 0 {
				names = []string{"none"}
			}
			t.Run(k.key+"/"+strings.Join(names, "+"), func(t *testing.T) {
				t.Parallel()
				c := mustLoad(t, project(t, ls.config()))
				// fn sees every level; "other" sees only the top level
				// and the stage; prod sees only the top level.
				for _, tc := range []struct {
					stage, fn string
					mask      int
				}{{"dev", "fn", mask}, {"dev", "other", mask & 0b0101}, {"prod", "fn", mask & 0b0011}} {
					s, err := c.Resolve(tc.stage, tc.fn)
					if err != nil {
						t.Fatal(err)
					}
					want, wantLevel := k.def, LevelDefault
					for i := 3; i >= 0; i-- {
						if tc.mask&(1<<i) != 0 {
							want, wantLevel = k.values[i], levels[i]
							break
						}
					}
					if diff := cmp.Diff(want, k.get(s)); diff != "" {
						t.Errorf("%s %s: %s (-want +got):\n%s", tc.stage, tc.fn, k.key, diff)
					}
					if got := k.origin(&s.Origins); got != wantLevel {
						t.Errorf("%s %s: %s origin = %v, want %v", tc.stage, tc.fn, k.key, got, wantLevel)
					}
				}
			})
		}
	}
}

// TestMerge covers the merge rules of environment_variables and tags.
func TestMerge(t *testing.T) {
	t.Parallel()
	type vars = map[string]any
	tests := []struct {
		name       string
		levels     levelSet
		fn         string
		want       map[string]string
		wantOrigin map[string]Level
	}{
		{
			name: "nothing set",
			fn:   "fn", want: map[string]string{}, wantOrigin: map[string]Level{},
		},
		{
			name:   "top level only",
			levels: levelSet{top: vars{"K": vars{"KA": "top"}}},
			fn:     "fn", want: map[string]string{"KA": "top"}, wantOrigin: map[string]Level{"KA": LevelTop},
		},
		{
			name: "stage replaces a top-level key and keeps the others",
			levels: levelSet{
				top:   vars{"K": vars{"SHARED": "foo", "OTHER": "from-top"}},
				stage: vars{"K": vars{"TABLE": "dev-table", "OTHER": "dev-value"}},
			},
			fn:         "fn",
			want:       map[string]string{"SHARED": "foo", "OTHER": "dev-value", "TABLE": "dev-table"},
			wantOrigin: map[string]Level{"SHARED": LevelTop, "OTHER": LevelStage, "TABLE": LevelStage},
		},
		{
			name: "top-level function entry is merged (Chalice skips it; gochalice does not)",
			levels: levelSet{
				top:   vars{"K": vars{"KA": "top", "KB": "top"}},
				topFn: vars{"K": vars{"KB": "top-fn", "KC": "top-fn"}},
			},
			fn:         "fn",
			want:       map[string]string{"KA": "top", "KB": "top-fn", "KC": "top-fn"},
			wantOrigin: map[string]Level{"KA": LevelTop, "KB": LevelTopFunction, "KC": LevelTopFunction},
		},
		{
			name: "stage beats top-level function",
			levels: levelSet{
				topFn: vars{"K": vars{"KA": "top-fn"}},
				stage: vars{"K": vars{"KA": "stage"}},
			},
			fn: "fn", want: map[string]string{"KA": "stage"}, wantOrigin: map[string]Level{"KA": LevelStage},
		},
		{
			name: "stage function beats stage (aws/chalice#1602)",
			levels: levelSet{
				stage:   vars{"K": vars{"ENV": "dev", "BUCKET": "not-my-bucket", "CRON": "cron(0 6 * * ? *)"}},
				stageFn: vars{"K": vars{"BUCKET": "my-bucket"}},
			},
			fn:         "fn",
			want:       map[string]string{"ENV": "dev", "BUCKET": "my-bucket", "CRON": "cron(0 6 * * ? *)"},
			wantOrigin: map[string]Level{"ENV": LevelStage, "BUCKET": LevelStageFunction, "CRON": LevelStage},
		},
		{
			name: "all four levels",
			levels: levelSet{
				top:     vars{"K": vars{"KA": "1", "KB": "1", "KC": "1", "KD": "1"}},
				topFn:   vars{"K": vars{"KB": "2", "KC": "2", "KD": "2"}},
				stage:   vars{"K": vars{"KC": "3", "KD": "3"}},
				stageFn: vars{"K": vars{"KD": "4"}},
			},
			fn:         "fn",
			want:       map[string]string{"KA": "1", "KB": "2", "KC": "3", "KD": "4"},
			wantOrigin: map[string]Level{"KA": LevelTop, "KB": LevelTopFunction, "KC": LevelStage, "KD": LevelStageFunction},
		},
		{
			name: "another function's entries do not apply",
			levels: levelSet{
				top:     vars{"K": vars{"KA": "top"}},
				topFn:   vars{"K": vars{"KB": "top-fn"}},
				stageFn: vars{"K": vars{"KC": "stage-fn"}},
			},
			fn: "other", want: map[string]string{"KA": "top"}, wantOrigin: map[string]Level{"KA": LevelTop},
		},
		{
			name: "an empty map at a more specific level removes nothing",
			levels: levelSet{
				top:     vars{"K": vars{"KA": "top"}},
				stageFn: vars{"K": vars{}},
			},
			fn: "fn", want: map[string]string{"KA": "top"}, wantOrigin: map[string]Level{"KA": LevelTop},
		},
	}
	for _, key := range []string{"environment_variables", "tags"} {
		for _, tc := range tests {
			t.Run(key+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				rename := func(m map[string]any) map[string]any {
					if m == nil {
						return nil
					}
					return map[string]any{key: m["K"]}
				}
				ls := levelSet{rename(tc.levels.top), rename(tc.levels.topFn), rename(tc.levels.stage), rename(tc.levels.stageFn)}
				c := mustLoad(t, project(t, ls.config()))
				s, err := c.Resolve("dev", tc.fn)
				if err != nil {
					t.Fatal(err)
				}
				got, gotOrigin := s.EnvironmentVariables, s.Origins.EnvironmentVariables
				if key == "tags" {
					got, gotOrigin = s.Tags, s.Origins.Tags
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("values (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.wantOrigin, gotOrigin); diff != "" {
					t.Errorf("origins (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestPolicyResolution covers how the role and the policy file are chosen.
func TestPolicyResolution(t *testing.T) {
	t.Parallel()
	type vars = map[string]any
	tests := []struct {
		name       string
		levels     levelSet
		files      []string
		fn         string
		wantFile   string
		wantOrigin Level
		wantPolicy bool
		wantRole   string
		wantManage bool
	}{
		{
			name: "autogen by default", fn: "fn",
			wantManage: true, wantOrigin: LevelDefault,
		},
		{
			name:   "autogen false without a file reads policy-<stage>.json",
			levels: levelSet{stage: vars{"autogen_policy": false}}, files: []string{"policy-dev.json"}, fn: "fn",
			wantFile: ".chalice/policy-dev.json", wantOrigin: LevelDefault, wantPolicy: true, wantManage: true,
		},
		{
			name:   "stage file",
			levels: levelSet{stage: vars{"autogen_policy": false, "iam_policy_file": "dev.json"}}, files: []string{"dev.json"}, fn: "fn",
			wantFile: ".chalice/dev.json", wantOrigin: LevelStage, wantPolicy: true, wantManage: true,
		},
		{
			name: "function file beats stage file",
			levels: levelSet{
				stage:   vars{"autogen_policy": false, "iam_policy_file": "dev.json"},
				stageFn: vars{"iam_policy_file": "policies/fn.json"},
			},
			files: []string{"dev.json", "policies/fn.json"}, fn: "fn",
			wantFile: ".chalice/policies/fn.json", wantOrigin: LevelStageFunction, wantPolicy: true, wantManage: true,
		},
		{
			name: "the other function keeps the stage file",
			levels: levelSet{
				stage:   vars{"autogen_policy": false, "iam_policy_file": "dev.json"},
				stageFn: vars{"iam_policy_file": "fn.json"},
			},
			files: []string{"dev.json", "fn.json"}, fn: "other",
			wantFile: ".chalice/dev.json", wantOrigin: LevelStage, wantPolicy: true, wantManage: true,
		},
		{
			name: "top-level autogen false, top-level function file",
			levels: levelSet{
				top:   vars{"autogen_policy": false},
				topFn: vars{"iam_policy_file": "fn.json"},
			},
			files: []string{"fn.json", "policy-dev.json", "policy-prod.json"}, fn: "fn",
			wantFile: ".chalice/fn.json", wantOrigin: LevelTopFunction, wantPolicy: true, wantManage: true,
		},
		{
			name: "autogen true with a file: its statements join the generated ones",
			levels: levelSet{
				top:   vars{"iam_policy_file": "top.json"},
				stage: vars{"autogen_policy": true},
			},
			files: []string{"top.json"}, fn: "fn",
			wantFile: ".chalice/top.json", wantOrigin: LevelTop, wantPolicy: true, wantManage: true,
		},
		{
			name: "a pre-made role: no policy",
			levels: levelSet{
				stage: vars{"manage_iam_role": false, "iam_role_arn": "arn:aws:iam::123456789012:role/dev", "autogen_policy": false},
			},
			fn: "fn", wantRole: "arn:aws:iam::123456789012:role/dev", wantOrigin: LevelDefault,
		},
		{
			name: "a function's own role",
			levels: levelSet{
				top:     vars{"autogen_policy": false},
				stageFn: vars{"manage_iam_role": false, "iam_role_arn": "arn:aws:iam::123456789012:role/fn"},
			},
			files: []string{"policy-dev.json", "policy-prod.json"}, fn: "fn",
			wantRole: "arn:aws:iam::123456789012:role/fn", wantOrigin: LevelDefault,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := mustLoad(t, project(t, tc.levels.config(), tc.files...))
			s, err := c.Resolve("dev", tc.fn)
			if err != nil {
				t.Fatal(err)
			}
			if s.IAMPolicyFile != tc.wantFile {
				t.Errorf("IAMPolicyFile = %q, want %q", s.IAMPolicyFile, tc.wantFile)
			}
			if s.Origins.IAMPolicyFile != tc.wantOrigin {
				t.Errorf("Origins.IAMPolicyFile = %v, want %v", s.Origins.IAMPolicyFile, tc.wantOrigin)
			}
			if (s.Policy != nil) != tc.wantPolicy {
				t.Errorf("Policy = %v, want a policy: %v", s.Policy, tc.wantPolicy)
			}
			if s.ManageIAMRole != tc.wantManage || s.IAMRoleARN != tc.wantRole {
				t.Errorf("ManageIAMRole, IAMRoleARN = %v, %q; want %v, %q", s.ManageIAMRole, s.IAMRoleARN, tc.wantManage, tc.wantRole)
			}
		})
	}
}

func TestLevelKeyPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level Level
		want  string
	}{
		{LevelDefault, ""},
		{LevelTop, "lambda_timeout"},
		{LevelTopFunction, "lambda_functions.handle_stream.lambda_timeout"},
		{LevelStage, "stages.dev.lambda_timeout"},
		{LevelStageFunction, "stages.dev.lambda_functions.handle_stream.lambda_timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.level.String(), func(t *testing.T) {
			t.Parallel()
			if got := tc.level.KeyPath("dev", "handle_stream", "lambda_timeout"); got != tc.want {
				t.Errorf("KeyPath = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  fmt.Stringer
		want string
	}{
		{"default", LevelDefault, "default"},
		{"top", LevelTop, "top-level"},
		{"top function", LevelTopFunction, "top-level function"},
		{"stage", LevelStage, "stage"},
		{"stage function", LevelStageFunction, "stage function"},
		{"bad level", Level(9), "Level(9)"},
		{"error", SeverityError, "error"},
		{"warning", SeverityWarning, "warning"},
		{"bad severity", Severity(7), "Severity(7)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.got.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}

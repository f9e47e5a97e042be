package app

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nameCheck is a check of names.go and the regular expression it
// replaced: check matches s exactly when re does, and its captures are
// re's first len(captures) groups.
type nameCheck struct {
	name  string
	re    string
	check func(s string) (captures []string, ok bool)
	run   func(s string) // the check alone, for counting allocations
}

func matchOnly(name, re string, f func(string) bool) nameCheck {
	return nameCheck{name, re, func(s string) ([]string, bool) { return nil, f(s) }, func(s string) { f(s) }}
}

func capture1(name, re string, f func(string) (string, bool)) nameCheck {
	return nameCheck{name, re, func(s string) ([]string, bool) {
		c, ok := f(s)
		return []string{c}, ok
	}, func(s string) { f(s) }}
}

func rateCheck(s string) ([]string, bool) {
	v, u, ok := parseRate(s)
	return []string{v, u}, ok
}

func nameChecks() []nameCheck {
	const arn = `^arn:aws[a-z-]*:`
	return []nameCheck{
		matchOnly("isName", `^[A-Za-z0-9_-]+$`, isName),
		matchOnly("isUserPoolARN", arn+`cognito-idp:[a-z0-9-]+:\d{12}:userpool/[a-z0-9-]+_[A-Za-z0-9]+$`, isUserPoolARN),
		capture1("headerSource", `^method\.request\.header\.([A-Za-z0-9!#$%&'*+.^_`+"`"+`|~-]+)$`, headerSource),
		matchOnly("isRequestSource", `^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.[^\s.]+|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$`, isRequestSource),
		matchOnly("isStreamARN", `^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}/stream/[0-9A-Za-z:._-]+$`, isStreamARN),
		matchOnly("isTableName", `^[A-Za-z0-9_.-]{3,255}$`, isTableName),
		matchOnly("isQueueName", `^[A-Za-z0-9_-]{1,80}$`, isQueueName),
		capture1("queueARN", arn+`sqs:[a-z0-9-]+:\d{12}:([A-Za-z0-9_.-]+)$`, queueARN),
		matchOnly("isTopicName", `^[A-Za-z0-9_-]{1,256}$`, isTopicName),
		capture1("topicARN", arn+`sns:[a-z0-9-]+:\d{12}:([A-Za-z0-9_.-]+)$`, topicARN),
		capture1("bucketARN", arn+`s3:::([^/]+)$`, bucketARN),
		matchOnly("isBucketName", `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`, isBucketName),
		matchOnly("isDottedQuad", `^\d+\.\d+\.\d+\.\d+$`, isDottedQuad),
		matchOnly("isKinesisName", `^[A-Za-z0-9_.-]{1,128}$`, isKinesisName),
		matchOnly("isKinesisARN", arn+`kinesis:[a-z0-9-]+:\d{12}:stream/([A-Za-z0-9_.-]{1,128})$`, isKinesisARN),
		matchOnly("isBusName", `^[A-Za-z0-9/._-]{1,256}$`, isBusName),
		matchOnly("isBusARN", arn+`events:[a-z0-9-]+:\d{12}:event-bus/[A-Za-z0-9/._-]{1,256}$`, isBusARN),
		{"parseRate", `^rate\((\d+) ([a-z]+)\)$`, rateCheck, func(s string) { parseRate(s) }},
		matchOnly("isS3EventName", `^s3:[A-Za-z]+(:[A-Za-z]+|:\*)?$`, isS3EventName),
	}
}

// nameCases are accepted and refused inputs of each check, with the
// edges of every length limit and character class.
var nameCases = map[string]struct{ yes, no []string }{
	"isName": {
		yes: []string{"savealife", "a", "A-b_9", strings.Repeat("x", 300)},
		no:  []string{"", "a b", "a.b", "a/b", "é", "a\n", "\xff", "a:b"},
	},
	"isUserPoolARN": {
		yes: []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123", "arn:aws-us-gov:cognito-idp:us-gov-west-1:123456789012:userpool/us-gov-west-1_x"},
		no: []string{
			"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_", "arn:aws:cognito-idp:us-east-1:123456789012:userpool/_abc",
			"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a_b", "arn:aws:cognito-idp:us-east-1:12345678901:userpool/us-east-1_a",
			"arn:aws:cognito-idp:US-EAST-1:123456789012:userpool/us-east-1_a", "arn:aws:cognito-idp::123456789012:userpool/us-east-1_a",
			"arn:aws:cognito-idp:us-east-1:123456789012:userpool/US_a", "arn:aws:cognito-idp:us-east-1:123456789012:userpools/us-east-1_a",
			"arn:awsX:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a", "arn:aws:cognito:us-east-1:123456789012:userpool/us-east-1_a",
			"arn:aws:cognito-idp:us-east-1:1234567890123:userpool/us-east-1_a", "xarn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a",
		},
	},
	"headerSource": {
		yes: []string{"method.request.header.Authorization", "method.request.header.X-Token", "method.request.header.a!#$%&'*+.^_`|~-"},
		no:  []string{"method.request.header.", "method.request.header.a b", "method.request.header.a:b", "method.request.querystring.a", "Authorization", "method.request.header.é", "method.request.header.a/"},
	},
	"isRequestSource": {
		yes: []string{"method.request.header.Authorization", "method.request.querystring.token", "method.request.multivalueheader.X", "method.request.multivaluequerystring.q", "method.request.header.é\xff/:", "method.request.header.a\v", "stageVariables.name_1", "context.identity.sourceIp", "context.."},
		no:  []string{"method.request.header.", "method.request.header.a.b", "method.request.header.a b", "method.request.header.a\tb", "method.request.header.a\n", "method.request.header.a\f", "method.request.header.a\r", "method.request.path.id", "method.request.header", "stageVariables.", "stageVariables.a.b", "stageVariables.a-b", "context.", "context.a-b", "Authorization", ""},
	},
	"isStreamARN": {
		yes: []string{"arn:aws:dynamodb:us-east-1:123456789012:table/savealife-donors/stream/2026-01-01T00:00:00.000", "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/abc/stream/x", "arn:aws:dynamodb:us-east-1:123456789012:table/" + strings.Repeat("t", 255) + "/stream/x"},
		no: []string{
			"arn:aws:dynamodb:us-east-1:123456789012:table/ab/stream/x", "arn:aws:dynamodb:us-east-1:123456789012:table/" + strings.Repeat("t", 256) + "/stream/x",
			"arn:aws:dynamodb:us-east-1:123456789012:table/abc/stream/", "arn:aws:dynamodb:us-east-1:123456789012:table/abc/stream/x/y",
			"arn:aws:dynamodb:us-east-1:123456789012:table/abc", "arn:aws:dynamodb:us-east-1:123456789012:table/abc/index/x",
			"arn:aws:dynamodb:us-east-1:123456789012:table/a:c/stream/x", "arn:aws:dynamodbstreams:us-east-1:123456789012:table/abc/stream/x",
		},
	},
	"isTableName": {
		yes: []string{"abc", "a.b-c_D9", strings.Repeat("t", 255)},
		no:  []string{"ab", strings.Repeat("t", 256), "a b", "abc/", "abc:"},
	},
	"isQueueName": {
		yes: []string{"q", "orders-Q_1", strings.Repeat("q", 80)},
		no:  []string{"", strings.Repeat("q", 81), "q.fifo", "q q"},
	},
	"queueARN": {
		yes: []string{"arn:aws:sqs:us-east-1:123456789012:orders", "arn:aws:sqs:us-east-1:123456789012:orders.fifo"},
		no:  []string{"arn:aws:sqs:us-east-1:123456789012:", "arn:aws:sqs:us-east-1:123456789012:a/b", "arn:aws:sqs:us-east-1:123456789012:a:b", "arn:aws:sns:us-east-1:123456789012:orders"},
	},
	"isTopicName": {
		yes: []string{"t", "alerts-T_1", strings.Repeat("t", 256)},
		no:  []string{"", strings.Repeat("t", 257), "t.fifo", "t t"},
	},
	"topicARN": {
		yes: []string{"arn:aws:sns:us-east-1:123456789012:alerts", "arn:aws:sns:eu-west-1:123456789012:alerts.fifo"},
		no:  []string{"arn:aws:sns:us-east-1:123456789012:", "arn:aws:sns:us-east-1:123456789012:a:b", "arn:aws:sqs:us-east-1:123456789012:alerts"},
	},
	"bucketARN": {
		yes: []string{"arn:aws:s3:::my-bucket", "arn:aws:s3:::A B\n\xffé:"},
		no:  []string{"arn:aws:s3:::", "arn:aws:s3:::a/b", "arn:aws:s3:us-east-1::b", "arn:aws:s3::b", "arn:aws:s3:::/"},
	},
	"isBucketName": {
		yes: []string{"abc", "my.bucket-1", "a" + strings.Repeat("b", 61) + "c", "a..b", "1.2.3.4"},
		no:  []string{"ab", "a" + strings.Repeat("b", 62) + "c", "-abc", "abc-", ".abc", "abc.", "aBc", "a_b", ""},
	},
	"isDottedQuad": {
		yes: []string{"1.2.3.4", "192.168.0.1", "999.0.0.00"},
		no:  []string{"1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.a", ".1.2.3", ""},
	},
	"isKinesisName": {
		yes: []string{"s", "clicks.v1-a_B", strings.Repeat("s", 128)},
		no:  []string{"", strings.Repeat("s", 129), "a/b", "a:b"},
	},
	"isKinesisARN": {
		yes: []string{"arn:aws:kinesis:us-east-1:123456789012:stream/clicks", "arn:aws:kinesis:us-east-1:123456789012:stream/" + strings.Repeat("s", 128)},
		no:  []string{"arn:aws:kinesis:us-east-1:123456789012:stream/", "arn:aws:kinesis:us-east-1:123456789012:stream/" + strings.Repeat("s", 129), "arn:aws:kinesis:us-east-1:123456789012:clicks", "arn:aws:kinesis:us-east-1:123456789012:stream/a/b"},
	},
	"isBusName": {
		yes: []string{"default", "a/b.c-d_e", strings.Repeat("b", 256)},
		no:  []string{"", strings.Repeat("b", 257), "a b", "a:b"},
	},
	"isBusARN": {
		yes: []string{"arn:aws:events:us-east-1:123456789012:event-bus/default", "arn:aws:events:us-east-1:123456789012:event-bus/a/b", "arn:aws:events:us-east-1:123456789012:event-bus/" + strings.Repeat("b", 256)},
		no:  []string{"arn:aws:events:us-east-1:123456789012:event-bus/", "arn:aws:events:us-east-1:123456789012:event-bus/" + strings.Repeat("b", 257), "arn:aws:events:us-east-1:123456789012:rule/x"},
	},
	"parseRate": {
		yes: []string{"rate(5 minutes)", "rate(1 hour)", "rate(007 days)", "rate(1 x)"},
		no:  []string{"rate()", "rate(5)", "rate(5 Minutes)", "rate(5  minutes)", "rate(5 minutes))", "rate(-5 minutes)", "rate( 5 minutes)", "rate(5 minutes", "cron(0 12 * * ? *)"},
	},
	"isS3EventName": {
		yes: []string{"s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:Replication", "s3:a:b"},
		no:  []string{"s3:", "s3:ObjectCreated:", "s3:ObjectCreated:Put:x", "s3:Object-Created", "s3:*", "s3:ObjectCreated:**", "S3:ObjectCreated:*"},
	},
}

// TestNames checks every case against both the code and the regular
// expression it replaced, so the table itself is known to be right.
func TestNames(t *testing.T) {
	t.Parallel()
	checks := nameChecks()
	if len(checks) != len(nameCases) {
		t.Errorf("%d checks, cases for %d", len(checks), len(nameCases))
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(c.re)
			cases, ok := nameCases[c.name]
			if !ok || len(cases.yes) == 0 || len(cases.no) == 0 {
				t.Fatalf("no accepted and refused cases for %s", c.name)
			}
			for want, inputs := range map[bool][]string{true: cases.yes, false: cases.no} {
				for _, s := range inputs {
					if _, got := c.check(s); got != want {
						t.Errorf("%s(%q) = %t, want %t", c.name, s, got, want)
					}
					if got := re.MatchString(s); got != want {
						t.Errorf("regexp %s on %q: %t, want %t", c.re, s, got, want)
					}
				}
			}
		})
	}
}

// TestNamesDoNotAllocate: the checks run at registration, some for every
// route or event source; they need no memory of their own.
func TestNamesDoNotAllocate(t *testing.T) {
	for _, c := range nameChecks() {
		for _, s := range nameCases[c.name].yes {
			if n := testing.AllocsPerRun(10, func() { c.run(s) }); n != 0 {
				t.Errorf("%s(%q): %v allocations", c.name, s, n)
			}
		}
	}
}

// TestCaptures checks what the checks that return parts of their input
// return.
func TestCaptures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		check func(string) ([]string, bool)
		in    string
		want  []string
	}{
		{capture1("", "", headerSource).check, "method.request.header.x-token", []string{"x-token"}},
		{capture1("", "", queueARN).check, "arn:aws:sqs:us-east-1:123456789012:orders.fifo", []string{"orders.fifo"}},
		{capture1("", "", topicARN).check, "arn:aws:sns:us-east-1:123456789012:alerts", []string{"alerts"}},
		{capture1("", "", bucketARN).check, "arn:aws:s3:::my-bucket", []string{"my-bucket"}},
		{rateCheck, "rate(12 hours)", []string{"12", "hours"}},
	}
	for _, tc := range tests {
		got, ok := tc.check(tc.in)
		if !ok {
			t.Errorf("%q: no match", tc.in)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
}

// agree reports how c and its regexp disagree on s, "" if they do not.
func agree(c nameCheck, re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	got, ok := c.check(s)
	if ok != (m != nil) {
		return "match " + boolString(ok) + ", regexp " + boolString(m != nil)
	}
	if ok && !slices.Equal(got, m[1:1+len(got)]) {
		return "captures " + strings.Join(got, "|") + ", regexp " + strings.Join(m[1:1+len(got)], "|")
	}
	return ""
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// mutate returns s changed a few times in ways that cross the edges of
// the checks: bytes from their classes and outside them, separators,
// non-ASCII and invalid UTF-8, and runs that cross length limits.
func mutate(r *rand.Rand, s string) string {
	const alphabet = "aAzZ09_-.:/*!#`|~ \t\n\v\f\r()$%&'+^é\xff\x00"
	b := []byte(s)
	for range 1 + r.IntN(2) {
		i := r.IntN(len(b) + 1)
		switch r.IntN(8) {
		case 0: // insert
			c := alphabet[r.IntN(len(alphabet))]
			b = slices.Insert(b, i, c)
		case 1: // replace
			if i < len(b) {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		case 2: // delete
			if i < len(b) {
				b = slices.Delete(b, i, i+1)
			}
		case 3: // lengthen a run
			if i < len(b) {
				b = slices.Insert(b, i, []byte(strings.Repeat(string(b[i]), r.IntN(300)))...)
			}
		case 4: // truncate
			b = b[:i]
		case 5, 6, 7: // repeat a piece
			j := r.IntN(len(b) + 1)
			lo, hi := min(i, j), max(i, j)
			b = slices.Insert(b, hi, b[lo:hi]...)
		}
	}
	return string(b)
}

// seeds are the inputs mutated: every case of every check, since a
// mutation of one check's input is a near miss for another's.
func seeds() []string {
	var all []string
	for _, c := range nameCases {
		all = append(all, c.yes...)
		all = append(all, c.no...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// TestNamesMatchRegexps compares each check with the regular expression
// it replaced on many near misses of the cases above, half of them made
// from the check's own accepted cases (the same inputs on every run);
// FuzzNamesMatchRegexps keeps looking.
func TestNamesMatchRegexps(t *testing.T) {
	t.Parallel()
	n := 20000
	if testing.Short() {
		n = 2000
	}
	all := seeds()
	for i, c := range nameChecks() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			re := regexp.MustCompile(c.re)
			r := rand.New(rand.NewPCG(14, uint64(i)))
			own := nameCases[c.name].yes
			inputs := slices.Clone(all)
			for range n {
				from := all
				if r.IntN(2) == 0 {
					from = own
				}
				inputs = append(inputs, mutate(r, from[r.IntN(len(from))]))
			}
			matched, failures := 0, 0
			for _, s := range inputs {
				if d := agree(c, re, s); d != "" {
					t.Errorf("%s(%q): %s", c.name, s, d)
					if failures++; failures == 10 {
						t.FailNow()
					}
				}
				if re.MatchString(s) {
					matched++
				}
			}
			// The inputs must test both sides of every check.
			if matched < len(inputs)/50 || len(inputs)-matched < len(inputs)/50 {
				t.Errorf("%s: %d of %d inputs match: too few on one side to compare", c.name, matched, len(inputs))
			}
		})
	}
}

func FuzzNamesMatchRegexps(f *testing.F) {
	for _, s := range seeds() {
		f.Add(s)
	}
	checks := nameChecks()
	res := make([]*regexp.Regexp, len(checks))
	for i, c := range checks {
		res[i] = regexp.MustCompile(c.re)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, c := range checks {
			if d := agree(c, res[i], s); d != "" {
				t.Errorf("%s(%q): %s", c.name, s, d)
			}
		}
	})
}

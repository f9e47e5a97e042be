package iam

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMergePolicyKeepsConditionsApart checks that Merge never folds a
// statement with a Condition into another with the same resource: not
// into an unconditioned one (which would lift the condition) nor into
// one with another condition (which would mix their values). gen-policy's
// KMS alias grants rely on it (kms:RequestAlias on key/*).
func TestMergePolicyKeepsConditionsApart(t *testing.T) {
	t.Parallel()
	const keys = "arn:aws:kms:us-east-1:123456789012:key/*"
	alias := func(name string) Conditions { return Conditions{"StringEquals": {"kms:RequestAlias": {name}}} }
	gen := &Policy{Version: Version, Statement: []Statement{
		{Effect: "Allow", Action: Strings{"kms:Encrypt"}, Resource: Strings{keys}, Condition: alias("alias/a")},
		{Effect: "Allow", Action: Strings{"kms:Decrypt"}, Resource: Strings{keys}, Condition: alias("alias/b")},
	}}
	extra := &Policy{Version: Version, Statement: []Statement{
		{Effect: "Allow", Action: Strings{"kms:DescribeKey"}, Resource: Strings{keys}},
		{Effect: "Allow", Action: Strings{"kms:Encrypt"}, Resource: Strings{keys}, Condition: alias("alias/a")},
	}}
	got := Merge(gen, extra)
	want := (&Policy{Version: Version, Statement: []Statement{
		{Effect: "Allow", Action: Strings{"kms:Decrypt"}, Resource: Strings{keys}, Condition: alias("alias/b")},
		{Effect: "Allow", Action: Strings{"kms:DescribeKey"}, Resource: Strings{keys}},
		{Effect: "Allow", Action: Strings{"kms:Encrypt"}, Resource: Strings{keys}, Condition: alias("alias/a")},
	}}).Canonical()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

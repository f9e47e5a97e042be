package app

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAuthResponse(t *testing.T) {
	const arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/donors/42"
	const base = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/"
	resp, err := AuthResponse(arn, "ana",
		AuthRoute{Path: "/donors/{id}", Methods: []string{"GET", "put"}},
		AuthRoute{Path: "/files/{path...}"},
		AuthRoute{Path: "/"})
	if err != nil {
		t.Fatal(err)
	}
	st := resp.PolicyDocument.Statement
	if resp.PrincipalID != "ana" || resp.PolicyDocument.Version != "2012-10-17" || len(st) != 1 || st[0].Effect != "Allow" {
		t.Fatalf("response = %+v", resp)
	}
	want := []string{base + "GET/donors/*", base + "PUT/donors/*", base + "*/files/*", base + "*//"}
	if diff := cmp.Diff(want, st[0].Resource); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"execute-api:Invoke"}, st[0].Action); diff != "" {
		t.Errorf("action (-want +got):\n%s", diff)
	}

	deny, err := AuthResponse(arn, "ana")
	if err != nil || deny.PolicyDocument.Statement[0].Effect != "Deny" || deny.PolicyDocument.Statement[0].Resource[0] != base+"*/*" {
		t.Errorf("no routes: %+v, %v; want a Deny of every route", deny, err)
	}
	for _, bad := range []string{"", "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:execute-api:us-east-1:1:api"} {
		if _, err := AuthResponse(bad, "ana", AuthRoute{Path: "/"}); err == nil {
			t.Errorf("AuthResponse(%q) succeeded", bad)
		}
	}
	if _, err := AuthResponse(arn, "ana", AuthRoute{Path: "donors"}); err == nil {
		t.Error("a relative path was accepted")
	}
}

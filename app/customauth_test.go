package app

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/manifest"
)

// TestCustomAuthorizerByARN registers an authorizer run by an existing
// function: the manifest names its ARN and the app has no function for it.
func TestCustomAuthorizerByARN(t *testing.T) {
	const arn = "arn:aws:lambda:us-east-1:210987654321:function:shared-auth"
	a := New("arnauth")
	shared := a.CustomAuthorizer("shared", arn)
	a.Route("GET /me", func(http.ResponseWriter, *http.Request) {}, WithAuthorizer(shared))
	m := a.Manifest()
	want := []manifest.Authorizer{{Name: "shared", Type: manifest.AuthorizerToken,
		IdentitySources: []string{"method.request.header.Authorization"}, TTLSeconds: 300, FunctionARN: arn}}
	if diff := cmp.Diff(want, m.Authorizers); diff != "" {
		t.Errorf("authorizers (-want +got):\n%s", diff)
	}
	for _, f := range m.Functions {
		if f.Name == "shared" {
			t.Errorf("the app has a function for an authorizer given by ARN: %+v", f)
		}
	}
	if m.Routes[0].Authorizer != "shared" {
		t.Errorf("route authorizer = %q", m.Routes[0].Authorizer)
	}
}

func TestCustomAuthorizerRejectsBadARN(t *testing.T) {
	for arn, want := range map[string]string{
		"shared-auth": "want arn:aws:lambda:REGION:ACCOUNT:function:NAME",
		"arn:aws:lambda:us-east-1:210987654321:layer:x":    "want arn:aws:lambda",
		"arn:aws:lambda::210987654321:function:shared":     "the region is empty",
		"arn:aws:lambda:us-east-1:2109876:function:shared": "12-digit",
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
					t.Errorf("CustomAuthorizer(%q): panic %v, want %q", arn, r, want)
				}
			}()
			New("x").CustomAuthorizer("shared", arn)
		}()
	}
}

package openapi_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/openapi"
	"github.com/gochalice/gochalice/manifest"
)

func sample() *manifest.Manifest {
	return &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "shop",
		Routes: []manifest.Route{
			{Pattern: "GET /orders/{id}", Method: "GET", Path: "/orders/{id}"},
			{Pattern: "POST /orders", Method: "POST", Path: "/orders", APIKeyRequired: true},
		}}
}

func TestProblems(t *testing.T) {
	t.Parallel()
	unknown := sample()
	unknown.Routes[0].Authorizer = "nobody"
	tests := []struct {
		name string
		m    *manifest.Manifest
		http bool
		want []string // subjects
	}{
		{"an API key on a REST API", sample(), false, nil},
		{"an API key on an HTTP API", sample(), true, []string{"route POST /orders"}},
		{"an unknown authorizer", unknown, false, []string{"route GET /orders/{id}"}},
	}
	for _, tc := range tests {
		var got []string
		for _, p := range openapi.Problems(tc.m, tc.http) {
			got = append(got, p.Subject)
			if p.Problem == "" || p.Fix == "" || !strings.HasPrefix(p.String(), p.Subject+": ") {
				t.Errorf("%s: incomplete problem %+v", tc.name, p)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDocuments(t *testing.T) {
	t.Parallel()
	tg := arn.NewTarget("eu-west-1", "123456789012")
	fn := tg.Function("shop-dev")
	rest := func() []byte {
		doc, err := openapi.REST(sample(), openapi.RESTOptions{Title: "shop-dev", Description: "d", FunctionARN: fn, Target: tg})
		if err != nil {
			t.Fatal(err)
		}
		return doc
	}
	a, b := rest(), rest()
	if !bytes.Equal(a, b) {
		t.Error("two REST documents of one app differ")
	}
	for _, want := range []string{`"swagger": "2.0"`, tg.InvocationURI(fn), `"api_key"`, `"name": "id"`} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("REST document lacks %s:\n%s", want, a)
		}
	}
	if _, err := openapi.HTTP(sample(), openapi.HTTPOptions{Title: "shop-dev", FunctionARN: fn, Target: tg}); err == nil || !strings.Contains(err.Error(), "API key") {
		t.Errorf("HTTP document of a route with an API key: err = %v", err)
	}
	m := sample()
	m.Routes[1].APIKeyRequired = false
	doc, err := openapi.HTTP(m, openapi.HTTPOptions{Title: "shop-dev", FunctionARN: fn, Target: tg})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, []byte(`"openapi": "3.0.1"`)) || !bytes.Contains(doc, []byte(`"payloadFormatVersion": "2.0"`)) {
		t.Errorf("HTTP document:\n%s", doc)
	}
}

package wsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestSignMatchesSDK checks the hand-written signer against the AWS SDK's
// for the requests this package makes.
func TestSignMatchesSDK(t *testing.T) {
	now := time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC)
	creds := Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret", SessionToken: "token"}
	for _, tc := range []struct{ method, body string }{
		{http.MethodPost, `{"msg":"hi there"}`},
		{http.MethodDelete, ""},
		{http.MethodGet, ""},
	} {
		u := "https://abc123.execute-api.eu-west-1.amazonaws.com/dev" + ConnectionPath("L0SM9cOFvHcCIhw=")
		mk := func() *http.Request {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			req, err := http.NewRequest(tc.method, u, body)
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
		ours := mk()
		sign(ours, []byte(tc.body), creds, "eu-west-1", "execute-api", now)
		sdk := mk()
		sum := sha256.Sum256([]byte(tc.body))
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{
			AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken,
		}, sdk, hex.EncodeToString(sum[:]), "execute-api", "eu-west-1", now)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ours.Header.Get("Authorization"), sdk.Header.Get("Authorization"); got != want {
			t.Errorf("%s: Authorization\n got %s\nwant %s", tc.method, got, want)
		}
	}
}

func TestClientCalls(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.EscapedPath()+" "+string(body)+" signed="+boolStr(r.Header.Get("Authorization") != ""))
		switch {
		case strings.HasSuffix(r.URL.Path, "/gone"):
			w.WriteHeader(http.StatusGone)
			_, _ = io.WriteString(w, `{"message":"GoneException"}`)
		case r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"connectedAt":"2026-12-05T23:00:00Z","lastActiveAt":"2026-12-05T23:01:00Z","identity":{"sourceIp":"127.0.0.1","userAgent":"ua"}}`)
		}
	}))
	defer srv.Close()
	c := New(srv.URL + "/dev/")
	c.Credentials = func() (Credentials, bool) { return Credentials{AccessKeyID: "a", SecretAccessKey: "b"}, true }
	c.Region = "us-east-1"
	ctx := context.Background()
	if err := c.Send(ctx, "id=1", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx, "id=1"); err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(ctx, "id=1")
	if err != nil || info.Identity.SourceIP != "127.0.0.1" || info.LastActiveAt.Minute() != 1 {
		t.Fatalf("Info = %+v, %v", info, err)
	}
	err = c.Send(ctx, "gone", []byte("x"))
	if !errors.Is(err, ErrGone) || !strings.Contains(err.Error(), "410 GoneException") {
		t.Errorf("Send to a gone connection: %v", err)
	}
	want := []string{
		"POST /dev/@connections/id%3D1 hello signed=true",
		"DELETE /dev/@connections/id%3D1  signed=true",
		"GET /dev/@connections/id%3D1  signed=true",
		"POST /dev/@connections/gone x signed=true",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := c.Send(ctx, "", nil); err == nil {
		t.Error("empty connection id accepted")
	}
}

func TestFromEvent(t *testing.T) {
	var ev events.APIGatewayWebsocketProxyRequest
	ev.RequestContext.DomainName = "abc.execute-api.us-east-1.amazonaws.com"
	ev.RequestContext.Stage = "dev"
	t.Setenv(EnvEndpoint, "")
	if got := FromEvent(ev).Endpoint; got != "https://abc.execute-api.us-east-1.amazonaws.com/dev" {
		t.Errorf("endpoint = %q", got)
	}
	t.Setenv(EnvEndpoint, "http://127.0.0.1:8000/ws/")
	if got := FromEvent(ev).Endpoint; got != "http://127.0.0.1:8000/ws" {
		t.Errorf("endpoint with %s = %q", EnvEndpoint, got)
	}
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/examples/savealife/internal/devtable"
)

// discard drops handle_stream's notices in tests that do not read them.
var discard = log.New(io.Discard, "", 0)

const testStream = "arn:aws:dynamodb:us-east-1:123456789012:table/savealife-donors/stream/2026-01-01T00:00:00.000"

// dynalite is a real DynamoDB implementation (npm package dynalite) run on
// a random loopback port for the duration of the tests.
var dynaliteEndpoint string

func TestMain(m *testing.M) {
	stop, err := startDynalite()
	if err != nil {
		fmt.Fprintln(os.Stderr, "savealife tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// startDynalite starts node_modules/dynalite from the repository root. It
// leaves dynaliteEndpoint empty when node is not installed, and the tests
// that need it skip.
func startDynalite() (stop func(), err error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return func() {}, nil
	}
	cli, err := filepath.Abs("../../node_modules/dynalite/cli.js")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(cli); err != nil {
		return nil, fmt.Errorf("dynalite is not installed (%v): run `npm ci` at the repository root", err)
	}
	for range 5 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(node, cli, "--host", "127.0.0.1", "--port", port, "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start dynalite: %w", err)
		}
		ready := make(chan bool, 1)
		go func() {
			sc := bufio.NewScanner(out)
			ok := sc.Scan() && strings.Contains(sc.Text(), "listening")
			ready <- ok
			_, _ = io.Copy(io.Discard, out)
		}()
		select {
		case ok := <-ready:
			if ok {
				dynaliteEndpoint = "http://127.0.0.1:" + port
				return func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }, nil
			}
		case <-time.After(20 * time.Second):
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	return nil, fmt.Errorf("dynalite did not start")
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// newTable creates a fresh table in dynalite and returns a client for it.
func newTable(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	if dynaliteEndpoint == "" {
		t.Skip("node is not installed, so dynalite (a real DynamoDB implementation) cannot run; install Node.js and run `npm ci` at the repository root")
	}
	db := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(dynaliteEndpoint),
		// dynalite checks that requests are signed, not by whom.
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	name := "savealife-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	if len(name) > 200 {
		name = name[:200]
	}
	if err := devtable.Create(context.Background(), db, name); err != nil {
		t.Fatal(err)
	}
	return db, name
}

type testEnv struct {
	http *http.Client
}

func newEnv(t *testing.T) *testEnv {
	db, table := newTable(t)
	return &testEnv{http: apptest.New(newApp(db, table, testStream, "O-,AB-", discard)).HTTPClient()}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (e *testEnv) do(t *testing.T, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string: // sent as is, to test malformed JSON
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, "https://savealife.example"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: body %q is not a JSON object: %v", method, path, data, err)
		}
	}
	return resp.StatusCode, out
}

func TestDonorLifecycle(t *testing.T) {
	t.Parallel()
	env := newEnv(t)

	status, created := env.do(t, "POST", "/donors", map[string]string{"name": "Ada", "blood_type": "O-", "city": "Lyon", "last_donation": "2026-10-01"})
	if status != http.StatusCreated {
		t.Fatalf("POST /donors = %d %v, want 201", status, created)
	}
	id, _ := created["id"].(string)
	if id == "" {
		t.Fatalf("created donor has no id: %v", created)
	}

	status, got := env.do(t, "GET", "/donors/"+id, nil)
	want := map[string]any{"id": id, "name": "Ada", "blood_type": "O-", "city": "Lyon", "last_donation": "2026-10-01", "created_at": created["created_at"]}
	if status != http.StatusOK {
		t.Fatalf("GET = %d %v", status, got)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GET /donors/%s (-want +got):\n%s", id, diff)
	}

	status, got = env.do(t, "PUT", "/donors/"+id, map[string]string{"name": "Ada L.", "blood_type": "AB-", "city": "Paris"})
	if status != http.StatusOK || got["blood_type"] != "AB-" || got["name"] != "Ada L." || got["city"] != "Paris" {
		t.Fatalf("PUT = %d %v", status, got)
	}

	if _, err := env.do2(t, "POST", "/donors", map[string]string{"name": "Bob", "blood_type": "A+"}); err != nil {
		t.Fatal(err)
	}
	status, list := env.do(t, "GET", "/donors", nil)
	if status != http.StatusOK {
		t.Fatalf("GET /donors = %d", status)
	}
	if n := len(list["donors"].([]any)); n != 2 {
		t.Errorf("GET /donors lists %d donors, want 2: %v", n, list)
	}
	status, list = env.do(t, "GET", "/donors?blood_type=AB-", nil)
	donors := list["donors"].([]any)
	if status != http.StatusOK || len(donors) != 1 || donors[0].(map[string]any)["id"] != id {
		t.Errorf("GET /donors?blood_type=AB- = %d %v, want only %s", status, list, id)
	}

	status, _ = env.do(t, "DELETE", "/donors/"+id, nil)
	if status != http.StatusNoContent {
		t.Errorf("DELETE = %d, want 204", status)
	}
	status, got = env.do(t, "GET", "/donors/"+id, nil)
	if status != http.StatusNotFound || got["Code"] != "NotFoundError" {
		t.Errorf("GET after DELETE = %d %v, want 404 NotFoundError", status, got)
	}
}

func (e *testEnv) do2(t *testing.T, method, path string, body any) (map[string]any, error) {
	status, out := e.do(t, method, path, body)
	if status >= 300 {
		return nil, fmt.Errorf("%s %s = %d %v", method, path, status, out)
	}
	return out, nil
}

func TestDonorErrors(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	tests := []struct {
		name, method, path string
		body               any
		wantStatus         int
		wantCode           string
	}{
		{"missing name", "POST", "/donors", map[string]string{"blood_type": "O+"}, 422, "UnprocessableEntityError"},
		{"bad blood type", "POST", "/donors", map[string]string{"name": "X", "blood_type": "C+"}, 422, "UnprocessableEntityError"},
		{"bad date", "POST", "/donors", map[string]string{"name": "X", "blood_type": "O+", "last_donation": "yesterday"}, 422, "UnprocessableEntityError"},
		{"not JSON", "POST", "/donors", `{"name":`, 400, "BadRequestError"},
		{"unknown donor", "GET", "/donors/nope", nil, 404, "NotFoundError"},
		{"stats are not donors", "GET", "/donors/stats%23O-", nil, 404, "NotFoundError"},
		{"update unknown", "PUT", "/donors/nope", map[string]string{"name": "X", "blood_type": "O+"}, 404, "NotFoundError"},
		{"delete unknown", "DELETE", "/donors/nope", nil, 404, "NotFoundError"},
		{"bad filter", "GET", "/donors?blood_type=Z", nil, 400, "BadRequestError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, got := env.do(t, tc.method, tc.path, tc.body)
			if status != tc.wantStatus || got["Code"] != tc.wantCode {
				t.Errorf("%s %s = %d %v, want %d %s", tc.method, tc.path, status, got, tc.wantStatus, tc.wantCode)
			}
		})
	}
}

func TestMissingTableName(t *testing.T) {
	t.Parallel()
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}})
	c := apptest.New(newApp(db, "", "", "", discard))
	resp, err := c.HTTPClient().Get("/donors/1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 500 || !strings.Contains(string(body), "TABLE_NAME is not set") {
		t.Errorf("GET with no TABLE_NAME = %d %s, want 500 naming TABLE_NAME", resp.StatusCode, body)
	}
}

func TestStreamKeepsCountsAndFlagsUrgentDonors(t *testing.T) {
	t.Parallel()
	db, table := newTable(t)
	c := apptest.New(newApp(db, table, testStream, "O-", discard))

	ada := Donor{ID: "d1", Name: "Ada", BloodType: "O-"}
	bob := Donor{ID: "d2", Name: "Bob", BloodType: "A+"}
	bob2 := bob
	bob2.BloodType = "O-"
	counter := Donor{ID: statsPrefix + "O-"}

	ctx := context.Background()
	resp, err := c.DynamoDB(ctx, "handle_stream",
		apptest.Insert(ada, apptest.WithKeys("id")),
		apptest.Insert(bob, apptest.WithKeys("id")),
		apptest.Modify(bob, bob2, apptest.WithKeys("id")),
		apptest.Insert(counter, apptest.WithKeys("id")), // our own counter: ignored
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("batch failures: %v", resp.BatchItemFailures)
	}
	status, stats := getJSON(t, c, "/stats")
	want := map[string]any{"A+": 0.0, "A-": 0.0, "B+": 0.0, "B-": 0.0, "AB+": 0.0, "AB-": 0.0, "O+": 0.0, "O-": 2.0}
	if diff := cmp.Diff(want, stats["donors_by_blood_type"]); status != 200 || diff != "" {
		t.Errorf("GET /stats = %d (-want +got):\n%s", status, diff)
	}

	if _, err := c.DynamoDB(ctx, "handle_stream", apptest.Remove(ada, apptest.WithKeys("id"))); err != nil {
		t.Fatal(err)
	}
	_, stats = getJSON(t, c, "/stats")
	if got := stats["donors_by_blood_type"].(map[string]any)["O-"]; got != 1.0 {
		t.Errorf("O- count after REMOVE = %v, want 1", got)
	}
}

func TestStreamUrgentNotice(t *testing.T) {
	t.Parallel()
	db, table := newTable(t)
	logs := &syncBuffer{}
	c := apptest.New(newApp(db, table, testStream, "O-", log.New(logs, "", 0)))
	_, err := c.DynamoDB(context.Background(), "handle_stream",
		apptest.Insert(Donor{ID: "u1", BloodType: "O-"}),
		apptest.Insert(Donor{ID: "u2", BloodType: "B+"}),
		apptest.Modify(Donor{ID: "u2", BloodType: "B+"}, Donor{ID: "u2", Name: "renamed", BloodType: "B+"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, `"urgent donor match","donor_id":"u1"`) || strings.Contains(out, `"u2"`) {
		t.Errorf("logs = %q, want a notice for u1 only", out)
	}
}

func TestStreamReportsFailedRecords(t *testing.T) {
	t.Parallel()
	// A table that does not exist makes every count fail: the first record
	// and all after it are reported, so Lambda retries them in order.
	db, _ := newTable(t)
	a := newApp(db, "no-such-table", testStream, "", discard)
	c := apptest.New(a)
	resp, err := c.DynamoDB(context.Background(), "handle_stream",
		apptest.Insert(Donor{ID: "x1", BloodType: "A+"}),
		apptest.Insert(Donor{ID: "x2", BloodType: "B+"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, 0, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		got = append(got, f.ItemIdentifier)
	}
	if diff := cmp.Diff([]string{"000000000000000000001", "000000000000000000002"}, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

func TestManifest(t *testing.T) {
	t.Parallel()
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}})
	m := newApp(db, "t", testStream, "", discard).Manifest()
	var got []string
	for _, r := range m.Routes {
		// A test binary names package main by its import path.
		name := strings.Replace(r.Handler.Name, "github.com/gochalice/gochalice/examples/savealife.", "main.", 1)
		got = append(got, r.Method+" "+r.Path+" "+name)
	}
	want := []string{
		"GET /donors main.(*store).listDonors-fm",
		"POST /donors main.(*store).createDonor-fm",
		"DELETE /donors/{id} main.(*store).deleteDonor-fm",
		"GET /donors/{id} main.(*store).getDonor-fm",
		"PUT /donors/{id} main.(*store).updateDonor-fm",
		"GET /stats main.(*store).getStats-fm",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	fn, ok := m.Function("handle_stream")
	if !ok || fn.DynamoDBStream == nil {
		t.Fatalf("no handle_stream stream function in %+v", m.Functions)
	}
	if s := fn.DynamoDBStream; s.Stream != testStream || !s.ReportBatchItemFailures || s.BatchSize != 50 || s.StartingPosition != "TRIM_HORIZON" {
		t.Errorf("handle_stream source = %+v", *s)
	}
}

func getJSON(t *testing.T, c *apptest.Client, path string) (int, map[string]any) {
	t.Helper()
	resp, err := c.HTTPClient().Get(path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

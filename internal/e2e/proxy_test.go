package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// call is one AWS request the CLI sent.
type call struct {
	op       string // the operation (CreateRole), or method and path for REST APIs
	mutating bool
	create   bool
}

func (c call) String() string { return c.op }

// proxy stands between the CLI and moto (the CLI's AWS_ENDPOINT_URL). It
// counts the calls, and on request loses the answer of each create call
// once, after moto has done it, or kills the CLI once it has seen its Nth
// mutating call (again after moto has done it, so the CLI never learns the
// outcome).
type proxy struct {
	url    string
	target *url.URL
	rp     *httputil.ReverseProxy

	mu      sync.Mutex
	calls   []call
	lose    bool            // lose the first answer of each create call
	lost    map[string]bool // the create calls whose answer was lost
	nLost   int
	killAt  int    // kill after this mutating call (1-based), 0 for never
	kill    func() // what kills the CLI
	killed  bool
	nMutate int
}

func newProxy(t *testing.T, motoURL string) *proxy {
	t.Helper()
	target, err := url.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, rp: httputil.NewSingleHostReverseProxy(target)}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// start forgets the calls seen so far and sets what the proxy does to
// the next run of the CLI: kill it after its killAt-th mutating call (0:
// never).
func (p *proxy) start(killAt int, kill func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls, p.nMutate = nil, 0
	p.killAt, p.kill, p.killed = killAt, kill, false
}

// loseAnswers turns losing the first answer of each create call on or
// off; turning it on forgets which answers were lost already.
func (p *proxy) loseAnswers(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lose = on
	if on {
		p.lost, p.nLost = map[string]bool{}, 0
	}
}

// wasKilled says whether the proxy killed the CLI since start.
func (p *proxy) wasKilled() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.killed
}

// mutating returns the mutating calls seen since start.
func (p *proxy) mutating() []call {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []call
	for _, c := range p.calls {
		if c.mutating {
			out = append(out, c)
		}
	}
	return out
}

// lostAnswers returns the calls whose answers were lost since
// loseAnswers(true), sorted.
func (p *proxy) lostAnswers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.lost {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	c := classify(r, body)
	sum := sha256.Sum256(body)
	key := c.op + " " + hex.EncodeToString(sum[:6])

	p.mu.Lock()
	p.calls = append(p.calls, c)
	loseIt, kill, closeConn := false, func() {}, false
	if c.mutating {
		p.nMutate++
		if p.killAt > 0 && p.nMutate == p.killAt && !p.killed {
			p.killed, kill, loseIt, closeConn = true, p.kill, true, true
		}
	}
	if c.create && p.lose && !p.lost[key] {
		p.lost[key] = true
		p.nLost++
		// Half the lost answers are a reset connection, half a 502.
		loseIt, closeConn = true, closeConn || p.nLost%2 == 1
	}
	p.mu.Unlock()

	if !loseIt {
		p.rp.ServeHTTP(w, r)
		return
	}
	// Let moto do it, then lose its answer.
	out := r.Clone(context.WithoutCancel(r.Context()))
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.Body = io.NopCloser(bytes.NewReader(body))
	if resp, err := http.DefaultTransport.RoundTrip(out); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	kill()
	if closeConn {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	}
	http.Error(w, "answer lost by the test proxy", http.StatusBadGateway)
}

// classify names the operation of an AWS request and says whether it
// changes anything: JSON protocols name it in X-Amz-Target, query
// protocols (IAM, STS, SNS) in the form's Action; REST protocols (Lambda,
// API Gateway, S3) change things with anything but GET and HEAD.
func classify(r *http.Request, body []byte) call {
	op := ""
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		op = t[strings.LastIndex(t, ".")+1:]
	} else if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			op = v.Get("Action")
		}
	}
	if op != "" {
		read := hasAnyPrefix(op, "Get", "List", "Describe", "Head")
		return call{op: op, mutating: !read, create: hasAnyPrefix(op, "Create", "Put", "Add", "Import", "Subscribe", "Tag", "Attach")}
	}
	op = r.Method + " " + r.URL.Path
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return call{op: op}
	case http.MethodPost, http.MethodPut:
		return call{op: op, mutating: true, create: true}
	}
	return call{op: op, mutating: true}
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

package local

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// forwarder is local's own server: it forwards every request to the app
// that runs now and logs it, as chalice local does.
type forwarder struct {
	log io.Writer

	mu     sync.Mutex // guards target and writes to log
	target *url.URL   // nil while the app is (re)building
}

func (f *forwarder) setTarget(u *url.URL) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target = u
}

func (f *forwarder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	f.mu.Lock()
	target := f.target
	f.mu.Unlock()
	if target == nil {
		rec.Header().Set("Content-Type", "application/json")
		rec.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(rec, `{"message":"gochalice local: the app is not running (it is rebuilding, or its last build failed: see the terminal)"}`+"\n")
	} else {
		proxy := &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host
				pr.SetXForwarded()
			},
			FlushInterval: -1,
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadGateway)
				_, _ = fmt.Fprintf(w, `{"message":"gochalice local: the app did not answer (%s)"}`+"\n", jsonEscape(err.Error()))
			},
		}
		proxy.ServeHTTP(rec, r)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fmt.Fprintf(f.log, "%s %s %d %s\n", r.Method, r.URL.RequestURI(), rec.status(), formatDuration(time.Since(start)))
}

// statusRecorder remembers the status a handler answered.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// Unwrap lets http.ResponseController reach the connection (flushes).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// formatDuration writes d in milliseconds with one decimal, as request
// logs read best.
func formatDuration(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

func jsonEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lineFilter copies whole lines to w, leaving out those drop matches.
type lineFilter struct {
	w    io.Writer
	drop func(line []byte) bool

	mu      sync.Mutex
	partial []byte
}

func (f *lineFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.partial = append(f.partial, p...)
	for {
		i := bytes.IndexByte(f.partial, '\n')
		if i < 0 {
			break
		}
		line := f.partial[:i+1]
		if !f.drop(line) {
			if _, err := f.w.Write(line); err != nil {
				return len(p), err
			}
		}
		f.partial = f.partial[i+1:]
	}
	return len(p), nil
}

// flush writes what is left of an unfinished last line.
func (f *lineFilter) flush() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.partial) > 0 && !f.drop(f.partial) {
		_, _ = f.w.Write(f.partial)
	}
	f.partial = nil
}

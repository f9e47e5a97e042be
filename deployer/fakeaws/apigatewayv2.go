package fakeaws

// httpAPI is an API Gateway HTTP API.
type httpAPI struct{}

// HTTPAPISnapshot is an HTTP API.
type HTTPAPISnapshot struct{}

// httpAPISnapshots returns the HTTP APIs, sorted by name; the caller
// holds c.mu.
func (c *Cloud) httpAPISnapshots() []HTTPAPISnapshot { return nil }

package app

import (
	"context"
	"net/http"

	"github.com/gochalice/gochalice/internal/apigw"
	"github.com/gochalice/gochalice/manifest"
)

// applyLocal puts the caller's identity in the local server's request
// context.
func applyLocal(l *apigw.Auth, rc *RequestContext) {
	switch l.Type {
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		rc.PrincipalID = l.PrincipalID
		rc.Authorizer = map[string]any{"principalId": l.PrincipalID}
		for k, v := range l.Context {
			rc.Authorizer[k] = v
		}
	case manifest.AuthorizerCognito:
		rc.Claims = cloneClaims(l.Claims)
		claims := make(map[string]any, len(l.Claims))
		for k, v := range l.Claims {
			claims[k] = v
		}
		rc.Authorizer = map[string]any{"claims": claims}
	case manifest.AuthorizerIAM:
		rc.UserARN = l.UserARN
	}
}

// localHandler is the local server's handler: Handler behind API
// Gateway's front door as package internal/apigw emulates it (shared with
// package apptest). A request no route takes gets API Gateway's answer
// for the API type (REST: 403 Missing Authentication Token; HTTP API: 404
// Not Found), never the app's own 404 or 405, which API Gateway does not
// show; the routes' authorizers and API keys are applied in local mode.
func (a *App) localHandler(api apigw.API, cfg apigw.Config) http.Handler {
	h := a.Handler()
	m := a.Manifest()
	cfg.Authorizers = m.Authorizers
	cfg.Invoke = a.Invoke
	cfg.Logger = a.logger()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, params, ok := apigw.Match(m.Routes, r.Method, r.URL.EscapedPath())
		if !ok {
			apigw.Unmatched(api).Write(w)
			return
		}
		if rt.Authorizer == "" && !rt.APIKeyRequired {
			h.ServeHTTP(w, r)
			return
		}
		res := apigw.Authorize(r, rt, params, cfg)
		if res.Refused() {
			res.Write(w)
			return
		}
		rc := &RequestContext{}
		if prev, ok := r.Context().Value(localKey{}).(*RequestContext); ok {
			*rc = *prev
		}
		applyLocal(&res, rc)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localKey{}, rc)))
	})
}

func cloneClaims(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

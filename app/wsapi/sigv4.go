package wsapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sign adds a Signature Version 4 Authorization header to req, as the AWS
// SDK's signer does for a non-S3 service (path escaped once more, every
// header but the ignored ones signed).
func sign(req *http.Request, body []byte, c Credentials, region, service string, now time.Time) {
	amzDate := now.Format("20060102T150405Z")
	day := now.Format("20060102")
	req.Header.Set("X-Amz-Date", amzDate)
	if c.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", c.SessionToken)
	}
	payload := sha256.Sum256(body)

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if p := req.URL.Port(); (p == "443" && req.URL.Scheme == "https") || (p == "80" && req.URL.Scheme == "http") {
		host = req.URL.Hostname()
	}
	signed := map[string][]string{"host": {host}}
	names := []string{"host"}
	if req.ContentLength > 0 {
		signed["content-length"] = []string{strconv.FormatInt(req.ContentLength, 10)}
		names = append(names, "content-length")
	}
	for k, v := range req.Header {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "User-Agent", "X-Amzn-Trace-Id", "Expect", "Transfer-Encoding", "Content-Length":
			continue
		}
		lk := strings.ToLower(k)
		if _, ok := signed[lk]; !ok {
			names = append(names, lk)
		}
		signed[lk] = append(signed[lk], v...)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, n := range names {
		vals := make([]string, len(signed[n]))
		for i, v := range signed[n] {
			vals[i] = strings.TrimSpace(strings.Join(strings.Fields(v), " "))
		}
		canonHeaders.WriteString(n + ":" + strings.Join(vals, ",") + "\n")
	}
	signedHeaders := strings.Join(names, ";")

	uri := req.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	canonical := strings.Join([]string{
		req.Method,
		escape(uri, true),
		req.URL.Query().Encode(),
		canonHeaders.String(),
		signedHeaders,
		hex.EncodeToString(payload[:]),
	}, "\n")
	scope := day + "/" + region + "/" + service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := hmacSHA256([]byte("AWS4"+c.SecretAccessKey), day)
	key = hmacSHA256(key, region)
	key = hmacSHA256(key, service)
	key = hmacSHA256(key, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(key, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+c.AccessKeyID+"/"+scope+
		", SignedHeaders="+signedHeaders+", Signature="+sig)
}

func hmacSHA256(key []byte, s string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(s))
	return h.Sum(nil)
}

// escape percent-encodes every byte but the unreserved ones (and '/' when
// keepSlash), as AWS's URI encoding does.
func escape(s string, keepSlash bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || keepSlash && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

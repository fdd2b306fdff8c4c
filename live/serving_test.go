package live

// The serving rules of RULES.md §4 on a 200 and on other statuses: content
// type, cache control, size, status and redirects.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/cimd-dev/cimd/validate"
)

func TestCheckLiveContentType(t *testing.T) {
	tests := []struct {
		contentType string
		want        []string // message parts; nil means no finding
	}{
		{"application/json; charset=utf-8", nil},
		{"application/cimd+json", nil},
		{"Application/JSON", nil},
		{"text/plain; charset=utf-8", []string{"text/plain", "raw GitHub"}},
		{"binary/octet-stream", []string{"S3 default", "ContentType application/json"}},
		{"application/octet-stream", []string{"application/octet-stream"}},
		{"text/html", []string{"HTML page"}},
		{"-", []string{"no Content-Type"}},
		{"application/jsonp", []string{"application/jsonp"}},
	}
	srvs := map[string]*testServer{}
	for _, tt := range tests {
		srvs[tt.contentType] = newTestServer(t, serveDoc(tt.contentType, "max-age=60"))
	}
	for _, tt := range tests {
		t.Run(tt.contentType, func(t *testing.T) {
			t.Parallel()
			srv := srvs[tt.contentType]
			r := Check(context.Background(), srv.docURL(), srv.opts())
			if tt.want == nil {
				wantValid(t, r)
				if r.Has("http-content-type") {
					t.Errorf("Check(%q) = %v; want no http-content-type", tt.contentType, r.Findings)
				}
				return
			}
			wantFinding(t, r, "http-content-type", validate.Error, tt.want...)
			if r.Document == nil {
				t.Errorf("Check(%q): Document is nil; the body is still checked", tt.contentType)
			}
		})
	}
}

func TestCheckLiveCacheControl(t *testing.T) {
	tests := []struct {
		cacheControl string
		want         string // message part; "" means no finding
	}{
		{"public, max-age=3600", ""},
		{"max-age=86400", ""},
		{"-", "no Cache-Control"},
		{"no-store", "no-store"},
		{"public, no-cache", "no-cache"},
		{"max-age=0", "max-age=0"},
		{"public, max-age=604800", "over a day"},
	}
	for _, tt := range tests {
		t.Run(tt.cacheControl, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, serveDoc("application/json", tt.cacheControl))
			r := Check(context.Background(), srv.docURL(), srv.opts())
			wantValid(t, r) // a warning only
			if tt.want == "" {
				if r.Has("http-cache-control") {
					t.Errorf("Check(%q) = %v; want no http-cache-control", tt.cacheControl, r.Findings)
				}
				return
			}
			wantFinding(t, r, "http-cache-control", validate.Warning, tt.want)
		})
	}
}

func TestCheckLiveStatus(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		rule    string
		want    []string
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "oops", http.StatusInternalServerError)
		}, "http-status", []string{"500 Internal Server Error", "only 200"}},
		{"404 HTML", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<!DOCTYPE html><html><body>Not here</body></html>")
		}, "http-status", []string{"404 Not Found", "HTML", "error page, an SPA fallback or a bot challenge", "deployed"}},
		{"403 HTML mislabelled", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "\n  <html><head><title>Just a moment...</title></head></html>")
		}, "http-status", []string{"403 Forbidden", "HTML"}},
		{"403 Cloudflare challenge", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Cf-Mitigated", "challenge")
			w.Header().Set("Server", "cloudflare")
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<!DOCTYPE html><title>Just a moment...</title>")
		}, "http-status", []string{"403", "Cloudflare", "bot challenge"}},
		{"203", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNonAuthoritativeInfo)
			w.Write(testDoc(requestURL(r)))
		}, "http-status", []string{"203 Non-Authoritative Information", "only 200"}},
		{"301", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/client.json", http.StatusMovedPermanently)
		}, "http-redirect", []string{"301", `"https://elsewhere.example/client.json"`, "do not follow"}},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, requestURL(r), http.StatusFound)
		}, "http-redirect", []string{"302", "itself"}},
		{"trailing slash", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, requestURL(r)+"/", http.StatusMovedPermanently)
		}, "http-redirect", []string{"trailing slash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, tt.handler)
			r := Check(context.Background(), srv.docURL(), srv.opts())
			wantFinding(t, r, tt.rule, validate.Error, tt.want...)
			if r.Document != nil || r.Has("http-content-type") || r.Has("doc-not-json") {
				t.Errorf("Check(%s) = %v, document %v; want no body or header rules on a non-200", tt.name, r.Findings, r.Document)
			}
			if n := srv.requests.Load(); n != 1 {
				t.Errorf("server saw %d requests; want exactly 1 (redirects are not followed)", n)
			}
			if r.HTTP == nil || r.HTTP.Status == 200 || r.HTTP.Status == 0 {
				t.Errorf("Check(%s): HTTP = %+v; want the status", tt.name, r.HTTP)
			}
		})
	}
}

// padded serves the test document padded with trailing spaces (still the
// same JSON) to exactly n bytes.
func padded(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		doc := testDoc(requestURL(r))
		doc = append(doc, bytes.Repeat([]byte(" "), n-len(doc))...)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Header().Set("Content-Length", fmt.Sprint(len(doc)))
		w.Write(doc)
	}
}

func TestCheckLiveSize(t *testing.T) {
	t.Run("5120", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, padded(validate.MaxBytes))
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantValid(t, r)
		wantFinding(t, r, "http-size", validate.Warning, "5120 bytes", "Keycloak")
		if r.Document == nil || r.HTTP.Bytes != validate.MaxBytes {
			t.Errorf("Check(5120 bytes): document %v, HTTP %+v; want the document checked, 5120 bytes", r.Document, r.HTTP)
		}
	})
	t.Run("5121", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, padded(validate.MaxBytes+1))
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-size", validate.Error, "5121 bytes", "5120")
		if r.Document != nil {
			t.Errorf("Check(5121 bytes): document %v; want nil, an oversize body is not checked", r.Document)
		}
	})
}

package live

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// testServer is a real TLS server that counts what reached it, so tests can
// prove that a refused URL was never fetched.
type testServer struct {
	*httptest.Server
	requests atomic.Int32
	conns    atomic.Int32
	last     atomic.Pointer[http.Request]
}

// newTestServer starts a TLS server on 127.0.0.1 running h. Its URL for the
// document is srv.URL + "/oauth/client.json".
func newTestServer(t *testing.T, h http.HandlerFunc) *testServer {
	t.Helper()
	ts := &testServer{}
	ts.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		ts.last.Store(r)
		h(w, r)
	}))
	ts.countConns()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) countConns() {
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			ts.conns.Add(1)
		}
	}
	// Handshake failures are what several tests provoke; keep them quiet.
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
}

func (ts *testServer) docURL() string { return ts.URL + "/oauth/client.json" }

// testTimeout bounds fetches that are not about timing. It is generous so
// that a machine busy with other tests does not fail them; a working local
// fetch takes milliseconds.
const testTimeout = 5 * time.Second

// opts trusts the server's certificate and allows 127.0.0.1.
func (ts *testServer) opts() Options {
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return Options{
		Options:   validate.Options{AllowPrivate: true},
		Timeout:   testTimeout,
		RootCAs:   pool,
		UserAgent: "cimd/test",
	}
}

// requestURL is the URL the client asked for, as a client_id.
func requestURL(r *http.Request) string { return "https://" + r.Host + r.URL.Path }

// testDoc is a document that passes the offline rules when served at url.
func testDoc(url string) []byte {
	b, err := json.MarshalIndent(map[string]any{
		"client_id":                  url,
		"client_name":                "Test App",
		"redirect_uris":              []string{"http://127.0.0.1:8080/callback"},
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code"},
		"response_types":             []string{"code"},
		"application_type":           "native",
	}, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// serveDoc answers with the document for the requested URL, as a well-set
// host does, with the given Content-Type and Cache-Control ("-" omits one).
func serveDoc(contentType, cacheControl string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		setHeader(w, "Content-Type", contentType)
		setHeader(w, "Cache-Control", cacheControl)
		w.Write(testDoc(requestURL(r)))
	}
}

func setHeader(w http.ResponseWriter, k, v string) {
	if v == "-" {
		w.Header()[k] = nil // also stops net/http from sniffing a type
		return
	}
	w.Header().Set(k, v)
}

func rules(r validate.Result) []string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.Rule)
	}
	return s
}

func finding(r validate.Result, rule string) (validate.Finding, bool) {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return f, true
		}
	}
	return validate.Finding{}, false
}

// wantFinding fails unless r has rule with severity sev and a message holding
// every one of parts.
func wantFinding(t *testing.T, r validate.Result, rule string, sev validate.Severity, parts ...string) {
	t.Helper()
	f, ok := finding(r, rule)
	if !ok {
		t.Fatalf("Check(%s) = %v; want rule %q", r.URL, r.Findings, rule)
	}
	t.Logf("%s %s: %s", f.Severity, f.Rule, f.Message)
	if f.Severity != sev {
		t.Errorf("Check(%s): %s severity %s; want %s", r.URL, rule, f.Severity, sev)
	}
	for _, p := range parts {
		if !strings.Contains(f.Message, p) {
			t.Errorf("Check(%s): %s message %q; want it to contain %q", r.URL, rule, f.Message, p)
		}
	}
}

func wantValid(t *testing.T, r validate.Result) {
	t.Helper()
	if !r.Valid {
		t.Fatalf("Check(%s) = invalid, %v; want valid", r.URL, r.Findings)
	}
}

func TestCheckLiveValid(t *testing.T) {
	srv := newTestServer(t, serveDoc("application/json", "public, max-age=3600"))
	r := Check(context.Background(), srv.docURL(), srv.opts())
	wantValid(t, r)
	for _, rule := range rules(r) {
		if strings.HasPrefix(rule, "http-") {
			t.Errorf("Check: unexpected %s: %v", rule, r.Findings)
		}
	}
	if r.HTTP == nil || r.HTTP.Status != 200 || r.HTTP.ContentType != "application/json" ||
		r.HTTP.CacheControl != "public, max-age=3600" || r.HTTP.Bytes != len(r.Body) {
		t.Errorf("Check: HTTP = %+v; want status 200, application/json, the cache-control and %d bytes", r.HTTP, len(r.Body))
	}
	if r.Document["client_id"] != srv.docURL() {
		t.Errorf("Check: Document = %v; want client_id %s", r.Document, srv.docURL())
	}
	req := srv.last.Load()
	if got := req.Header.Get("Accept"); got != "application/json" {
		t.Errorf("request Accept = %q; want application/json", got)
	}
	if got := req.Header.Get("User-Agent"); got != "cimd/test" {
		t.Errorf("request User-Agent = %q; want cimd/test", got)
	}
	if got := req.Header.Get("Authorization") + req.Header.Get("Cookie"); got != "" {
		t.Errorf("request sent credentials %q; want none", got)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests; want 1", n)
	}
}

func TestCheckLiveHTTP2(t *testing.T) {
	var proto atomic.Int32
	srv := &testServer{}
	srv.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto.Store(int32(r.ProtoMajor))
		serveDoc("application/json", "max-age=60")(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.countConns()
	srv.StartTLS()
	t.Cleanup(srv.Close)

	r := Check(context.Background(), srv.docURL(), srv.opts())
	wantValid(t, r)
	if p := proto.Load(); p != 2 {
		t.Errorf("server saw HTTP/%d; want HTTP/2", p)
	}
}

func TestCheckLivePrivateAddress(t *testing.T) {
	srv := newTestServer(t, serveDoc("application/json", "max-age=60"))
	opts := srv.opts()
	opts.AllowPrivate = false
	for _, u := range []string{srv.docURL(), strings.Replace(srv.docURL(), "127.0.0.1", "localhost", 1)} {
		r := Check(context.Background(), u, opts)
		wantFinding(t, r, "url-private-address", validate.Error, "127.0.0.1", "not fetched")
		if n := len(rules(r)); n != 1+len(nonPrivate(validate.CheckURL(u, opts.Options))) {
			t.Errorf("Check(%s) = %v; want url-private-address once", u, r.Findings)
		}
	}
	if n, c := srv.requests.Load(), srv.conns.Load(); n != 0 || c != 0 {
		t.Errorf("server saw %d requests on %d connections; want none", n, c)
	}
}

// TestCheckLivePrivateName checks that a loopback name the resolver may not
// answer (RFC 6761's .localhost, the legacy IPv4 spelling 127.1) is refused
// as url-private-address, not reported as a DNS failure, and not fetched.
func TestCheckLivePrivateName(t *testing.T) {
	for _, u := range []string{"https://app.localhost/oauth/client.json", "https://127.1/oauth/client.json"} {
		r := Check(context.Background(), u, Options{Timeout: 2 * time.Second})
		if !r.Has("url-private-address") || r.Has("http-fetch") {
			t.Errorf("Check(%s) = %v; want url-private-address and no http-fetch", u, r.Findings)
		}
		if r.HTTP != nil && r.HTTP.Status != 0 {
			t.Errorf("Check(%s).HTTP = %+v; want no response", u, r.HTTP)
		}
	}
}

func nonPrivate(fs []validate.Finding) []validate.Finding {
	var out []validate.Finding
	for _, f := range fs {
		if f.Rule != "url-private-address" {
			out = append(out, f)
		}
	}
	return out
}

func TestCheckLiveDocument(t *testing.T) {
	tests := []struct {
		name string
		body func(url string) string
		rule string
	}{
		{"non-UTF-8", func(url string) string {
			return strings.Replace(string(testDoc(url)), "Test App", "Test \xff\xfe App", 1)
		}, "doc-encoding"},
		{"duplicate keys", func(url string) string {
			return strings.Replace(string(testDoc(url)), `"client_name": "Test App"`, `"client_name": "A", "client_name": "B"`, 1)
		}, "doc-duplicate-key"},
		{"client_id mismatch", func(url string) string {
			return string(testDoc(url + "/"))
		}, "doc-client-id-mismatch"},
		{"not JSON", func(url string) string {
			return "{client_id: nope}"
		}, "doc-not-json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "max-age=60")
				io.WriteString(w, tt.body(requestURL(r)))
			})
			r := Check(context.Background(), srv.docURL(), srv.opts())
			if !r.Has(tt.rule) || r.Valid {
				t.Errorf("Check(%s) = %v; want rule %q", tt.name, r.Findings, tt.rule)
			}
		})
	}
}

// TestCheckLiveInvalidNotFetched checks that a URL with url-invalid is not
// fetched even when Go's parser would take it (a bracket outside an IP
// literal, a second "@", a space): the contract says no fetch follows.
func TestCheckLiveInvalidNotFetched(t *testing.T) {
	srv := newTestServer(t, serveDoc("application/json", "max-age=60"))
	opts := srv.opts()
	for _, u := range []string{srv.URL + "/a]b.json", strings.Replace(srv.URL, "https://", "https://a@b@", 1) + "/c.json", srv.URL + "/my client.json"} {
		r := Check(context.Background(), u, opts)
		if !r.Has("url-invalid") || r.HTTP != nil {
			t.Errorf("Check(%s) = %v, http %v; want url-invalid and no fetch", u, r.Findings, r.HTTP)
		}
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("server saw %d requests; want none", n)
	}
}

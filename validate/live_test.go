package validate

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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
func (ts *testServer) opts() LiveOptions {
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return LiveOptions{
		Options:   Options{AllowPrivate: true},
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

func rules(r Result) []string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.Rule)
	}
	return s
}

func finding(r Result, rule string) (Finding, bool) {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return f, true
		}
	}
	return Finding{}, false
}

// wantFinding fails unless r has rule with severity sev and a message holding
// every one of parts.
func wantFinding(t *testing.T, r Result, rule string, sev Severity, parts ...string) {
	t.Helper()
	f, ok := finding(r, rule)
	if !ok {
		t.Fatalf("CheckLive(%s) = %v; want rule %q", r.URL, r.Findings, rule)
	}
	t.Logf("%s %s: %s", f.Severity, f.Rule, f.Message)
	if f.Severity != sev {
		t.Errorf("CheckLive(%s): %s severity %s; want %s", r.URL, rule, f.Severity, sev)
	}
	for _, p := range parts {
		if !strings.Contains(f.Message, p) {
			t.Errorf("CheckLive(%s): %s message %q; want it to contain %q", r.URL, rule, f.Message, p)
		}
	}
}

func wantValid(t *testing.T, r Result) {
	t.Helper()
	if !r.Valid {
		t.Fatalf("CheckLive(%s) = invalid, %v; want valid", r.URL, r.Findings)
	}
}

func TestCheckLiveValid(t *testing.T) {
	srv := newTestServer(t, serveDoc("application/json", "public, max-age=3600"))
	r := CheckLive(context.Background(), srv.docURL(), srv.opts())
	wantValid(t, r)
	for _, rule := range rules(r) {
		if strings.HasPrefix(rule, "http-") {
			t.Errorf("CheckLive: unexpected %s: %v", rule, r.Findings)
		}
	}
	if r.HTTP == nil || r.HTTP.Status != 200 || r.HTTP.ContentType != "application/json" ||
		r.HTTP.CacheControl != "public, max-age=3600" || r.HTTP.Bytes != len(r.Body) {
		t.Errorf("CheckLive: HTTP = %+v; want status 200, application/json, the cache-control and %d bytes", r.HTTP, len(r.Body))
	}
	if r.Document["client_id"] != srv.docURL() {
		t.Errorf("CheckLive: Document = %v; want client_id %s", r.Document, srv.docURL())
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
			r := CheckLive(context.Background(), srv.docURL(), srv.opts())
			if tt.want == nil {
				wantValid(t, r)
				if r.Has("http-content-type") {
					t.Errorf("CheckLive(%q) = %v; want no http-content-type", tt.contentType, r.Findings)
				}
				return
			}
			wantFinding(t, r, "http-content-type", Error, tt.want...)
			if r.Document == nil {
				t.Errorf("CheckLive(%q): Document is nil; the body is still checked", tt.contentType)
			}
		})
	}
}

func TestCheckLiveRawGitHubHint(t *testing.T) {
	f := contentTypeFinding(mustParse(t, "https://raw.githubusercontent.com/o/r/main/client.json"), "text/plain; charset=utf-8", nil)
	if f == nil || !strings.Contains(f.Message, "GitHub Pages") {
		t.Errorf("contentTypeFinding(raw GitHub) = %v; want a hint to host it elsewhere", f)
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
			r := CheckLive(context.Background(), srv.docURL(), srv.opts())
			wantValid(t, r) // a warning only
			if tt.want == "" {
				if r.Has("http-cache-control") {
					t.Errorf("CheckLive(%q) = %v; want no http-cache-control", tt.cacheControl, r.Findings)
				}
				return
			}
			wantFinding(t, r, "http-cache-control", Warning, tt.want)
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
			r := CheckLive(context.Background(), srv.docURL(), srv.opts())
			wantFinding(t, r, tt.rule, Error, tt.want...)
			if r.Document != nil || r.Has("http-content-type") || r.Has("doc-not-json") {
				t.Errorf("CheckLive(%s) = %v, document %v; want no body or header rules on a non-200", tt.name, r.Findings, r.Document)
			}
			if n := srv.requests.Load(); n != 1 {
				t.Errorf("server saw %d requests; want exactly 1 (redirects are not followed)", n)
			}
			if r.HTTP == nil || r.HTTP.Status == 200 || r.HTTP.Status == 0 {
				t.Errorf("CheckLive(%s): HTTP = %+v; want the status", tt.name, r.HTTP)
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
		srv := newTestServer(t, padded(MaxBytes))
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantValid(t, r)
		wantFinding(t, r, "http-size", Warning, "5120 bytes", "Keycloak")
		if r.Document == nil || r.HTTP.Bytes != MaxBytes {
			t.Errorf("CheckLive(5120 bytes): document %v, HTTP %+v; want the document checked, 5120 bytes", r.Document, r.HTTP)
		}
	})
	t.Run("5121", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, padded(MaxBytes+1))
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-size", Error, "5121 bytes", "5120")
		if r.Document != nil {
			t.Errorf("CheckLive(5121 bytes): document %v; want nil, an oversize body is not checked", r.Document)
		}
	})
}

// allocated returns how many bytes f allocated, all goroutines included.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocLimit is far below a gigabyte and far above what one fetch needs
// (transport buffers, TLS, the test server's own writes).
const allocLimit = 32 << 20

func TestCheckLiveGigabyteBody(t *testing.T) {
	const size = 1 << 30
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(size))
		buf := bytes.Repeat([]byte(" "), 32<<10)
		for n := 0; n < size; n += len(buf) {
			if _, err := w.Write(buf); err != nil {
				return // the client hung up, as it should
			}
		}
	})
	var r Result
	start := time.Now()
	alloc := allocated(func() { r = CheckLive(context.Background(), srv.docURL(), srv.opts()) })
	wantFinding(t, r, "http-size", Error, "1073741824 bytes")
	if len(r.Body) != MaxBytes+1 || r.HTTP.Bytes != size {
		t.Errorf("CheckLive(1 GB): read %d bytes, HTTP.Bytes %d; want %d read and %d reported", len(r.Body), r.HTTP.Bytes, MaxBytes+1, size)
	}
	if alloc > allocLimit {
		t.Errorf("CheckLive(1 GB) allocated %d bytes; want under %d", alloc, allocLimit)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("CheckLive(1 GB) took %s; it must stop reading at %d bytes", d, MaxBytes+1)
	}
}

func TestCheckLiveGzipBomb(t *testing.T) {
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "gzip only", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		buf := make([]byte, 64<<10) // zeros: 1 GB of them compresses to about 1 MB
		for range 1 << 14 {
			if _, err := gz.Write(buf); err != nil {
				return
			}
		}
		gz.Close()
	})
	var r Result
	alloc := allocated(func() { r = CheckLive(context.Background(), srv.docURL(), srv.opts()) })
	wantFinding(t, r, "http-size", Error, "more than 5120 bytes")
	if len(r.Body) != MaxBytes+1 {
		t.Errorf("CheckLive(gzip bomb): read %d decoded bytes; want %d", len(r.Body), MaxBytes+1)
	}
	if alloc > allocLimit {
		t.Errorf("CheckLive(gzip bomb) allocated %d bytes; want under %d", alloc, allocLimit)
	}
}

func TestCheckLiveGzip(t *testing.T) {
	gzipped := func(corrupt bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var b bytes.Buffer
			gz := gzip.NewWriter(&b)
			gz.Write(testDoc(requestURL(r)))
			gz.Close()
			body := b.Bytes()
			if corrupt {
				body[len(body)-6] ^= 0xff // the CRC-32
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(body)
		}
	}
	t.Run("valid", func(t *testing.T) {
		srv := newTestServer(t, gzipped(false))
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantValid(t, r)
		if r.Document == nil {
			t.Errorf("CheckLive(gzip): no document; want the decoded one")
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		srv := newTestServer(t, gzipped(true))
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", Error, "gzip")
		if r.Document != nil {
			t.Errorf("CheckLive(bad gzip): document %v; want nil", r.Document)
		}
	})
	t.Run("not gzip", func(t *testing.T) {
		srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(testDoc(requestURL(r)))
		})
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", Error, "not valid gzip")
	})
}

// stall blocks a handler until the client hangs up; with a deadline in the
// test, never longer than that.
func stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestCheckLiveTimeout(t *testing.T) {
	const timeout = time.Second
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"one byte per second", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			for range 100 {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(time.Second):
				}
			}
		}, "reading the body"},
		{"headers never come", func(w http.ResponseWriter, r *http.Request) {
			stall(r)
		}, "waiting for the response headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, tt.handler)
			opts := srv.opts()
			opts.Timeout = timeout
			start := time.Now()
			r := CheckLive(context.Background(), srv.docURL(), opts)
			elapsed := time.Since(start)
			wantFinding(t, r, "http-fetch", Error, "timed out after 1s", tt.want)
			if elapsed > timeout+time.Second {
				t.Errorf("CheckLive(%s) took %s; want under %s", tt.name, elapsed, timeout+time.Second)
			}
			if r.HTTP == nil || r.HTTP.ElapsedMS < timeout.Milliseconds()-50 {
				t.Errorf("CheckLive(%s): HTTP = %+v; want elapsed_ms about %d", tt.name, r.HTTP, timeout.Milliseconds())
			}
		})
	}
}

func TestCheckLiveBrokenConnection(t *testing.T) {
	hijack := func(reset bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=60\r\nContent-Length: 1000\r\n\r\n")
			buf.WriteString(`{"client_id": "`)
			buf.Flush()
			if reset {
				time.Sleep(100 * time.Millisecond) // let the client read the headers
				// Close the TCP connection under TLS with RST, no close_notify.
				tc := netConn(conn).(*net.TCPConn)
				tc.SetLinger(0)
				tc.Close()
				return
			}
			conn.Close()
		}
	}
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, hijack(false))
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", Error, "closed after 15 bytes", "1000 that Content-Length promised")
		if r.Document != nil || r.Has("doc-not-json") {
			t.Errorf("CheckLive(truncated) = %v; want no document rules on a partial body", r.Findings)
		}
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, hijack(true))
		r := CheckLive(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", Error, "reset")
	})
}

// netConn unwraps the TLS connection a hijacked handler gets.
func netConn(c net.Conn) net.Conn {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok {
		return u.NetConn()
	}
	return c
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

	r := CheckLive(context.Background(), srv.docURL(), srv.opts())
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
		r := CheckLive(context.Background(), u, opts)
		wantFinding(t, r, "url-private-address", Error, "127.0.0.1", "not fetched")
		if n := len(rules(r)); n != 1+len(nonPrivate(CheckURL(u, opts.Options))) {
			t.Errorf("CheckLive(%s) = %v; want url-private-address once", u, r.Findings)
		}
	}
	if n, c := srv.requests.Load(), srv.conns.Load(); n != 0 || c != 0 {
		t.Errorf("server saw %d requests on %d connections; want none", n, c)
	}
}

func nonPrivate(fs []Finding) []Finding {
	var out []Finding
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
			r := CheckLive(context.Background(), srv.docURL(), srv.opts())
			if !r.Has(tt.rule) || r.Valid {
				t.Errorf("CheckLive(%s) = %v; want rule %q", tt.name, r.Findings, tt.rule)
			}
		})
	}
}

func TestCheckLiveConnectFailures(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		r := CheckLive(context.Background(), "https://"+addr+"/oauth/client.json",
			LiveOptions{Options: Options{AllowPrivate: true}, Timeout: time.Second})
		wantFinding(t, r, "http-fetch", Error, "refused", addr)
	})
	t.Run("DNS", func(t *testing.T) {
		t.Parallel()
		r := CheckLive(context.Background(), "https://cimd-test.invalid/oauth/client.json",
			LiveOptions{Timeout: time.Second})
		wantFinding(t, r, "http-fetch", Error, "DNS", "cimd-test.invalid")
		if r.Has("url-private-address") {
			t.Errorf("CheckLive(unresolvable) = %v; want no url-private-address", r.Findings)
		}
	})
	t.Run("plain HTTP on the TLS port", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(serveDoc("application/json", "max-age=60"))
		defer srv.Close()
		u := strings.Replace(srv.URL, "http://", "https://", 1) + "/oauth/client.json"
		r := CheckLive(context.Background(), u, LiveOptions{Options: Options{AllowPrivate: true}, Timeout: time.Second})
		wantFinding(t, r, "http-fetch", Error, "did not answer with TLS")
	})
}

// TestFetchUsesCheckedAddresses connects to the addresses it is given, never
// to what the name would resolve to, and verifies TLS for the name: the
// httptest certificate is valid for example.com, which here reaches the
// local server only through the checked address. An unreachable first
// address falls through to the next.
func TestFetchUsesCheckedAddresses(t *testing.T) {
	srv := newTestServer(t, serveDoc("application/json", "max-age=60"))
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	u := mustParse(t, "https://example.com:"+port+"/oauth/client.json")
	addrs := []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	f := fetch(ctx, u, addrs, srv.opts())
	if f.err != nil || f.resp == nil || f.resp.StatusCode != 200 {
		t.Fatalf("fetch(%s via %v) = %v, %v; want 200", u, addrs, f.resp, f.err)
	}
	if got := srv.last.Load().Host; got != "example.com:"+port {
		t.Errorf("server saw Host %q; want example.com:%s", got, port)
	}
}

package live

import (
	"bytes"
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// TestPollRetryPolicy checks, against real servers, which failures Poll
// retries (they can fix themselves: a stale or drifting copy, 404 while a
// deploy propagates, 5xx, a timeout) and which it gives up on at the first
// attempt, saying so (DNS failure, connection refused, TLS errors, a content
// type or rule error in a copy that matches the local one, 403).
func TestPollRetryPolicy(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(testDoc(requestURL(r)))
	}
	// firstThen answers the first request with bad, then with ok.
	firstThen := func(bad http.HandlerFunc) http.HandlerFunc {
		var n atomic.Int32
		return func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				bad(w, r)
				return
			}
			ok(w, r)
		}
	}
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) }
	}
	stalePlain := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(bytes.Replace(testDoc(requestURL(r)), []byte("Test App"), []byte("Old App"), 1))
	}
	plain := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(testDoc(requestURL(r)))
	}
	// A document with a rule error (an http redirect URI off loopback) that
	// is also the local copy: waiting changes nothing.
	badDoc := func(url string) []byte {
		return bytes.Replace(testDoc(url), []byte("http://127.0.0.1:8080/callback"), []byte("http://app.example.com/callback"), 1)
	}
	served := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(badDoc(requestURL(r)))
	}
	slowOnce := func() http.HandlerFunc {
		var n atomic.Int32
		return func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return
			}
			ok(w, r)
		}
	}

	type pollCase struct {
		name      string
		handler   http.HandlerFunc
		url       func(srv *testServer) string // default: the server's document
		opts      func(srv *testServer) Options
		local     func(url string) []byte // default testDoc
		wantValid bool
		wantRule  string // the rule given up on, when not valid
	}
	for _, tc := range []pollCase{
		{name: "404 while propagating", handler: firstThen(status(http.StatusNotFound)), wantValid: true},
		{name: "503", handler: firstThen(status(http.StatusServiceUnavailable)), wantValid: true},
		{name: "429", handler: firstThen(status(http.StatusTooManyRequests)), wantValid: true},
		{name: "timeout", handler: slowOnce(), opts: func(srv *testServer) Options {
			o := srv.opts()
			o.Timeout = 300 * time.Millisecond
			return o
		}, wantValid: true},
		{name: "stale copy with a wrong type", handler: firstThen(stalePlain), wantValid: true},

		{name: "403", handler: status(http.StatusForbidden), wantRule: "http-status"},
		{name: "content type of the current copy", handler: plain, wantRule: "http-content-type"},
		{name: "rule error of the current copy", handler: served, local: badDoc, wantRule: "redirect-http"},
		{name: "untrusted certificate", handler: ok, opts: func(srv *testServer) Options {
			o := srv.opts()
			o.RootCAs = x509.NewCertPool()
			return o
		}, wantRule: "http-fetch"},
		{name: "connection refused", handler: ok, url: func(*testServer) string { return deadURL(t) }, wantRule: "http-fetch"},
		{name: "NXDOMAIN", handler: ok, url: func(*testServer) string { return "https://cimd-test.invalid/oauth/client.json" }, wantRule: "http-fetch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, tc.handler)
			url := srv.docURL()
			if tc.url != nil {
				url = tc.url(srv)
			}
			opts := srv.opts()
			if tc.opts != nil {
				opts = tc.opts(srv)
			}
			local := testDoc(url)
			if tc.local != nil {
				local = tc.local(url)
			}
			attempts := 0
			attempt := func(ctx context.Context) validate.Result {
				attempts++
				r := Check(ctx, url, opts)
				if r.Document != nil {
					if f := validate.Drift(r.Body, local); f != nil {
						r.Findings = append(r.Findings, *f)
					}
				}
				r.Judge(false)
				return r
			}
			var progress bytes.Buffer
			r := poll(context.Background(), 30*time.Second, &progress, attempt, 10*time.Millisecond, 20*time.Millisecond)
			if tc.wantValid {
				if !r.Valid || attempts != 2 {
					t.Fatalf("valid %v after %d attempts, %v; want valid after 2\n%s", r.Valid, attempts, r.Findings, &progress)
				}
				return
			}
			if r.Valid || attempts != 1 {
				t.Fatalf("valid %v after %d attempts; want invalid after 1\n%s", r.Valid, attempts, &progress)
			}
			want := "not retried: " + tc.wantRule + " will not fix itself by waiting"
			if !strings.Contains(progress.String(), want) {
				t.Errorf("progress = %q; want %q", &progress, want)
			}
		})
	}
}

// deadURL is an https URL on a local port where nothing listens.
func deadURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr + "/oauth/client.json"
}

package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is a real TLS server that counts the TCP connections it
// accepted and the requests it got, with HTTP/2 on or off.
type countingServer struct {
	*httptest.Server
	conns, requests atomic.Int32
}

func newCountingServer(t *testing.T, http2 bool, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	s.EnableHTTP2 = http2
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) options() Options {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return Options{Timeout: testTimeout, RootCAs: pool, AllowPrivate: true}
}

// TestSharedTransport fetches many URLs of one host with one Client, as
// validate does with URL targets: over HTTP/2 they share one connection;
// over HTTP/1 at most MaxConnsPerHost connections are opened and reused; each
// URL is one GET either way, with its own body.
func TestSharedTransport(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("http2=%v", h2), func(t *testing.T) {
			srv := newCountingServer(t, h2, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"path":%q,"proto":%q}`, r.URL.Path, r.Proto)
			})
			c := New(srv.options())
			defer c.CloseIdleConnections()
			// One Get first, so the rest find its connection.
			if r := c.Get(context.Background(), srv.URL+"/first"); r.Status != 200 {
				t.Fatalf("Get(/first) = %d, %v", r.Status, r.Err)
			}
			const n, parallel = 100, 8
			var wg sync.WaitGroup
			sem := make(chan struct{}, parallel)
			errs := make(chan string, n)
			for i := range n {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					path := fmt.Sprintf("/doc%d.json", i)
					r := c.Get(context.Background(), srv.URL+path)
					if r.Status != 200 || !strings.Contains(string(r.Body), `"path":"`+path+`"`) {
						errs <- fmt.Sprintf("Get(%s) = %d %q, %v", path, r.Status, r.Body, r.Err)
					}
					wantProto := map[bool]string{true: "HTTP/2.0", false: "HTTP/1.1"}[h2]
					if !strings.Contains(string(r.Body), wantProto) {
						errs <- fmt.Sprintf("Get(%s) went over %q; want %s", path, r.Body, wantProto)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for e := range errs {
				t.Error(e)
			}
			if got := srv.requests.Load(); got != n+1 {
				t.Errorf("the server got %d requests; want %d, one per URL", got, n+1)
			}
			// HTTP/1: at most MaxConnsPerHost, reused; before the shared
			// transport it was one per URL.
			maxConns := int32(MaxConnsPerHost)
			if h2 {
				maxConns = 1
			}
			if got := srv.conns.Load(); got > maxConns {
				t.Errorf("the server accepted %d connections for %d URLs; want at most %d", got, n+1, maxConns)
			}
		})
	}
}

// TestSharedTransportIsolatesFailures fetches URLs of one host at once with
// one Client while some of them fail in every way a server can fail one
// exchange: each failure is reported for its own URL only, in its own
// words, and every other URL still passes.
func TestSharedTransportIsolatesFailures(t *testing.T) {
	for _, h2 := range []bool{true, false} {
		t.Run(fmt.Sprintf("http2=%v", h2), func(t *testing.T) {
			t.Parallel()
			srv := newCountingServer(t, h2, func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/stall":
					select {
					case <-r.Context().Done():
					case <-time.After(10 * time.Second):
					}
				case "/big":
					for range 1000 {
						if _, err := w.Write([]byte(strings.Repeat("x", 1<<10))); err != nil {
							return
						}
					}
				case "/short":
					w.Header().Set("Content-Length", "1000")
					w.Write([]byte(`{"short":`))
					if h2 {
						panic(http.ErrAbortHandler) // resets this stream only
					}
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
				default:
					w.Header().Set("Content-Type", "application/json")
					fmt.Fprintf(w, `{"path":%q}`, r.URL.Path)
				}
			})
			opts := srv.options()
			opts.Timeout = 500 * time.Millisecond
			opts.MaxBytes = 1000
			c := New(opts)
			defer c.CloseIdleConnections()
			paths := []string{"/stall", "/big", "/short"}
			for i := range 40 {
				paths = append(paths, fmt.Sprintf("/ok%d", i))
			}
			results := make([]Response, len(paths))
			var wg sync.WaitGroup
			for i, p := range paths {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i] = c.Get(context.Background(), srv.URL+p)
				}()
			}
			wg.Wait()
			for i, p := range paths {
				r := results[i]
				switch p {
				case "/stall":
					if r.Status != 0 || !strings.Contains(r.Describe(), "timed out after 500ms waiting for the response headers") {
						t.Errorf("Get(/stall) = %d, %q; want a timeout waiting for the headers", r.Status, r.Describe())
					}
				case "/big":
					if r.Status != 200 || r.Complete || len(r.Body) != 1001 {
						t.Errorf("Get(/big) = %d, complete %v, %d bytes; want 200, incomplete, 1001 bytes", r.Status, r.Complete, len(r.Body))
					}
				case "/short":
					if r.Err == nil || r.Complete {
						t.Errorf("Get(/short) = %d, complete %v, err %v; want a failed body", r.Status, r.Complete, r.Err)
					}
				default:
					if r.Status != 200 || r.Err != nil || string(r.Body) != fmt.Sprintf(`{"path":%q}`, p) {
						t.Errorf("Get(%s) = %d %q, %v (%s); want 200 and its own body", p, r.Status, r.Body, r.Err, r.Describe())
					}
				}
			}
			// After the failures the host is still served over the kept
			// transport, and a URL that failed fails alike again.
			if r := c.Get(context.Background(), srv.URL+"/after"); r.Status != 200 || r.Err != nil {
				t.Errorf("Get(/after) = %d, %v; want 200", r.Status, r.Err)
			}
		})
	}
}

// TestSharedTransportChecksAddressesPerHost keeps one transport per host
// and address set: a TLS failure for one host name (the certificate is
// for example.com, not this name) is not cached for, and not
// shared with, the other.
func TestSharedTransportChecksAddressesPerHost(t *testing.T) {
	srv := newCountingServer(t, true, ok)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := New(srv.options())
	defer c.CloseIdleConnections()
	good := c.Get(context.Background(), srv.URL+"/a")
	bad := c.Get(context.Background(), "https://localhost:"+port+"/a")
	again := c.Get(context.Background(), srv.URL+"/b")
	if good.Status != 200 || again.Status != 200 {
		t.Errorf("Get(127.0.0.1) = %d, %v then %d, %v; want 200 twice", good.Status, good.Err, again.Status, again.Err)
	}
	var verr *tls.CertificateVerificationError
	if bad.Status != 0 || !errors.As(bad.Err, &verr) {
		t.Errorf("Get(localhost) = %d, %v; want a certificate error (the test certificate names 127.0.0.1 and example.com)", bad.Status, bad.Err)
	}
	if n := len(c.transports); n != 2 {
		t.Errorf("the client keeps %d transports; want 2, one per host", n)
	}
}

// TestPoolSharesClients gives checks that fetch alike one Client, and so
// one connection to a host, and checks that fetch differently their own.
func TestPoolSharesClients(t *testing.T) {
	srv := newCountingServer(t, true, ok)
	var p Pool
	opts := srv.options()
	a, b := p.Client(opts), p.Client(opts)
	opts.Timeout = time.Second
	other := p.Client(opts)
	if a != b || a == other {
		t.Fatalf("Pool.Client: same options gave %p and %p, other options %p; want one Client for the same, another for the other", a, b, other)
	}
	for _, c := range []*Client{a, b} {
		if r := c.Get(context.Background(), srv.URL+"/doc.json"); r.Status != 200 {
			t.Fatalf("Get = %d, %v", r.Status, r.Err)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("two checks through one pooled Client opened %d connections; want 1", n)
	}
	if (*Pool)(nil).Client(opts) == other {
		t.Error("a nil Pool handed out a pooled Client; want a new one")
	}
	a.CloseIdleConnections()
	other.CloseIdleConnections()
}

// TestSharedTransportsBounded keeps at most maxKept transports: past that
// the least recently used is dropped, and a host used again gets a
// working one back. (Only 127.0.0.1 answers; the other addresses of
// 127.0.0.0/8 are refused, but each is another transport all the same.)
func TestSharedTransportsBounded(t *testing.T) {
	srv := newCountingServer(t, true, ok)
	c := New(srv.options())
	defer c.CloseIdleConnections()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	get := func(i int) Response {
		return c.Get(context.Background(), fmt.Sprintf("https://127.0.0.%d:%s/doc.json", i, port))
	}
	if r := get(1); r.Status != 200 {
		t.Fatalf("Get = %d, %v", r.Status, r.Err)
	}
	for i := 2; i <= maxKept+10; i++ {
		if i%10 == 0 {
			get(2) // keep 127.0.0.2 recently used
		}
		get(i)
	}
	if n := len(c.transports); n != maxKept {
		t.Errorf("the client keeps %d transports; want %d", n, maxKept)
	}
	if c.transports[transportKey{"127.0.0.2", "127.0.0.2 "}] == nil {
		t.Error("a recently used host's transport was dropped; want the least recently used ones dropped")
	}
	if c.transports[transportKey{"127.0.0.1", "127.0.0.1 "}] != nil {
		t.Error("the least recently used host's transport is still kept")
	}
	if r := get(1); r.Status != 200 {
		t.Errorf("Get of a dropped host = %d, %v; want 200 over a new transport", r.Status, r.Err)
	}
}

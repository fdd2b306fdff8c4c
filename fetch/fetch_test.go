package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testTimeout bounds fetches that are not about timing; a working local
// fetch takes milliseconds.
const testTimeout = 5 * time.Second

// server is a real TLS server on 127.0.0.1 that remembers the last request.
type server struct {
	*httptest.Server
	requests atomic.Int32
	last     atomic.Pointer[http.Request]
}

func newServer(t *testing.T, h http.HandlerFunc) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.last.Store(r)
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// options trusts the server's certificate and allows 127.0.0.1.
func (s *server) options() Options {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return Options{Timeout: testTimeout, RootCAs: pool, AllowPrivate: true}
}

func ok(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// TestFetchUsesCheckedAddresses connects to the addresses it is given, never
// to what the name would resolve to, and verifies TLS for the name: the
// httptest certificate is valid for example.com, which here reaches the
// local server only through the checked address. An unreachable first
// address falls through to the next.
func TestFetchUsesCheckedAddresses(t *testing.T) {
	srv := newServer(t, ok)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	u, err := url.Parse("https://example.com:" + port + "/oauth/client.json")
	if err != nil {
		t.Fatal(err)
	}
	addrs := []netip.Addr{netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c := New(srv.options())
	r := Response{host: u.Hostname(), ContentLength: -1}
	c.exchange(ctx, u, addrs, &r)
	if r.Err != nil || r.Status != 200 {
		t.Fatalf("exchange(%s via %v) = %d, %v; want 200", u, addrs, r.Status, r.Err)
	}
	if got := srv.last.Load().Host; got != "example.com:"+port {
		t.Errorf("server saw Host %q; want example.com:%s", got, port)
	}
}

// TestGetRefusesSpecialAddress proves that a special-use address is never
// connected to unless AllowPrivate, and that the refusal names it.
func TestGetRefusesSpecialAddress(t *testing.T) {
	srv := newServer(t, ok)
	opts := srv.options()
	opts.AllowPrivate = false
	r := New(opts).Get(context.Background(), srv.URL+"/doc.json")
	var refused *RefusedError
	if r.Status != 0 || !errors.As(r.Err, &refused) || !refused.Literal || refused.Addrs[0] != "127.0.0.1" {
		t.Fatalf("Get(%s) = %d, %v; want a RefusedError for the literal 127.0.0.1", srv.URL, r.Status, r.Err)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("the server got %d requests; want none", n)
	}
	if d := r.Describe(); !strings.Contains(d, "127.0.0.1") || !strings.Contains(d, "not fetched") {
		t.Errorf("Describe() = %q; want the address and \"not fetched\"", d)
	}
}

// TestGetOneExchange checks what one Get sends and keeps: no redirect
// followed, the Accept header only when asked for, the user agent, and the
// body capped at MaxBytes+1 decoded bytes.
func TestGetOneExchange(t *testing.T) {
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/doc.json", http.StatusFound)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 100)))
		default:
			ok(w, r)
		}
	})
	opts := srv.options()
	opts.MaxBytes = 10
	opts.UserAgent = "cimd/test"
	c := New(opts)

	r := c.Get(context.Background(), srv.URL+"/moved")
	if r.Status != http.StatusFound || r.Header.Get("Location") != "/doc.json" || srv.requests.Load() != 1 {
		t.Errorf("Get(/moved) = %d, Location %q after %d requests; want 302 to /doc.json, not followed", r.Status, r.Header.Get("Location"), srv.requests.Load())
	}
	if got := srv.last.Load().Header; got.Get("Accept") != "" || got.Get("User-Agent") != "cimd/test" {
		t.Errorf("request headers %v; want no Accept and User-Agent cimd/test", got)
	}

	r = c.Get(context.Background(), srv.URL+"/big")
	if r.Err != nil || len(r.Body) != 11 || r.Complete {
		t.Errorf("Get(/big) read %d bytes, complete %v, err %v; want 11 bytes, not complete", len(r.Body), r.Complete, r.Err)
	}

	opts.Accept, opts.MaxBytes = "application/json", 0
	r = New(opts).Get(context.Background(), srv.URL+"/doc.json")
	if !r.Complete || string(r.Body) != `{"ok":true}` || srv.last.Load().Header.Get("Accept") != "application/json" {
		t.Errorf("Get(/doc.json) = %q, complete %v, Accept %q; want the body, complete, Accept application/json", r.Body, r.Complete, srv.last.Load().Header.Get("Accept"))
	}
}

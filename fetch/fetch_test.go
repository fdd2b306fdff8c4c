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
	c.exchange(ctx, http.MethodGet, u, addrs, "", nil, &r)
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

// TestPostOneExchange checks that a Post keeps Get's guarantees: the body
// and its content type arrive once, a 307 (which a browser would replay
// with the body) is reported and not followed, the answer is capped, and a
// special-use address is refused before anything is sent.
func TestPostOneExchange(t *testing.T) {
	var got atomic.Pointer[string]
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "want POST", http.StatusMethodNotAllowed)
			return
		}
		r.ParseForm()
		s := r.Header.Get("Content-Type") + " " + r.PostForm.Encode()
		got.Store(&s)
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		case "/big":
			w.Write([]byte(strings.Repeat("x", 100)))
		default:
			ok(w, r)
		}
	})
	opts := srv.options()
	opts.MaxBytes = 20
	c := New(opts)
	form := []byte(url.Values{"grant_type": {"client_credentials"}}.Encode())

	r := c.Post(context.Background(), srv.URL+"/token", "application/x-www-form-urlencoded", form)
	if r.Status != 200 || !r.Complete || string(r.Body) != `{"ok":true}` {
		t.Errorf("Post(/token) = %d %q, complete %v, err %v; want 200 and the body", r.Status, r.Body, r.Complete, r.Err)
	}
	if s := got.Load(); s == nil || *s != "application/x-www-form-urlencoded grant_type=client_credentials" {
		t.Errorf("the server got %v; want the form with its content type", s)
	}

	before := srv.requests.Load()
	r = c.Post(context.Background(), srv.URL+"/moved", "application/x-www-form-urlencoded", form)
	if r.Status != http.StatusTemporaryRedirect || r.Header.Get("Location") != "/elsewhere" || srv.requests.Load() != before+1 {
		t.Errorf("Post(/moved) = %d, Location %q after %d requests; want 307, not followed", r.Status, r.Header.Get("Location"), srv.requests.Load()-before)
	}

	r = c.Post(context.Background(), srv.URL+"/big", "application/x-www-form-urlencoded", form)
	if len(r.Body) != 21 || r.Complete {
		t.Errorf("Post(/big) read %d bytes, complete %v; want 21, not complete", len(r.Body), r.Complete)
	}

	opts.AllowPrivate = false
	before = srv.requests.Load()
	r = New(opts).Post(context.Background(), srv.URL+"/token", "application/x-www-form-urlencoded", form)
	var refused *RefusedError
	if r.Status != 0 || !errors.As(r.Err, &refused) || srv.requests.Load() != before {
		t.Errorf("Post to 127.0.0.1 without AllowPrivate = %d, %v; want refused before any request", r.Status, r.Err)
	}
}

// Package fetch is the hardened HTTP client that every network read of cimd
// goes through: live validation of a client_id URL, and the
// authorization-server side (discovery and the probe).
//
// One [Client.Get] (or [Client.Post]) resolves the host once, refuses special-use addresses
// (the table of [validate.IsSpecialAddr]) unless allowed, dials only the
// addresses it checked (a second lookup could answer differently: DNS
// rebinding), follows no redirect, sends no cookie or credential, verifies
// TLS against the system roots plus any extra ones (--cacert), caps the body
// in decoded bytes, and bounds the whole exchange by one deadline, naming
// the phase it was in when it ran out. It knows no rules: it says what
// happened, and [Response.Describe] says it in words.
//
// Imports run one way: fetch uses validate for its address table only;
// live (judging a live URL) and authserver sit on top of fetch; the commands
// sit on top of those. validate imports neither fetch nor net/http.
package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// DefaultTimeout bounds one Get when [Options.Timeout] is not set.
const DefaultTimeout = 10 * time.Second

// DefaultMaxBytes caps a body when [Options.MaxBytes] is not set: far more
// than any metadata document, and never unbounded.
const DefaultMaxBytes = 1 << 20

// Options configures a [Client].
type Options struct {
	Timeout      time.Duration  // bounds one Get: DNS, connect, TLS, headers and body; 0 means DefaultTimeout
	RootCAs      *x509.CertPool // nil: the system roots
	AllowPrivate bool           // connect to special-use addresses too (local tests)
	MaxBytes     int            // the body is read up to MaxBytes+1 decoded bytes; 0 means DefaultMaxBytes
	Accept       string         // the Accept header; "" sends none
	UserAgent    string         // "" means "cimd"

	// ExtraRoots are trusted in addition to RootCAs (--cacert). A chain is
	// verified against them first, so the system roots, which take longer
	// to parse than the whole fetch, are only loaded when they are needed.
	ExtraRoots *x509.CertPool
}

// Client makes GET requests with the guarantees of the package doc. Make
// one per run with [New]; it is safe for concurrent use.
//
// It keeps one transport per (host, checked address set) for its lifetime,
// so a thousand URLs on one host cost one TLS handshake and, where the
// server offers HTTP/2, one connection multiplexing them, as a browser or
// curl --parallel would. Sharing changes nothing a Get promises: each URL
// is still one plain GET, the transport still dials only the addresses
// that were checked for it (a host that resolves differently gets another
// transport), and what one exchange saw (its phase, its error, its body)
// is its own. Call [Client.CloseIdleConnections] when done with a
// short-lived Client. At most 64 transports are kept (least recently used
// dropped), so a run over many hosts does not hold a connection to each.
type Client struct {
	opts Options

	mu         sync.Mutex
	transports map[transportKey]*kept
	tls        map[string]*tls.Config // per host: the verification names it
	uses       int64                  // a clock for kept.used
}

// kept is a shared transport and when it was last handed out.
type kept struct {
	tr   *http.Transport
	used int64
}

// maxKept bounds the transports a Client keeps: a run over a thousand
// hosts must not hold a thousand idle connections. Past it, the least
// recently used one's idle connections are closed and it is dropped (a
// Get still using it finishes; the next Get for its host makes another).
const maxKept = 64

// transportKey names a shared transport: the URL's host (TLS verifies for
// it) and the addresses checked for it, in the resolver's order.
type transportKey struct {
	host, addrs string
}

// New returns a Client for opts, with the defaults filled in.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "cimd"
	}
	return &Client{opts: opts, transports: map[transportKey]*kept{}, tls: map[string]*tls.Config{}}
}

// CloseIdleConnections closes the connections the Client keeps open
// between Gets.
func (c *Client) CloseIdleConnections() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range c.transports {
		k.tr.CloseIdleConnections()
	}
}

// transport returns the shared transport for host reached at addrs,
// making it at the first use.
func (c *Client) transport(host string, addrs []netip.Addr) *http.Transport {
	var b strings.Builder
	for _, a := range addrs {
		b.WriteString(a.String())
		b.WriteByte(' ')
	}
	key := transportKey{host, b.String()}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uses++
	if k := c.transports[key]; k != nil {
		k.used = c.uses
		return k.tr
	}
	if len(c.transports) >= maxKept {
		var oldest transportKey
		var at int64 = -1
		for key, k := range c.transports {
			if at < 0 || k.used < at {
				oldest, at = key, k.used
			}
		}
		c.transports[oldest].tr.CloseIdleConnections()
		delete(c.transports, oldest)
	}
	cfg := c.tls[host]
	if cfg == nil {
		cfg = tlsConfig(host, c.opts.RootCAs, c.opts.ExtraRoots)
		c.tls[host] = cfg
	}
	tr := newTransport(slices.Clone(addrs), cfg, c.opts.Timeout)
	c.transports[key] = &kept{tr: tr, used: c.uses}
	return tr
}

// Response is what one Get saw. Status is 0 when no response came; Err then
// says why (a [*DNSError], a [*RefusedError], or the exchange's error).
// With a status, Err is non-nil when reading the body failed.
type Response struct {
	Status     int         // 0: no response
	StatusLine string      // "404 Not Found", as received
	Header     http.Header // the body is already closed
	Body       []byte      // at most MaxBytes+1 decoded bytes
	Complete   bool        // the body was read to its end within MaxBytes
	Err        error

	// ContentLength is the length the response announced, -1 if none;
	// Uncompressed is set when the transport decoded gzip (Content-Length
	// and Content-Encoding are then removed from Header).
	ContentLength int64
	Uncompressed  bool

	host    string
	phase   string // where Err happened, for Describe
	timeout time.Duration
}

// DNSError is the Err of a Response whose host did not resolve.
type DNSError struct {
	Host     string
	Err      error
	TimedOut bool // the deadline (or the caller) ended the lookup
}

func (e *DNSError) Error() string { return "DNS lookup of " + e.Host + ": " + e.Err.Error() }
func (e *DNSError) Unwrap() error { return e.Err }

// RefusedError is the Err of a Response that was not fetched because the
// host is, or resolves to, special-use addresses.
type RefusedError struct {
	Host    string
	Literal bool     // Host is an IP address, not a name
	Addrs   []string // the special-use addresses among those it resolved to
}

func (e *RefusedError) Error() string {
	return "refused to fetch " + e.Host + ": special-use address"
}

// Get makes one GET of rawURL: the exact URL without userinfo or fragment,
// no cookies, no credentials, no redirects, the body read up to
// MaxBytes+1 bytes. The client's timeout bounds the whole of it, DNS and
// body included; ctx can end it sooner.
func (c *Client) Get(ctx context.Context, rawURL string) Response {
	return c.do(ctx, http.MethodGet, rawURL, "", nil)
}

// Post makes one POST of body (of media type contentType) to rawURL, with
// every guarantee of [Client.Get]: checked addresses, no redirect
// followed (a 307 or 308 is reported, never replayed with the body
// elsewhere), no cookies, the answer capped at MaxBytes+1 bytes, one
// deadline for the whole exchange. The body is sent as given: it is the
// only credential a Post carries, and the caller's to keep out of logs.
func (c *Client) Post(ctx context.Context, rawURL, contentType string, body []byte) Response {
	return c.do(ctx, http.MethodPost, rawURL, contentType, body)
}

func (c *Client) do(ctx context.Context, method, rawURL, contentType string, body []byte) Response {
	r := Response{timeout: c.opts.Timeout, ContentLength: -1}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		if err == nil {
			err = errors.New("not an absolute http(s) URL with a host")
		}
		r.Err, r.phase = err, "parsing the URL"
		return r
	}
	r.host = u.Hostname()
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	addrs, err := resolve(ctx, r.host)
	if err != nil {
		r.Err = &DNSError{Host: r.host, Err: err, TimedOut: ctx.Err() != nil}
		return r
	}
	if !c.opts.AllowPrivate {
		if bad := specialAddrs(addrs); len(bad) > 0 {
			_, literal := netip.ParseAddr(r.host)
			r.Err = &RefusedError{Host: r.host, Literal: literal == nil, Addrs: bad}
			return r
		}
	}
	c.exchange(ctx, method, u, addrs, contentType, body, &r)
	return r
}

// specialAddrs returns the addresses of addrs that servers must not fetch.
func specialAddrs(addrs []netip.Addr) []string {
	var bad []string
	for _, a := range addrs {
		if validate.IsSpecialAddr(a) {
			bad = append(bad, a.String())
		}
	}
	return bad
}

// exchange makes the request to addrs and reads the body into r.
func (c *Client) exchange(ctx context.Context, method string, u *url.URL, addrs []netip.Addr, contentType string, body []byte, r *Response) {
	p := &progress{}
	client := &http.Client{
		Transport: c.transport(r.host, addrs),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	target := *u
	target.User = nil // a userinfo part must not turn into Basic credentials
	target.Fragment, target.RawFragment = "", ""
	// The trace is this request's own, so the phase it records is too, on
	// a shared transport; the dialer finds it through the context.
	ctx = withProgress(ctx, p)
	trace := &httptrace.ClientTrace{
		GetConn:           func(string) { p.set("waiting for a connection to the host") },
		TLSHandshakeStart: func() { p.set("in the TLS handshake") },
		GotConn:           func(httptrace.GotConnInfo) { p.got("waiting for the response headers") },
	}
	var reqBody io.Reader
	if body != nil {
		reqBody = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, target.String(), reqBody)
	if err != nil {
		r.Err, r.phase = err, "building the request"
		return
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.opts.Accept != "" {
		req.Header.Set("Accept", c.opts.Accept)
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)

	resp, err := client.Do(req)
	if err != nil {
		r.Err, r.phase = err, p.get()
		return
	}
	defer resp.Body.Close()
	r.Status, r.StatusLine, r.Header = resp.StatusCode, resp.Status, resp.Header
	r.ContentLength, r.Uncompressed = resp.ContentLength, resp.Uncompressed
	// Closing early drops the connection instead of draining it, so a
	// gigabyte body costs one buffer and not a gigabyte of reading.
	got, err := io.ReadAll(io.LimitReader(resp.Body, int64(c.opts.MaxBytes)+1))
	r.Body = got
	switch {
	case err != nil:
		r.Err, r.phase = err, "reading the body"
	case len(got) <= c.opts.MaxBytes:
		r.Complete = true
	}
}

// Pool hands out one Client per distinct Options, so that the checks of one
// run that fetch alike (the environments of a config, say) share its
// transports. The zero value is ready; a nil *Pool makes a new Client each
// time. It is safe for concurrent use.
type Pool struct {
	mu sync.Mutex
	m  map[Options]*Client
}

// Client returns the Pool's Client for opts, made at the first use.
func (p *Pool) Client(opts Options) *Client {
	if p == nil {
		return New(opts)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.m[opts]; c != nil {
		return c
	}
	if p.m == nil {
		p.m = map[Options]*Client{}
	}
	c := New(opts)
	p.m[opts] = c
	return c
}

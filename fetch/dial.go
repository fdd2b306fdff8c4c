package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// resolve looks up host the way the fetch will connect to it. An IP literal
// is its own answer, so it never reaches DNS.
func resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("no address for %s", host)
	}
	// The resolver hands IPv4 answers back IPv4-mapped; unmapped they read
	// as users expect and dial as IPv4.
	for i, a := range addrs {
		addrs[i] = a.Unmap()
	}
	return addrs, nil
}

// progress records which step of the exchange is running. The dialer and the
// trace hooks run on the transport's goroutines, hence the mutex.
//
// Once the request has its connection, the dial phases no longer apply: on
// a shared transport a dial the request started may still be running for
// the next request after this one got another connection.
type progress struct {
	mu        sync.Mutex
	phase     string
	connected bool
}

// set records a phase of getting a connection.
func (p *progress) set(phase string) {
	p.mu.Lock()
	if !p.connected {
		p.phase = phase
	}
	p.mu.Unlock()
}

// got records that the request has its connection and is now in phase.
func (p *progress) got(phase string) {
	p.mu.Lock()
	p.connected = true
	p.phase = phase
	p.mu.Unlock()
}

// progressKey is the context key of the progress of the request a dial is
// for: the transport is shared, so the dialer cannot hold one.
type progressKey struct{}

func withProgress(ctx context.Context, p *progress) context.Context {
	return context.WithValue(ctx, progressKey{}, p)
}

// progressOf returns the progress in ctx, or a throwaway one.
func progressOf(ctx context.Context) *progress {
	if p, ok := ctx.Value(progressKey{}).(*progress); ok {
		return p
	}
	return &progress{}
}

func (p *progress) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.phase
}

// MaxConnsPerHost bounds the connections a Client opens to one host and
// address set; Gets beyond it wait for one (HTTP/1) or share it (HTTP/2).
const MaxConnsPerHost = 8

// newTransport returns a transport that connects only to addrs, whatever
// address the request names: the addresses were checked by the caller, and a
// second lookup could answer differently (DNS rebinding). TLS still verifies
// the certificate against the URL's host, which the transport takes from the
// request. There is no proxy, since a proxy would connect somewhere unchecked.
//
// The transport is shared by every request to its host and addresses: it
// keeps connections for reuse and multiplexes HTTP/2. The dial is detached
// from the request's deadline (net/http lets a dial outlive the request
// that started it, for the next one), so it is bounded by timeout itself.
func newTransport(addrs []netip.Addr, tlsConfig *tls.Config, timeout time.Duration) *http.Transport {
	dialer := &net.Dialer{KeepAlive: -1}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			p := progressOf(ctx)
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, timeout)
				defer cancel()
			}
			_, portStr, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			port, err := strconv.ParseUint(portStr, 10, 16)
			if err != nil {
				return nil, fmt.Errorf("bad port %q", portStr)
			}
			var errs []error
			for i, a := range addrs {
				target := netip.AddrPortFrom(a, uint16(port)).String()
				p.set("connecting to " + target)
				c, err := dialOne(ctx, dialer, target, len(addrs)-i)
				if err == nil {
					return c, nil
				}
				errs = append(errs, err)
				if ctx.Err() != nil {
					break
				}
			}
			return nil, errors.Join(errs...)
		},
		TLSClientConfig:        tlsConfig,
		ForceAttemptHTTP2:      true,
		MaxResponseHeaderBytes: 64 << 10,
		// An HTTP/1 server gets at most MaxConnsPerHost connections from a
		// run, as from curl --parallel-max 8 or a browser; an HTTP/2 one
		// gets one, with the run's Gets multiplexed on it.
		MaxConnsPerHost:     MaxConnsPerHost,
		MaxIdleConnsPerHost: MaxConnsPerHost,
		IdleConnTimeout:     30 * time.Second,
		// DisableCompression stays false: the transport asks for gzip and
		// decodes it lazily, so the limit in fetch counts decoded bytes and a
		// gzip bomb is never inflated past it.
	}
}

// dialOne connects to target, leaving time for the addresses after it: an
// unreachable first address (IPv6 without a route, say) gets its share of the
// deadline, as net.Dialer gives it, and not all of it.
func dialOne(ctx context.Context, d *net.Dialer, target string, left int) (net.Conn, error) {
	if deadline, ok := ctx.Deadline(); ok && left > 1 {
		share := time.Until(deadline) / time.Duration(left)
		if share < 2*time.Second {
			share = min(2*time.Second, time.Until(deadline))
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, share)
		defer cancel()
	}
	return d.DialContext(ctx, "tcp", target)
}

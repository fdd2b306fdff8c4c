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
type progress struct {
	mu    sync.Mutex
	phase string
}

func (p *progress) set(phase string) {
	p.mu.Lock()
	p.phase = phase
	p.mu.Unlock()
}

func (p *progress) get() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.phase
}

// newTransport returns a transport that connects only to addrs, whatever
// address the request names: the addresses were checked by the caller, and a
// second lookup could answer differently (DNS rebinding). TLS still verifies
// the certificate against the URL's host, which the transport takes from the
// request. There is no proxy, since a proxy would connect somewhere unchecked.
func newTransport(addrs []netip.Addr, tlsConfig *tls.Config, p *progress) *http.Transport {
	dialer := &net.Dialer{KeepAlive: -1}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
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

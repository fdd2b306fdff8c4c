package validate

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// fetched is what one GET of a client_id URL saw.
type fetched struct {
	resp     *http.Response // status and header; the body is already closed
	body     []byte         // at most MaxBytes+1 decoded bytes
	complete bool           // the body was read to its end within the limit
	err      error          // the exchange or the body read failed
	phase    string         // where err happened, for the message
}

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

// tlsConfig verifies the certificates for host against roots (nil: the
// system roots) and extra. With extra, it verifies by itself: first against
// extra alone, then against roots, so that a staging host trusted through
// --cacert never costs parsing the system roots. The errors are those of the standard
// verification, so describeFetchError reads them alike.
func tlsConfig(host string, roots, extra *x509.CertPool) *tls.Config {
	c := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if extra == nil {
		return c
	}
	c.InsecureSkipVerify = true // replaced by VerifyConnection, never skipped
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		certs := cs.PeerCertificates
		if len(certs) == 0 {
			return errors.New("tls: the server sent no certificate")
		}
		// host, not cs.ServerName: that one is empty for an IP literal, and
		// an empty DNSName would skip the name check.
		opts := x509.VerifyOptions{DNSName: host, Intermediates: x509.NewCertPool()}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		opts.Roots = extra
		_, err := certs[0].Verify(opts)
		if err == nil {
			return nil
		}
		// A chain that reaches the extra CA but is expired or names another
		// host says more than "unknown authority" from the system roots.
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
		opts.Roots = roots
		if _, err := certs[0].Verify(opts); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
		return nil
	}
	return c
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

// fetch makes the one GET that RULES.md §4 describes: the exact URL, no
// cookies, no credentials, no redirects, the body read up to MaxBytes+1
// bytes. ctx bounds the whole exchange, body included.
func fetch(ctx context.Context, u *url.URL, addrs []netip.Addr, opts LiveOptions) fetched {
	p := &progress{}
	tr := newTransport(addrs, tlsConfig(u.Hostname(), opts.RootCAs, opts.ExtraRoots), p)
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	target := *u
	target.User = nil // a userinfo part must not turn into Basic credentials
	target.Fragment, target.RawFragment = "", ""
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart: func() { p.set("in the TLS handshake") },
		GotConn:           func(httptrace.GotConnInfo) { p.set("waiting for the response headers") },
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, target.String(), nil)
	if err != nil {
		return fetched{err: err, phase: "building the request"}
	}
	req.Header.Set("Accept", "application/json")
	ua := opts.UserAgent
	if ua == "" {
		ua = "cimd"
	}
	req.Header.Set("User-Agent", ua)

	resp, err := client.Do(req)
	if err != nil {
		return fetched{err: err, phase: p.get()}
	}
	defer resp.Body.Close()
	// Closing early drops the connection instead of draining it, so a
	// gigabyte body costs one buffer and not a gigabyte of reading.
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBytes+1))
	f := fetched{resp: resp, body: body}
	switch {
	case err != nil:
		f.err, f.phase = err, "reading the body"
	case len(body) <= MaxBytes:
		f.complete = true
	}
	return f
}

// describeFetchError says in words which step failed and why, for the
// http-fetch finding, naming the certificate problem for TLS failures.
// transientFetch reports whether a failed exchange may succeed when tried
// again: a timeout, or a connection reset or closed early. A refused
// connection (nothing listens), DNS and TLS failures and broken encodings
// need someone to fix them.
func transientFetch(f fetched) bool {
	err := f.err
	var netErr net.Error
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	return false
}

func describeFetchError(f fetched, host string, timeout time.Duration) string {
	err := f.err
	phase := f.phase
	if phase == "" {
		phase = "connecting"
	}
	got := ""
	if f.resp != nil {
		got = fmt.Sprintf(" (after %d byte%s)", len(f.body), plural(len(f.body)))
	}

	var (
		netErr    net.Error
		verifyErr *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostErr   x509.HostnameError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
		corrupt   flate.CorruptInputError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("timed out after %s %s%s; servers give up on slow hosts too", timeout, phase, got)
	case errors.Is(err, context.Canceled):
		return "canceled " + phase
	case errors.As(err, &hostErr):
		return fmt.Sprintf("TLS: the certificate is for %s, not %s; get a certificate that names %s", certNames(hostErr.Certificate), host, host)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		c := invalid.Cert
		if c != nil && time.Now().Before(c.NotBefore) {
			return fmt.Sprintf("TLS: the certificate is not valid before %s; check the host's clock and the certificate", c.NotBefore.UTC().Format(time.RFC3339))
		}
		if c != nil {
			return fmt.Sprintf("TLS: the certificate expired on %s; renew it", c.NotAfter.UTC().Format(time.RFC3339))
		}
		return "TLS: the certificate has expired; renew it"
	case errors.As(err, &invalid):
		return fmt.Sprintf("TLS: the certificate is invalid (%v); replace it", invalid)
	case errors.As(err, &unknownCA):
		if c := unknownCA.Cert; c != nil && selfSigned(c) {
			return "TLS: the certificate is self-signed, so servers do not trust it; use a certificate from a public CA (or --cacert for a staging host)"
		}
		return "TLS: the certificate is signed by an unknown authority; serve the full chain with its intermediates, use a public CA, or pass --cacert for a staging host"
	case errors.As(err, &verifyErr):
		return fmt.Sprintf("TLS: the certificate does not verify: %v", verifyErr.Err)
	case errors.As(err, &recordErr) || strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS: the server did not answer with TLS; is this port serving plain HTTP?"
	case errors.As(err, &alertErr):
		return fmt.Sprintf("TLS: the server refused the handshake (%v)", alertErr)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused %s: nothing listens there", strings.TrimPrefix(phase, "connecting "))
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the server reset the connection while %s%s", phase, got)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
		return fmt.Sprintf("the body is sent with Content-Encoding: gzip but is not valid gzip (%v)", err)
	case errors.Is(err, io.ErrUnexpectedEOF) && f.resp != nil:
		if f.resp.Uncompressed {
			return fmt.Sprintf("the gzip-encoded body ends early, after %d decoded bytes: the connection closed before the end", len(f.body))
		}
		if n := f.resp.ContentLength; n >= 0 {
			return fmt.Sprintf("the connection closed after %d bytes, before the %d that Content-Length promised", len(f.body), n)
		}
		return fmt.Sprintf("the connection closed after %d bytes, before the end of the chunked body", len(f.body))
	case errors.Is(err, io.EOF) && f.resp == nil:
		return "the server closed the connection without sending a response"
	case f.resp != nil && strings.Contains(err.Error(), "chunk"):
		return fmt.Sprintf("the body's chunked encoding is broken (%v)", err)
	}
	return fmt.Sprintf("failed %s%s: %v", phase, got, err)
}

// certNames lists the names a certificate is valid for.
func certNames(c *x509.Certificate) string {
	if c == nil {
		return "another host"
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	if len(names) == 0 {
		return "no host name"
	}
	return strings.Join(names, ", ")
}

// selfSigned reports whether c signed itself. CheckSignatureFrom would also
// demand that c be a CA, which a self-signed leaf usually is not.
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

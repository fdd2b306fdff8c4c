package fetch

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
	"strings"
	"syscall"
	"time"
)

// Transient reports whether a failed exchange may succeed when tried
// again: a timeout, or a connection reset or closed early. A refused
// connection (nothing listens), DNS and TLS failures and broken encodings
// need someone to fix them; a DNS lookup is transient only when the
// deadline ended it.
func (r Response) Transient() bool {
	err := r.Err
	var dnsErr *DNSError
	var netErr net.Error
	switch {
	case errors.As(err, &dnsErr):
		return dnsErr.TimedOut
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	return false
}

// Describe says in words which step failed and why, naming the
// certificate problem for TLS failures; "" when nothing failed.
func (r Response) Describe() string {
	err := r.Err
	if err == nil {
		return ""
	}
	if msg := r.describeNotFetched(); msg != "" {
		return msg
	}
	phase := r.phase
	if phase == "" {
		phase = "connecting"
	}
	got := ""
	if r.Status != 0 {
		got = fmt.Sprintf(" (after %d byte%s)", len(r.Body), pluralS(len(r.Body)))
	}
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()):
		return fmt.Sprintf("timed out after %s %s%s; servers give up on slow hosts too", r.timeout, phase, got)
	case errors.Is(err, context.Canceled):
		return "canceled " + phase
	}
	if msg := describeTLS(err, r.host); msg != "" {
		return msg
	}
	if msg := r.describeTransfer(phase, got); msg != "" {
		return msg
	}
	return fmt.Sprintf("failed %s%s: %v", phase, got, err)
}

// describeNotFetched says why nothing was sent: the name did not resolve,
// or its addresses were refused; "" for any other failure.
func (r Response) describeNotFetched() string {
	var dnsErr *DNSError
	var refused *RefusedError
	switch {
	case errors.As(r.Err, &dnsErr) && dnsErr.TimedOut:
		return fmt.Sprintf("DNS lookup of %s timed out after %s", r.host, r.timeout)
	case errors.As(r.Err, &dnsErr):
		return fmt.Sprintf("DNS lookup of %s failed: %v", r.host, dnsErr.Err)
	case errors.As(r.Err, &refused):
		return fmt.Sprintf("%s is or resolves to the special-use address %s; not fetched", r.host, strings.Join(refused.Addrs, ", "))
	}
	return ""
}

// describeTLS names the certificate or handshake problem behind err, with
// the fix; "" when err is not a TLS failure.
func describeTLS(err error, host string) string {
	var (
		verifyErr *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		invalid   x509.CertificateInvalidError
		hostErr   x509.HostnameError
		recordErr tls.RecordHeaderError
		alertErr  tls.AlertError
	)
	switch {
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
	}
	return ""
}

// describeTransfer names a connection or body failure: refused, reset,
// closed early, or a broken gzip or chunked encoding; "" for others.
func (r Response) describeTransfer(phase, got string) string {
	err := r.Err
	var corrupt flate.CorruptInputError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("connection refused %s: nothing listens there", strings.TrimPrefix(phase, "connecting "))
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the server reset the connection while %s%s", phase, got)
	case errors.Is(err, gzip.ErrHeader), errors.Is(err, gzip.ErrChecksum), errors.As(err, &corrupt):
		return fmt.Sprintf("the body is sent with Content-Encoding: gzip but is not valid gzip (%v)", err)
	case errors.Is(err, io.ErrUnexpectedEOF) && r.Status != 0:
		if r.Uncompressed {
			return fmt.Sprintf("the gzip-encoded body ends early, after %d decoded bytes: the connection closed before the end", len(r.Body))
		}
		if n := r.ContentLength; n >= 0 {
			return fmt.Sprintf("the connection closed after %d bytes, before the %d that Content-Length promised", len(r.Body), n)
		}
		return fmt.Sprintf("the connection closed after %d bytes, before the end of the chunked body", len(r.Body))
	case errors.Is(err, io.EOF) && r.Status == 0:
		return "the server closed the connection without sending a response"
	case r.Status != 0 && strings.Contains(err.Error(), "chunk"):
		return fmt.Sprintf("the body's chunked encoding is broken (%v)", err)
	}
	return ""
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

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Failure returns Err as an error whose message is [Response.Describe]'s,
// keeping Err's chain for errors.Is and errors.As; nil when nothing failed.
func (r Response) Failure() error {
	if r.Err == nil {
		return nil
	}
	return &failure{msg: r.Describe(), err: r.Err}
}

type failure struct {
	msg string
	err error
}

func (f *failure) Error() string { return f.msg }
func (f *failure) Unwrap() error { return f.err }

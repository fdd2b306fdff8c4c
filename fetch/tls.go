package fetch

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
)

// tlsConfig verifies the certificates for host against roots (nil: the
// system roots) and extra. With extra, it verifies by itself: first against
// extra alone, then against roots, so that a staging host trusted through
// --cacert never costs parsing the system roots. The errors are those of the standard
// verification, so [Response.Describe] reads them alike.
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

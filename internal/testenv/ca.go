// Package testenv starts the servers that cimd's tests run against: a
// throwaway certificate authority, nginx, versitygw (a real S3-compatible
// server), a caching proxy standing in for a CDN, an HTTPS server for a
// handler, and the real OAuth authorization servers. The stories of the real binary,
// the package tests and the programs of bench/ share it; nothing else imports it.
//
// Its [CA] is the repository's one certificate generator: a test that needs
// an expired, not yet valid or self-signed certificate asks for one with
// [CertOptions], and a wrong-name one is a certificate for other hosts.
//
// The functions taking a testing.TB fail the test; the ones without one
// return errors, for bench/faults and bench/ca, which are programs.
package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A CA is a throwaway certificate authority for one test: servers get
// certificates from it, and clients (Go, Node, nginx) trust its certificate.
type CA struct {
	// CertFile is the CA certificate as a PEM file, for --cacert and
	// NODE_EXTRA_CA_CERTS.
	CertFile string

	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
}

// NewCA creates a CA whose files live in a temporary directory of t.
func NewCA(t testing.TB) *CA {
	t.Helper()
	ca, err := NewCAIn(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// NewCAIn creates a CA whose files live in dir, which must exist: its
// certificate is dir/ca.pem.
func NewCAIn(dir string) (*CA, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "cimd test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, key, err := sign(tmpl, nil, nil)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	ca := &CA{cert: cert, key: key, dir: dir}
	if ca.CertFile, err = ca.write("ca.pem", "CERTIFICATE", der); err != nil {
		return nil, err
	}
	return ca, nil
}

// Pool returns a certificate pool holding only the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// Issue returns a server certificate for hosts (IP addresses or DNS
// names), written as PEM files.
func (ca *CA) Issue(t testing.TB, hosts ...string) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile, err := ca.IssueFiles(hosts...)
	if err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// IssueFiles is [CA.Issue] returning an error.
func (ca *CA) IssueFiles(hosts ...string) (certFile, keyFile string, err error) {
	cert, err := ca.Certificate(hosts...)
	if err != nil {
		return "", "", err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	if err != nil {
		return "", "", err
	}
	name := serial().Text(16)
	if certFile, err = ca.write(name+"-cert.pem", "CERTIFICATE", cert.Certificate[0]); err != nil {
		return "", "", err
	}
	if keyFile, err = ca.write(name+"-key.pem", "PRIVATE KEY", keyDER); err != nil {
		return "", "", err
	}
	return certFile, keyFile, nil
}

// TLSCertificate returns a server certificate for hosts, for a Go server's
// tls.Config.
func (ca *CA) TLSCertificate(t testing.TB, hosts ...string) tls.Certificate {
	t.Helper()
	cert, err := ca.Certificate(hosts...)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// Certificate is [CA.TLSCertificate] returning an error.
func (ca *CA) Certificate(hosts ...string) (tls.Certificate, error) {
	return ca.CertificateWith(CertOptions{}, hosts...)
}

// CertOptions asks for a certificate other than the usual one, for tests
// of what a client refuses: an expired one, one not yet valid, one that
// signed itself. (A wrong-name one is a certificate for other hosts.) The
// zero value is what [CA.Certificate] issues.
type CertOptions struct {
	// NotBefore and NotAfter bound the validity window; zero times mean an
	// hour ago and a day from now.
	NotBefore, NotAfter time.Time
	// SelfSigned signs the certificate with its own key instead of the
	// CA's, so that no pool holding the CA trusts it.
	SelfSigned bool
}

// TLSCertificateWith is [CA.TLSCertificate] with the options of opts.
func (ca *CA) TLSCertificateWith(t testing.TB, opts CertOptions, hosts ...string) tls.Certificate {
	t.Helper()
	cert, err := ca.CertificateWith(opts, hosts...)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// CertificateWith is [CA.TLSCertificateWith] returning an error.
func (ca *CA) CertificateWith(opts CertOptions, hosts ...string) (tls.Certificate, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0]},
		NotBefore:   opts.NotBefore,
		NotAfter:    opts.NotAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	parent, parentKey := ca.cert, ca.key
	if opts.SelfSigned {
		parent, parentKey = nil, nil
	}
	der, key, err := sign(tmpl, parent, parentKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// sign is the one place a test certificate is made: tmpl, with a random
// serial and a new P-256 key, signed by parent's key (nil: by its own).
func sign(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) ([]byte, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial()
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, err
	}
	return der, key, nil
}

func (ca *CA) write(name, blockType string, der []byte) (string, error) {
	p := filepath.Join(ca.dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		return "", err
	}
	return p, nil
}

// serial is a random 64-bit serial number; crypto/rand does not fail.
func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	return n
}

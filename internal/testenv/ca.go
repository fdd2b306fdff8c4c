// Package testenv starts the servers that cimd's tests run against: a
// throwaway certificate authority, nginx, versitygw (a real S3-compatible
// server), a caching proxy standing in for a CDN, an HTTPS server for a
// handler, and the real OAuth authorization servers. The stories of the real binary,
// the package tests and bench/faults share it; nothing else imports it.
//
// The functions taking a testing.TB fail the test; the ones without one
// return errors, for bench/faults, which is a program.
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
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "cimd test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
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
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
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

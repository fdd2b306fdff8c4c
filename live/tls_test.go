package live

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// testCert makes a certificate from tmpl, signed by parent (nil: by itself).
func testCert(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (tls.Certificate, *x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, cert, key
}

func leafTemplate(notBefore, notAfter time.Time, dnsNames []string, ips ...net.IP) *x509.Certificate {
	return &x509.Certificate{
		Subject:     pkix.Name{CommonName: "cimd test leaf"},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    dnsNames,
		IPAddresses: ips,
	}
}

func TestCheckLiveTLS(t *testing.T) {
	now := time.Now()
	_, ca, caKey := testCert(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "cimd test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}, nil, nil)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	loopback := net.IPv4(127, 0, 0, 1)

	good, _, _ := testCert(t, leafTemplate(now.Add(-time.Hour), now.Add(time.Hour), nil, loopback), ca, caKey)
	expired, _, _ := testCert(t, leafTemplate(now.Add(-48*time.Hour), now.Add(-24*time.Hour), nil, loopback), ca, caKey)
	wrongName, _, _ := testCert(t, leafTemplate(now.Add(-time.Hour), now.Add(time.Hour), []string{"app.example.org"}), ca, caKey)
	selfSigned, _, _ := testCert(t, leafTemplate(now.Add(-time.Hour), now.Add(time.Hour), nil, loopback), nil, nil)

	tests := []struct {
		name  string
		cert  tls.Certificate
		roots *x509.CertPool
		want  []string // message parts of http-fetch; nil: valid
	}{
		{"trusted", good, pool, nil},
		{"expired", expired, pool, []string{"TLS", "expired on " + now.Add(-24*time.Hour).UTC().Format("2006-01-02"), "renew"}},
		{"wrong name", wrongName, pool, []string{"TLS", "app.example.org, not 127.0.0.1"}},
		{"self-signed", selfSigned, pool, []string{"TLS", "self-signed"}},
		{"unknown authority", good, x509.NewCertPool(), []string{"TLS", "unknown authority", "--cacert"}},
	}
	for _, tt := range tests {
		// Each case twice: with the CA as the only root, and with the CA as
		// an extra root (--cacert) next to roots that do not know it.
		var extra *x509.CertPool
		if tt.roots == pool {
			extra = pool
		}
		for _, mode := range []string{"roots", "extra"} {
			tt, opts := tt, Options{Options: validate.Options{AllowPrivate: true}, Timeout: testTimeout, RootCAs: tt.roots}
			if mode == "extra" {
				opts.RootCAs, opts.ExtraRoots = x509.NewCertPool(), extra
			}
			t.Run(tt.name+"/"+mode, func(t *testing.T) { checkTLS(t, tt.cert, opts, tt.want) })
		}
	}
	// Extra roots that do not know the CA fall back to the roots that do.
	t.Run("trusted/fallback", func(t *testing.T) {
		opts := Options{Options: validate.Options{AllowPrivate: true}, Timeout: testTimeout, RootCAs: pool, ExtraRoots: x509.NewCertPool()}
		checkTLS(t, good, opts, nil)
	})
}

func checkTLS(t *testing.T, cert tls.Certificate, opts Options, want []string) {
	t.Parallel()
	srv := &testServer{}
	srv.Server = httptest.NewUnstartedServer(serveDoc("application/json", "max-age=60"))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.countConns()
	srv.StartTLS()
	defer srv.Close()

	r := Check(context.Background(), srv.docURL(), opts)
	if want == nil {
		wantValid(t, r)
		return
	}
	wantFinding(t, r, "http-fetch", validate.Error, want...)
	if r.HTTP == nil || r.HTTP.Status != 0 {
		t.Errorf("Check(%s): HTTP = %+v; want status 0, no response", r.URL, r.HTTP)
	}
}

package live

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/internal/testenv"
	"github.com/cimd-dev/cimd/validate"
)

func TestCheckLiveTLS(t *testing.T) {
	now := time.Now()
	ca := testenv.NewCA(t)
	pool := ca.Pool()
	const loopback = "127.0.0.1"

	good := ca.TLSCertificate(t, loopback)
	expired := ca.TLSCertificateWith(t, testenv.CertOptions{NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(-24 * time.Hour)}, loopback)
	wrongName := ca.TLSCertificate(t, "app.example.org")
	selfSigned := ca.TLSCertificateWith(t, testenv.CertOptions{SelfSigned: true}, loopback)

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

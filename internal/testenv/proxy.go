package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// StartTLS starts an HTTPS server for h on 127.0.0.1 with a certificate
// from a new [CA] whose files live in dir, and returns the server and the
// CA's certificate file (for --cacert). The caller closes the server.
func StartTLS(dir string, h http.Handler) (*httptest.Server, string, error) {
	ca, err := NewCAIn(dir)
	if err != nil {
		return nil, "", err
	}
	cert, err := ca.Certificate("127.0.0.1")
	if err != nil {
		return nil, "", err
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	return srv, ca.CertFile, nil
}

// CachingProxy is a stand-in for the CDN in front of a bucket: it forwards
// GETs to upstream (trusting roots) and serves each path's response from its
// cache for ttl, so a republished document is seen only after the old copy
// expires, as from a real CDN. Redirects are passed on, not followed.
func CachingProxy(upstream string, ttl time.Duration, roots *x509.CertPool) http.Handler {
	upstream = strings.TrimSuffix(upstream, "/")
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}
	type entry struct {
		status  int
		header  http.Header
		body    []byte
		expires time.Time
	}
	var mu sync.Mutex
	cache := map[string]entry{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		e, ok := cache[r.URL.Path]
		mu.Unlock()
		if !ok || time.Now().After(e.expires) {
			resp, err := client.Get(upstream + r.URL.Path)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			e = entry{resp.StatusCode, resp.Header.Clone(), body, time.Now().Add(ttl)}
			mu.Lock()
			cache[r.URL.Path] = e
			mu.Unlock()
		}
		for _, k := range []string{"Content-Type", "Cache-Control", "Etag", "Location"} {
			if v := e.header.Get(k); v != "" {
				w.Header().Set(k, v)
			}
		}
		w.WriteHeader(e.status)
		w.Write(e.body)
	})
}

package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdCDN starts a caching HTTPS proxy for a script, a stand-in for the CDN
// in front of a bucket:
//
//	cdn UPSTREAM_URL TTL CAFILE
//
// It forwards GETs to UPSTREAM_URL (trusting the PEM CA in CAFILE) and serves
// each path's response from its cache for TTL, so a republished document is
// seen only after the old copy expires, as from a real CDN. It sets CDN_URL
// (https://127.0.0.1:PORT) and CDN_CA (its certificate as PEM).
func cmdCDN(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: cdn UPSTREAM_URL TTL CAFILE")
	}
	upstream := strings.TrimSuffix(args[0], "/")
	ttl, err := time.ParseDuration(args[1])
	ts.Check(err)
	caPEM, err := os.ReadFile(ts.MkAbs(args[2]))
	ts.Check(err)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		ts.Fatalf("cdn: no certificate in %s", args[2])
	}
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
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	}))
	ts.Defer(srv.Close)
	ca := filepath.Join(ts.Getenv("WORK"), "cdn-ca.pem")
	ts.Check(os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	ts.Setenv("CDN_URL", srv.URL)
	ts.Setenv("CDN_CA", ca)
}

package main

import (
	"crypto/x509"
	"os"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cimd-dev/cimd/internal/testenv"
)

// cmdCDN starts a caching HTTPS proxy for a script, a stand-in for the CDN
// in front of a bucket:
//
//	cdn UPSTREAM_URL TTL CAFILE
//
// It forwards GETs to UPSTREAM_URL (trusting the PEM CA in CAFILE) and serves
// each path's response from its cache for TTL, so a republished document is
// seen only after the old copy expires, as from a real CDN. It sets CDN_URL
// (https://127.0.0.1:PORT) and CDN_CA (the PEM of its throwaway CA).
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
	dir, err := os.MkdirTemp(ts.Getenv("WORK"), ".cdn-")
	ts.Check(err)
	srv, caFile, err := testenv.StartTLS(dir, testenv.CachingProxy(upstream, ttl, roots))
	ts.Check(err)
	ts.Defer(srv.Close)
	ts.Setenv("CDN_URL", srv.URL)
	ts.Setenv("CDN_CA", caFile)
}

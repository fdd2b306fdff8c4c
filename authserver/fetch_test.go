package authserver

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/fetch"
)

// TestGetWith runs discovery through the hardened client, as check-server
// wires it, and shows that a refused address is an error naming why.
func TestGetWith(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, true)
	pool := x509.NewCertPool()
	pool.AddCert(a.Certificate())
	opts := fetch.Options{Timeout: 5 * time.Second, RootCAs: pool, AllowPrivate: true,
		MaxBytes: MaxMetadataBytes, Accept: "application/json"}
	d, err := Discover(context.Background(), a.URL+"/mcp", Options{Get: GetWith(fetch.New(opts))})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{a.URL + "/mcp 401", a.URL + "/.well-known/oauth-protected-resource/mcp 200", a.URL + "/.well-known/oauth-authorization-server 200"}
	if got := triedSummary(d.Tried); !slices.Equal(got, want) || d.Issuer != a.URL {
		t.Errorf("tried %q, issuer %q; want %q, %q", got, d.Issuer, want, a.URL)
	}

	opts.AllowPrivate = false
	_, err = GetWith(fetch.New(opts))(context.Background(), a.URL+"/mcp")
	var refused *fetch.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "not fetched") {
		t.Errorf("GetWith(refusing client)(%s) = %v; want a RefusedError that says not fetched", a.URL, err)
	}
	if n := len(a.paths()); n != 3 {
		t.Errorf("the server saw %d requests; want the 3 of discovery, none for the refused one", n)
	}
}

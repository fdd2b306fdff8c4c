package build_test

import (
	"testing"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
)

// BenchmarkDocument renders the config of cimd.toml.example, with one
// localized name in [client.extra], and reports documents per second.
func BenchmarkDocument(b *testing.B) {
	c := &config.Config{
		Host: "app.example.com",
		Path: "/oauth/client.json",
		Client: config.Client{
			ClientName:              "Example App",
			RedirectURIs:            []string{"http://127.0.0.1:8765/callback", "https://app.example.com/oauth/callback"},
			ClientURI:               "https://app.example.com",
			LogoURI:                 "https://app.example.com/logo.png",
			Scope:                   "read write",
			TokenEndpointAuthMethod: "none",
			GrantTypes:              []string{"authorization_code"},
			ResponseTypes:           []string{"code"},
			ApplicationType:         "native",
			Extra:                   map[string]any{"client_name#fr": "Application Exemple"},
		},
	}
	doc, err := build.Document(c)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := build.Document(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

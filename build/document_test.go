package build

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/cimd-dev/cimd/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./build -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s\nwant:\n%s", name, path, got, want)
	}
}

func configs(t *testing.T) map[string]*config.Config {
	var extra map[string]any
	_, err := toml.Decode(`
zeta = "last"
"client_name#fr" = "Exemple"
alpha = 1
Beta = [1.5, true, "x"]
nested = { z = 1, a = { y = 2, b = 3 } }
when = 2025-01-31
at = 2025-01-31T10:00:00Z
[[tables]]
b = 1
a = 2
`, &extra)
	if err != nil {
		t.Fatal(err)
	}
	jwks := map[string]any{"keys": []any{map[string]any{
		"kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
		"x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
		"y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
		"n": json.Number("1.50"),
	}}}
	return map[string]*config.Config{
		"minimal": {
			Host: "app.example.com", Path: "/oauth/client.json",
			Client: config.Client{ClientName: "Minimal"},
		},
		"full": {
			Host: "app.example.com", Path: "/oauth/client.json",
			Client: config.Client{
				// Set in an order unlike the document's, which must not matter.
				SoftwareVersion: "1.2.3", SoftwareID: "example-app",
				JwksURI: "https://app.example.com/jwks.json", ApplicationType: "native",
				TokenEndpointAuthMethod: "private_key_jwt",
				ResponseTypes:           []string{"code"}, GrantTypes: []string{"authorization_code", "refresh_token"},
				Scope: "read write", Contacts: []string{"ops@example.com"},
				PolicyURI: "https://app.example.com/privacy", TosURI: "https://app.example.com/terms",
				LogoURI: "https://app.example.com/logo.png", ClientURI: "https://app.example.com",
				RedirectURIs: []string{"http://127.0.0.1:8765/callback", "https://app.example.com/cb"},
				ClientName:   "Example App",
				Extra:        map[string]any{"client_name#fr": "Application Exemple"},
			},
		},
		"unicode": {
			Host: "app.example.com", Path: "/c.json",
			Client: config.Client{
				ClientName:   "Café <Ünïcødé> & Co 日本 🙂",
				RedirectURIs: []string{"https://app.example.com/cb?a=1&b=<2>"},
				Extra:        map[string]any{"client_name#ja": "カフェ"},
			},
		},
		"extras": {
			Host: "app.example.com", Path: "/c.json",
			Client: config.Client{ClientName: "Extras", RedirectURIs: []string{}, Extra: extra},
		},
		// ChatGPT's shape: the methods it can use, private_key_jwt first.
		"auth-methods": {
			Host: "app.example.com", Path: "/c.json",
			Client: config.Client{
				ClientName: "Methods", TokenEndpointAuthMethod: "private_key_jwt",
				TokenEndpointAuthMethodsSupported: []string{"private_key_jwt", "none"},
				JwksURI:                           "https://app.example.com/jwks.json",
			},
		},
		"jwks": {
			Host: "app.example.com", Path: "/c.json",
			Client: config.Client{
				ClientName: "Keys", TokenEndpointAuthMethod: "private_key_jwt",
				JwksFile: "jwks.json", Jwks: jwks,
			},
		},
	}
}

func TestDocumentGolden(t *testing.T) {
	for name, c := range configs(t) {
		t.Run(name, func(t *testing.T) {
			got, err := Document(c)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, got)
			if !json.Valid(got) {
				t.Errorf("Document(%s) is not valid JSON", name)
			}
		})
	}
}

// TestDocumentDeterministic renders each config many times: map iteration
// order is random in Go, so one differing render would show up here.
func TestDocumentDeterministic(t *testing.T) {
	for name, c := range configs(t) {
		first, err := Document(c)
		if err != nil {
			t.Fatal(err)
		}
		for range 20 {
			if again, _ := Document(c); !bytes.Equal(first, again) {
				t.Fatalf("Document(%s) differs between renders:\n%s\n%s", name, first, again)
			}
		}
	}
}

func TestDocumentDoesNotChangeConfig(t *testing.T) {
	c := configs(t)["minimal"]
	if _, err := Document(c); err != nil {
		t.Fatal(err)
	}
	if c.Client.TokenEndpointAuthMethod != "" || c.Client.GrantTypes != nil {
		t.Errorf("Document wrote its defaults into the config: %+v", c.Client)
	}
}

func TestDocumentLocalDates(t *testing.T) {
	var extra map[string]any
	if _, err := toml.Decode("d = 2025-01-31\nt = 07:32:00\ndt = 2025-01-31T07:32:00.5\n", &extra); err != nil {
		t.Fatal(err)
	}
	extra["z"] = time.Date(2025, 1, 31, 7, 32, 0, 0, time.FixedZone("", 3600))
	c := &config.Config{Host: "h", Path: "/p", Client: config.Client{Extra: extra}}
	b, err := Document(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"d": "2025-01-31", "t": "07:32:00", "dt": "2025-01-31T07:32:00.5", "z": "2025-01-31T07:32:00+01:00"} {
		if doc[k] != want {
			t.Errorf("extra %s = %v; want %q", k, doc[k], want)
		}
	}
}

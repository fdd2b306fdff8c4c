package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysTable(t *testing.T) {
	f, err := load(t, base+"[client.keys]\nalg = \"EdDSA\"\n")
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := f.Select("", false)
	k := cs[0].Client.Keys
	if !k.Set || k.Alg != "EdDSA" || k.Publish != "jwks_uri" || k.PrivateDir != DefaultKeysDir {
		t.Errorf("[client.keys] alg = EdDSA decoded as %+v; want Set, EdDSA, jwks_uri, %s", k, DefaultKeysDir)
	}
	if got, want := cs[0].KeysDir(), filepath.Join(cs[0].Dir, ".cimd", "keys"); got != want {
		t.Errorf("KeysDir() = %q; want %q (relative to the config)", got, want)
	}

	f, _ = load(t, base)
	cs, _ = f.Select("", false)
	if cs[0].Client.Keys.Set {
		t.Error("no [client.keys]: Keys.Set is true")
	}
}

func TestKeysErrors(t *testing.T) {
	for _, tc := range []struct{ name, toml, want string }{
		{"alg", base + "[client.keys]\nalg = \"HS256\"\n", `:7:1: client.keys.alg: must be "ES256" (the default), "RS256" or "EdDSA", not "HS256"`},
		{"publish", base + "[client.keys]\npublish = \"file\"\n", `:7:1: client.keys.publish: must be "jwks_uri"`},
		{"unknown", base + "[client.keys]\nprivate_dri = \"k\"\n", `:7:1: client.keys.private_dri: unknown key; did you mean private_dir?`},
		{"type", base + "[client.keys]\nalg = 256\n", `:7:1: client.keys.alg: must be a string, not an integer`},
		{"inside out", base + "[client.keys]\nprivate_dir = \"public/keys\"\n", `:7:1: client.keys.private_dir: "public/keys" is inside the build output public`},
		{"default inside out", "[build]\nout = \".\"\n" + base + "[client.keys]\n", `client.keys.private_dir: ".cimd/keys" is inside the build output`},
		{"inside publish root", base + "[client.keys]\nprivate_dir = \"site/.keys\"\n[publish]\ntarget = \"dir\"\n[publish.dir]\nroot = \"site\"\n", `:7:1: client.keys.private_dir: "site/.keys" is inside the publish root site`},
		{"jwks_file too", base + "jwks_file = \"j.json\"\n[client.keys]\n", `:6:1: client.jwks_file: cannot be used with [client.keys]`},
		{"auth method none", strings.Replace(base, "[client]\n", "[client]\ntoken_endpoint_auth_method = \"none\"\n", 1) + "[client.keys]\n", `:4:1: client.token_endpoint_auth_method: is "none", but [client.keys] is for private_key_jwt`},
		{"jwks_uri too", base + "jwks_uri = \"https://a/j\"\n[client.keys]\n", `:6:1: client.jwks_uri: is set by [client.keys]`},
	} {
		_, err := load(t, tc.toml)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Load = %v; want %q", tc.name, err, tc.want)
		}
	}
}

// TestExampleKeys uncomments the [client.keys] block of cimd.toml.example
// (which TestExample's uncommenting leaves under [client.extra], the table
// before it): it must load and state the defaults.
func TestExampleKeys(t *testing.T) {
	src, err := os.ReadFile("../cimd.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(src), "\n# [client.keys]\n")
	if !ok {
		t.Fatal("cimd.toml.example has no commented [client.keys] block")
	}
	block, _, _ = strings.Cut(block, "\n\n")
	var keys []string
	for _, l := range strings.Split(block, "\n") {
		if k, ok := strings.CutPrefix(l, "# "); ok && strings.Contains(k, " = ") {
			keys = append(keys, k)
		}
	}
	if len(keys) != 3 {
		t.Fatalf("the [client.keys] block has %d keys; want private_dir, alg, publish", len(keys))
	}
	f, err := load(t, base+"[client.keys]\n"+strings.Join(keys, "\n")+"\n")
	if err != nil {
		t.Fatalf("the uncommented [client.keys] block: %v", err)
	}
	cs, _ := f.Select("", false)
	if k := cs[0].Client.Keys; k.PrivateDir != DefaultKeysDir || k.Alg != "ES256" || k.Publish != "jwks_uri" {
		t.Errorf("the example's [client.keys] = %+v; want the defaults it documents", k)
	}
}

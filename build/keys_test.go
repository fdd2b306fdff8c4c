package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/keys"
)

const keysConfig = `host = "svc.example.com"
path = "/oauth/client.json"
[client]
client_name = "Service"
grant_types = ["client_credentials"]
response_types = []
[client.keys]
`

// keysSetup writes a config with [client.keys] (plus extra lines) and a
// key store holding one key of each alg given, the first current.
func keysSetup(t testing.TB, extra string, algs ...keys.Alg) (*config.Config, *keys.Store) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "cimd.toml")
	if err := os.WriteFile(path, []byte(keysConfig+extra), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := f.Select("", false)
	store, err := keys.Open(cs[0].KeysDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range algs {
		op := store.Rotate
		if i == 0 {
			op = store.Generate
		}
		if _, err := op(a, ""); err != nil {
			t.Fatal(err)
		}
	}
	return cs[0], store
}

func TestKeysJWKSURI(t *testing.T) {
	c, store := keysSetup(t, "", keys.ES256, keys.ES256)
	ks, err := Keys(c)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Files(c, []byte("{}"))
	if err != nil || string(fileMap(files)["oauth/jwks.json"]) != string(ks.Data) {
		t.Errorf("Files = %v, %v; want oauth/jwks.json with the JWK Set", files, err)
	}
	if ks.Name != "oauth/jwks.json" {
		t.Errorf("JWK Set name %q; want oauth/jwks.json, beside the document", ks.Name)
	}
	var set keys.Set
	if err := json.Unmarshal(ks.Data, &set); err != nil || len(set.Keys) != 2 || set.Keys[0].Kid != store.Keys()[0].Kid {
		t.Errorf("jwks.json = %s, %v; want the current and the next key", ks.Data, err)
	}
	for _, m := range []string{`"d"`, `"p"`, `"q"`, "PRIVATE"} {
		if strings.Contains(string(ks.Data), m) {
			t.Errorf("jwks.json carries %s:\n%s", m, ks.Data)
		}
	}
	doc, err := Document(c)
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	json.Unmarshal(doc, &d)
	want := map[string]any{
		"jwks_uri":                        "https://svc.example.com/oauth/jwks.json",
		"token_endpoint_auth_method":      "private_key_jwt",
		"token_endpoint_auth_signing_alg": "ES256",
	}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("document %s = %v; want %v", k, d[k], v)
		}
	}
	if _, ok := d["jwks"]; ok {
		t.Error("document has jwks beside jwks_uri")
	}
}

// TestApplyKeysInline: publish = "inline" puts the set in the document; a
// rotation to another algorithm leaves token_endpoint_auth_signing_alg out.
func TestKeysInline(t *testing.T) {
	c, _ := keysSetup(t, "publish = \"inline\"\n", keys.ES256, keys.EdDSA)
	ks, err := Keys(c)
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := Files(c, []byte("{}")); len(files) != 1 {
		t.Errorf("inline keys: Files = %v; want the document alone", files)
	}
	if ks.Name != "" {
		t.Errorf("inline keys got a file %q", ks.Name)
	}
	doc, err := Document(c)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Jwks    keys.Set `json:"jwks"`
		JwksURI *string  `json:"jwks_uri"`
		Alg     *string  `json:"token_endpoint_auth_signing_alg"`
	}
	json.Unmarshal(doc, &d)
	if len(d.Jwks.Keys) != 2 || d.JwksURI != nil || d.Alg != nil {
		t.Errorf("inline document:\n%s\nwant two keys in jwks, no jwks_uri, no signing alg (ES256 and EdDSA are published)", doc)
	}
}

func TestKeysNoKeys(t *testing.T) {
	c, _ := keysSetup(t, "")
	if _, err := Document(c); err == nil || !strings.Contains(err.Error(), "cimd keys generate") {
		t.Errorf("Document with an empty store: %v; want 'run cimd keys generate'", err)
	}
}

// BenchmarkBuildKeys renders the document and its files with and without
// [client.keys] (two ES256 keys): the cost of reading the key state.
func BenchmarkBuildKeys(b *testing.B) {
	with, _ := keysSetup(b, "", keys.ES256, keys.ES256)
	without := *with
	without.Client.Keys = config.Keys{}
	without.Client.TokenEndpointAuthMethod = "private_key_jwt"
	without.Client.JwksURI = "https://svc.example.com/oauth/jwks.json"
	for name, c := range map[string]*config.Config{"without": &without, "with": with} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				doc, err := Document(c)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Files(c, doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

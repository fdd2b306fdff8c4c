package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

const envs = base + `client_uri = "https://app.example.com"
contacts = ["a@example.com", "b@example.com"]

[client.extra]
"client_name#fr" = "Exemple"
nested = { a = 1, list = [1, 2], deep = { x = "y" } }

[build]
headers = ["netlify"]

[publish]
target = "s3"
[publish.s3]
bucket = "prod-bucket"
region = "eu-west-1"

[env.staging]
host = "staging.example.com"
[env.staging.client]
contacts = ["staging@example.com"]
[env.staging.client.extra]
"client_name#de" = "Beispiel"
nested = { list = [3] }
[env.staging.publish.s3]
bucket = "staging-bucket"

[env.dev]
[env.dev.publish]
target = "dir"
[env.dev.publish.dir]
root = "site"
`

func TestMerge(t *testing.T) {
	f, err := load(t, envs)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.Select("staging", false)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if c.Env != "staging" || c.Host != "staging.example.com" || c.Path != "/oauth/client.json" {
		t.Errorf("staging = env %q host %q path %q; want staging, staging.example.com, /oauth/client.json", c.Env, c.Host, c.Path)
	}
	if got, want := c.Client.Contacts, []string{"staging@example.com"}; !reflect.DeepEqual(got, want) {
		t.Errorf("staging contacts = %q; want %q (arrays replace)", got, want)
	}
	if c.Client.ClientName != "Example" || c.Client.ClientURI != "https://app.example.com" {
		t.Errorf("staging client = %+v; want the top level's other client fields (tables merge)", c.Client)
	}
	if c.Publish.S3.Bucket != "staging-bucket" || c.Publish.S3.Region != "eu-west-1" || c.Publish.Target != "s3" {
		t.Errorf("staging publish = %+v; want bucket replaced, region and target kept", c.Publish)
	}
	wantExtra := map[string]any{
		"client_name#fr": "Exemple",
		"client_name#de": "Beispiel",
		"nested":         map[string]any{"a": int64(1), "list": []any{int64(3)}, "deep": map[string]any{"x": "y"}},
	}
	if !reflect.DeepEqual(c.Client.Extra, wantExtra) {
		t.Errorf("staging extra = %#v; want %#v", c.Client.Extra, wantExtra)
	}

	top, _ := f.Select("", false)
	if got := top[0].Client.Extra["nested"].(map[string]any)["list"]; !reflect.DeepEqual(got, []any{int64(1), int64(2)}) {
		t.Errorf("top level extra.nested.list = %v after merging; want [1 2] untouched", got)
	}
	if top[0].Publish.S3.Bucket != "prod-bucket" {
		t.Errorf("top level bucket = %q; want prod-bucket", top[0].Publish.S3.Bucket)
	}
}

func TestSelect(t *testing.T) {
	f, err := load(t, envs)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Envs(), []string{"dev", "staging"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Envs() = %q; want %q", got, want)
	}
	names := func(cs []*Config) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Env)
		}
		return out
	}
	tests := []struct {
		env  string
		all  bool
		want []string
		err  string
	}{
		{"", false, []string{""}, ""},
		{"dev", false, []string{"dev"}, ""},
		{"", true, []string{"", "dev", "staging"}, ""},
		{"prod", false, nil, `environment "prod" is not defined; defined: dev, staging`},
	}
	for _, tt := range tests {
		cs, err := f.Select(tt.env, tt.all)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Select(%q, %v) error = %v; want %q", tt.env, tt.all, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(names(cs), tt.want) {
			t.Errorf("Select(%q, %v) = %q, %v; want %q", tt.env, tt.all, names(cs), err, tt.want)
		}
	}

	// A copy: a caller's change must not leak into the next Select.
	cs, _ := f.Select("", false)
	cs[0].Client.RedirectURIs[0] = "changed"
	cs[0].Build.Out = "elsewhere"
	again, _ := f.Select("", false)
	if again[0].Client.RedirectURIs[0] == "changed" || again[0].Build.Out != "public" {
		t.Errorf("Select returned shared state: %+v", again[0])
	}

	f2, err := load(t, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f2.Select("staging", false); err == nil || !strings.Contains(err.Error(), "no [env.NAME] tables") {
		t.Errorf("Select(staging) without environments = %v; want an error saying there are none", err)
	}
}

func TestDefaults(t *testing.T) {
	path := filepath.Join(filepath.Dir(write(t, map[string]string{"sub/cimd.toml": base})), "sub", "cimd.toml")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, _ := f.Select("", false)
	c := cs[0]
	if c.Build.Out != "public" || c.Publish.CacheControl != "public, max-age=3600" ||
		c.Validate.Profile != "mcp" || c.Validate.Timeout.Duration != 10*time.Second {
		t.Errorf("defaults = %+v %+v %+v", c.Build, c.Publish, c.Validate)
	}
	if c.Client.TokenEndpointAuthMethod != "" || c.Client.GrantTypes != nil {
		t.Errorf("config filled document defaults %+v; build does that", c.Client)
	}
	if c.File != path || c.Dir != filepath.Dir(path) {
		t.Errorf("File, Dir = %q, %q; want %q, %q", c.File, c.Dir, path, filepath.Dir(path))
	}
	for in, want := range map[string]string{
		"":         "",
		"public":   filepath.Join(filepath.Dir(path), "public"),
		"../x":     filepath.Join(filepath.Dir(path), "..", "x"),
		"/abs/out": "/abs/out",
	} {
		if got := c.Abs(in); got != want {
			t.Errorf("Abs(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestJWKS(t *testing.T) {
	const public = `{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","n":1.50}]}`
	tests := []struct {
		name string
		jwks string // "" for no file
		want string // "" for success
	}{
		{"public", public, ""},
		{"missing", "", "cannot read the JWK Set"},
		{"not json", "nope", "is not a JWK Set"},
		{"not a set", `{"kty":"EC"}`, `with a "keys" array`},
		{"trailing", public + "{}", "data after the JSON object"},
		{"private", `{"keys":[{"kty":"RSA","kid":"r","n":"x","e":"AQAB","d":"s","p":"s","qi":"s"}]}`, `keys[0] (kid "r") has private members "d", "p", "qi"`},
		{"symmetric", `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, `keys[0] is a symmetric key`},
		{"k member", `{"keys":[{"kty":"EC","k":"x"}]}`, `symmetric key (member "k")`},
		{"no kty", `{"keys":[{"x":"y"}]}`, `has no "kty"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"cimd.toml": base + "jwks_file = \"keys/jwks.json\"\n"}
			if tt.jwks != "" {
				files["keys/jwks.json"] = tt.jwks
			}
			f, err := Load(write(t, files))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "cimd.toml:6:1: client.jwks_file: ") {
					t.Errorf("Load error = %v; want cimd.toml:6:1: client.jwks_file: ... %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cs, _ := f.Select("", false)
			keys := cs[0].Client.Jwks["keys"].([]any)
			if len(keys) != 1 || keys[0].(map[string]any)["kid"] != "k1" || keys[0].(map[string]any)["n"].(interface{ String() string }).String() != "1.50" {
				t.Errorf("Jwks = %v; want the file's one key, numbers verbatim", cs[0].Client.Jwks)
			}
		})
	}
}

// TestExample proves cimd.toml.example, which documents every key, decodes
// with no unknown key and validates, at the top level and in every
// environment; and that its commented-out keys are real keys too.
func TestExample(t *testing.T) {
	src, err := os.ReadFile("../cimd.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Load("../cimd.toml.example")
	if err != nil {
		t.Fatalf("Load(cimd.toml.example):\n%v", err)
	}
	if len(f.Envs()) == 0 {
		t.Error("cimd.toml.example defines no environment; it should show one")
	}
	cs, err := f.Select("", true)
	if err != nil || len(cs) != len(f.Envs())+1 {
		t.Fatalf("Select all = %d configs, %v", len(cs), err)
	}
	for _, c := range cs {
		if c.Host == "" || c.Client.ClientName == "" || len(c.Client.RedirectURIs) == 0 {
			t.Errorf("env %q: empty host, client_name or redirect_uris", c.Env)
		}
	}

	// Uncomment every "# key = value" line and "# [[table]]" header: the
	// result must still load.
	commented := regexp.MustCompile(`^# (("[^"]+"|[a-z_]+) = |\[\[[a-z_.]+\]\]$)`)
	var lines []string
	for _, l := range strings.Split(string(src), "\n") {
		if commented.MatchString(l) {
			l = l[2:]
		}
		lines = append(lines, l)
	}
	all := strings.Join(lines, "\n")
	if !strings.Contains(all, "\njwks_file = ") || !strings.Contains(all, "\ntos_uri = ") || !strings.Contains(all, "\n[[suppress]]\n") {
		t.Fatal("found no commented-out keys to check")
	}
	path := write(t, map[string]string{"cimd.toml": all, "jwks.json": `{"keys":[]}`})
	if _, err := Load(path); err != nil {
		t.Errorf("cimd.toml.example with every key uncommented:\n%v", err)
	}
}

func TestSplitURL(t *testing.T) {
	tests := []struct {
		in, host, path, err string
	}{
		{"https://app.example.com/oauth/client.json", "app.example.com", "/oauth/client.json", ""},
		{"https://app.example.com:8443/c", "app.example.com:8443", "/c", ""},
		{"https://h/a%20b", "h", "/a%20b", ""},
		{"http://app.example.com/c", "", "", "must start with https://"},
		{"HTTPS://app.example.com/c", "", "", "must start with https://"},
		{"https://app.example.com", "", "", "needs a path"},
		{"https://app.example.com/", "", "", "other than /"},
		{"https:///c", "", "", "no host"},
		{"https://u@h/c", "", "", "user info"},
		{"https://h/c?x=1", "", "", "query or fragment"},
		{"https://h/c#", "", "", "query or fragment"},
		{"https://h/a b", "", "", "whitespace"},
	}
	for _, tt := range tests {
		host, path, err := SplitURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("SplitURL(%q) error = %v; want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || host != tt.host || path != tt.path {
			t.Errorf("SplitURL(%q) = %q, %q, %v; want %q, %q", tt.in, host, path, err, tt.host, tt.path)
		}
	}
}

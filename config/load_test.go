package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// base is a valid config that error cases extend.
const base = `host = "app.example.com"
path = "/oauth/client.json"
[client]
client_name = "Example"
redirect_uris = ["http://127.0.0.1:8765/callback"]
`

// write puts files (name -> content) in a fresh directory and returns the
// path of its cimd.toml.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "cimd.toml")
}

func load(t *testing.T, content string) (*File, error) {
	t.Helper()
	return Load(write(t, map[string]string{"cimd.toml": content}))
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want string // after the file name
	}{
		{"syntax", "host = \"app\npath = \"/x\"\n", `:1:12: strings cannot contain newlines`},
		{"syntax position", base + "[client\n", `:6:8: expected`},
		{"syntax column in characters", "é = 1\n", `:1:1: `},
		{"duplicate key", base + "client_name = \"y\"\n", `:6:1: Key`},
		{"wrong type", strings.Replace(base, `host = "app.example.com"`, "host = 3", 1), `:1:1: host: must be a string, not an integer`},
		{"wrong element type", strings.Replace(base, `["http://127.0.0.1:8765/callback"]`, `["x", 2]`, 1), `:5:1: client.redirect_uris: must be an array of strings; element 1 is an integer`},
		{"list not array", base + "contacts = \"a@b.c\"\n", `:6:1: client.contacts: must be an array of strings, not a string`},
		{"table not table", base + "build = 1\n", `:6:1: client.build: unknown key`},
		{"top table not table", "build = 1\n" + base, `:1:1: build: must be a table, not an integer`},
		{"unknown top key", "hots = \"x\"\n" + base, `:1:1: hots: unknown key`},
		{"unknown client key", base + "client_nmae = \"x\"\n", `:6:1: client.client_nmae: unknown key; did you mean client_name?`},
		{"unknown client key, no suggestion", base + "software_statement = \"x\"\n", `:6:1: client.software_statement: unknown key (other metadata goes in [client.extra])`},
		{"unknown nested key", base + "[publish.s3]\nbucket = \"b\"\nbuket = \"b\"\n", `:8:1: publish.s3.buket: unknown key; did you mean bucket?`},
		{"unknown table", base + "[deploy]\nx = 1\n", `:6:1: deploy: unknown key`},
		{"unknown dir key", base + "[publish.dir]\nroot = \"r\"\nrooot = 1\n", `:8:1: publish.dir.rooot: unknown key`},
		{"client_id", base + "client_id = \"https://x/y\"\n", `:6:1: client.client_id: client_id is computed from host + path`},
		{"client_secret", base + "client_secret = \"s\"\n", `:6:1: client.client_secret: a CIMD must not contain a secret`},
		{"dotted client_id", "client.client_id = \"x\"\n" + base, `:1:1: client.client_id: client_id is computed`},
		{"jwks inline", base + "jwks = { keys = [] }\n", `:6:1: client.jwks: set jwks_file`},
		{"extra registered", base + "[client.extra]\nclient_name = \"y\"\n", `:7:1: client.extra.client_name: client_name is a registered field`},
		{"extra auth methods", base + "[client.extra]\ntoken_endpoint_auth_methods_supported = [\"none\"]\n", `:7:1: client.extra.token_endpoint_auth_methods_supported: token_endpoint_auth_methods_supported is a registered field`},
		{"auth methods not a list", base + "token_endpoint_auth_methods_supported = \"none\"\n", `:6:1: client.token_endpoint_auth_methods_supported: must be an array of strings, not a string`},
		{"extra secret", base + "[client.extra]\nclient_secret = \"y\"\n", `:7:1: client.extra.client_secret: a CIMD must not contain a secret`},
		{"missing host", strings.Replace(base, "host = \"app.example.com\"\n", "", 1), `: host: is required`},
		{"missing path", strings.Replace(base, "path = \"/oauth/client.json\"\n", "", 1), `: path: is required`},
		{"path without slash", strings.Replace(base, `"/oauth/client.json"`, `"oauth/client.json"`, 1), `:2:1: path: "oauth/client.json" must start with "/"`},
		{"host with scheme", strings.Replace(base, `"app.example.com"`, `"https://app.example.com"`, 1), `:1:1: host: "https://app.example.com" must be a host name without a scheme`},
		{"host with slash", strings.Replace(base, `"app.example.com"`, `"app.example.com/x"`, 1), `:1:1: host: "app.example.com/x" must be a host name only`},
		{"host with space", strings.Replace(base, `"app.example.com"`, `"app example.com"`, 1), `:1:1: host: "app example.com" must not contain whitespace`},
		{"target", base + "[publish]\ntarget = \"ftp\"\n", `:7:1: publish.target: must be "s3" or "dir", not "ftp"`},
		{"s3 without bucket", base + "[publish]\ntarget = \"s3\"\n", `: publish.s3.bucket: is required when publish.target is "s3"`},
		{"dir without root", base + "[publish]\ntarget = \"dir\"\n", `: publish.dir.root: is required when publish.target is "dir"`},
		{"path_style type", base + "[publish.s3]\npath_style = \"yes\"\n", `:7:1: publish.s3.path_style: must be true or false, not a string`},
		{"profile", base + "[validate]\nprofile = \"strict\"\n", `:7:1: validate.profile: must be "mcp" or "cimd", not "strict"`},
		{"headers", base + "[build]\nheaders = [\"vercel\"]\n", `:7:1: build.headers: unknown header file kind "vercel"`},
		{"bad duration", base + "[validate]\ntimeout = \"10 seconds\"\n", `:7:1: validate.timeout: invalid duration "10 seconds"`},
		{"bad publish timeout", base + "[publish]\ntimeout = \"soon\"\n", `:7:1: publish.timeout: invalid duration "soon"`},
		{"negative publish timeout", base + "[publish]\ntimeout = \"-1s\"\n", `:7:1: publish.timeout: duration "-1s" must not be negative`},
		{"negative duration", base + "[validate]\nwait = \"-1s\"\n", `:7:1: validate.wait: duration "-1s" must not be negative`},
		{"duration type", base + "[validate]\ntimeout = 10\n", `:7:1: validate.timeout: must be a duration string like "10s", not an integer`},
		{"env not table", "env = 1\n" + base, `:1:1: env: must be a table, not an integer`},
		{"env entry not table", base + "[env]\nstaging = 1\n", `:7:1: env.staging: must be a table, not an integer`},
		{"env nested", base + "[env.a.env.b]\nhost = \"x\"\n", `:6:1: env.a.env: environments cannot be nested`},
		{"env unknown key", base + "[env.staging]\nhost = \"s.example.com\"\n[env.staging.client]\nnmae = \"x\"\n", `:9:1: env.staging.client.nmae: unknown key`},
		{"env client_id", base + "[env.staging.client]\nclient_id = \"x\"\n", `:7:1: env.staging.client.client_id: client_id is computed`},
		{"env bad value", base + "[env.staging]\nhost = \"a b\"\n", `:7:1: env.staging.host: "a b" must not contain whitespace`},
		{"env name with a space", base + "[env.\"my env\"]\nhost = \"a.example.com\"\n", `:6:1: env."my env": environment names may use letters`},
		{"env name leaving the output directory", base + "[env.\"..\"]\nhost = \"a.example.com\"\n", `:6:1: env."..": environment names`},
		{"env missing bucket", base + "[env.staging.publish]\ntarget = \"s3\"\n", `: env.staging.publish.s3.bucket: is required when publish.target is "s3"`},
		{"env wrong type", base + "[env.staging.validate]\nallow_private = \"no\"\n", `:7:1: env.staging.validate.allow_private: must be true or false`},
		{"check servers type", base + "[check]\nservers = \"https://mcp.example.com\"\n", `:7:1: check.servers: must be an array of strings, not a string`},
		{"check servers not a URL", base + "[check]\nservers = [\"https://mcp.example.com/mcp\", \"mcp.example.com\"]\n", `:7:1: check.servers: element 1: "mcp.example.com" must be an MCP server URL or an issuer`},
		{"check servers userinfo", base + "[check]\nservers = [\"https://u:p@mcp.example.com\"]\n", `:7:1: check.servers: element 0: "https://u:p@mcp.example.com" must not carry credentials`},
		{"check unknown key", base + "[check]\nserver = []\n", `:7:1: check.server: unknown key; did you mean servers?`},
		{"env check servers", base + "[env.staging.check]\nservers = [\"ftp://x\"]\n", `:7:1: env.staging.check.servers: element 0: "ftp://x" must be`},
		{"inline table", "client = { client_name = 1 }\nhost = \"a.b\"\npath = \"/x\"\n", `:1:1: client.client_name: must be a string, not an integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := load(t, tt.toml)
			if err == nil {
				t.Fatalf("Load = %v, nil; want error %q", f, tt.want)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Errorf("Load error %v is not a *config.Error", err)
			}
			if want := "cimd.toml" + tt.want; !strings.Contains(err.Error(), want) {
				t.Errorf("Load error:\n%v\nwant it to contain %q", err, want)
			}
		})
	}
}

func TestLoadReportsEverything(t *testing.T) {
	src := `hots = "x"
path = "oauth"
[client]
client_id = "x"
redirect_uris = "http://127.0.0.1/cb"
[validate]
timeout = "soon"
[env.staging]
host = "https://s.example.com"
[env.staging.publish]
target = "s3"
`
	_, err := load(t, src)
	if err == nil {
		t.Fatal("Load = nil error; want several")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		`:1:1: hots: unknown key`,
		`:2:1: path: "oauth" must start with "/"`,
		`:4:1: client.client_id: `,
		`:5:1: client.redirect_uris: must be an array of strings`,
		`:7:1: validate.timeout: invalid duration`,
		`:9:1: env.staging.host: "https://s.example.com" must be a host name without a scheme`,
		`: host: is required`,
		`: env.staging.publish.s3.bucket: is required`,
	}
	if len(lines) != len(want) {
		t.Fatalf("Load error has %d lines; want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.Contains(lines[i], "cimd.toml"+w) {
			t.Errorf("error line %d = %q; want it to contain %q", i, lines[i], w)
		}
	}
}

// TestInheritedProblemOnce checks that an environment inheriting a bad
// top-level value does not repeat its error.
func TestInheritedProblemOnce(t *testing.T) {
	_, err := load(t, strings.Replace(base, `"/oauth/client.json"`, `"x"`, 1)+"[env.a]\n[env.b]\nhost = \"b.example.com\"\n")
	if err == nil {
		t.Fatal("Load = nil error; want one")
	}
	if n := strings.Count(err.Error(), "must start with"); n != 1 {
		t.Errorf("Load error says the path problem %d times; want once:\n%v", n, err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "cimd.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v; want an error wrapping os.ErrNotExist", err)
	}
}

// TestLoadAuthMethodsSupported checks that [client] carries the methods the
// client can use, and that an environment may override them.
func TestLoadAuthMethodsSupported(t *testing.T) {
	f, err := load(t, base+"token_endpoint_auth_methods_supported = [\"private_key_jwt\", \"none\"]\n[env.staging]\nhost = \"staging.example.com\"\n[env.staging.client]\ntoken_endpoint_auth_methods_supported = [\"none\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]string{"": "[private_key_jwt none]", "staging": "[none]"} {
		cs, err := f.Select(env, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(cs[0].Client.TokenEndpointAuthMethodsSupported); got != want {
			t.Errorf("env %q: TokenEndpointAuthMethodsSupported = %s; want %s", env, got, want)
		}
	}
}

func TestLoadCheckServers(t *testing.T) {
	f, err := load(t, base+"[check]\nservers = [\"https://mcp.example.com/mcp\"]\n[env.staging]\nhost = \"staging.example.com\"\n[env.staging.check]\nservers = [\"https://staging-mcp.example.com/mcp\", \"https://auth.example.com\"]\n[env.dev]\nhost = \"dev.example.com\"\n")
	if err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]string{
		"":        "[https://mcp.example.com/mcp]",
		"staging": "[https://staging-mcp.example.com/mcp https://auth.example.com]",
		"dev":     "[https://mcp.example.com/mcp]", // inherited from the top level
	} {
		cs, err := f.Select(env, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(cs[0].Check.Servers); got != want {
			t.Errorf("env %q: Check.Servers = %s; want %s", env, got, want)
		}
	}
}

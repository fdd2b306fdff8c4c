package main

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cimd-dev/cimd/authserver"
	"github.com/cimd-dev/cimd/internal/testenv"
	"github.com/cimd-dev/cimd/keys"
)

// tokenConfig is a client of nginx's host at path that logs users in (a
// loopback redirect URI) and also gets tokens of its own with
// client_credentials, authenticating with private_key_jwt and the keys of
// [client.keys], checked against issuer.
func tokenConfig(t *testing.T, e *asEnv, path, issuer string) string {
	t.Helper()
	cfg := filepath.Join(t.TempDir(), "cimd.toml")
	toml := fmt.Sprintf(`host = %q
path = %q
[client]
client_name = "cimd token test service"
redirect_uris = [%q]
application_type = "native"
token_endpoint_auth_method = "private_key_jwt"
grant_types = ["authorization_code", "client_credentials"]
[client.keys]
[validate]
allow_private = true
cacert = %q
[check]
servers = [%q]
`, e.docs.Host, path, loopbackRedirect, e.bundle, issuer)
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// mustCimd runs cimd and fails the test unless it exits 0.
func mustCimd(t *testing.T, args ...string) {
	t.Helper()
	if code, out, errs := cimd(t, args...); code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
	}
}

// keyPEM is the private key file of the current key of cfg's store.
func keyPEM(t *testing.T, cfg string) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg), ".cimd", "keys", "*.pem"))
	if len(files) != 1 {
		t.Fatalf("want one private key file, got %q", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jwtShape is a compact JWS (a client assertion, a JWT access token).
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)

// TestCheckServerToken runs check-server --token client_credentials
// against the real oidc-provider, with the documents and JWK Sets that
// cimd build wrote into nginx's root: the current key gets a token (text,
// --json, and with --client-id and the key in CIMD_SIGNING_KEY); a key
// rotated away from the published JWK Set and another key are refused with
// the server's own error (exit 1); and no access token, client assertion
// or private key appears in any output.
func TestCheckServerToken(t *testing.T) {
	e := newASEnv(t)
	as := e.start(t, "oidc-provider", testenv.AuthServerOptions{LogSecrets: true})
	var outputs []string
	run := func(wantCode int, args ...string) (string, string) {
		t.Helper()
		code, out, errs := cimd(t, args...)
		outputs = append(outputs, strings.Join(args, " ")+"\n"+out+errs)
		if code != wantCode {
			t.Fatalf("%v: exit %d; want %d\n%s%s", args, code, wantCode, out, errs)
		}
		return out, errs
	}
	decode := func(out string) checkOutput {
		t.Helper()
		var o checkOutput
		if err := json.Unmarshal([]byte(out), &o); err != nil || len(o.Results) != 1 {
			t.Fatalf("--json output (%v):\n%s", err, out)
		}
		return o
	}
	var secretForms []string

	// A published key: issued.
	good := tokenConfig(t, e, "/token/good/client.json", as.URL)
	mustCimd(t, "keys", "generate", "-c", good)
	mustCimd(t, "build", "-c", good, "--out", e.docsRoot)
	goodPEM := keyPEM(t, good)
	secretForms = append(secretForms, secrets(t, goodPEM)...)
	goodURL := e.docs.URL + "/token/good/client.json"

	out, _ := run(0, "check-server", "-c", good, "--no-probe", "--token", "client_credentials", "--json")
	o := decode(out)
	r := o.Results[0].Result
	tok := r.Token
	if tok == nil || tok.Outcome != authserver.TokenIssued || tok.Status != 200 || tok.TokenType != "Bearer" || tok.ExpiresIn <= 0 ||
		tok.Grant != "client_credentials" || tok.Audience != as.URL || !o.Ready || !hasRule(r, "as-token-issued") {
		t.Errorf("ready %v, token %+v, findings %+v; want ready, issued Bearer with expires_in, aud %s", o.Ready, tok, r.Findings, as.URL)
	}
	if n := e.docs.Fetches("/token/good/jwks.json", "cimd/"); n != 1 {
		t.Errorf("nginx logged %d fetches of jwks.json by the server; want 1", n)
	}
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	tokObj := raw["results"].([]any)[0].(map[string]any)["token"].(map[string]any)
	for _, k := range []string{"grant", "outcome", "status", "error", "error_description", "token_type", "expires_in"} {
		if _, ok := tokObj[k]; !ok {
			t.Errorf("the token object lacks %q: %v", k, tokObj)
		}
	}
	for k := range tokObj {
		if strings.Contains(k, "access") || strings.Contains(k, "assertion") {
			t.Errorf("the token object has %q: %v", k, tokObj)
		}
	}

	// With the probe: the same client logs users in.
	out, _ = run(0, "check-server", "-c", good, "--token", "client_credentials")
	if !strings.Contains(out, "  probe:     accepted") {
		t.Errorf("the probe was not accepted:\n%s", out)
	}
	if want := "  token:     issued · client_credentials · HTTP 200 · token_type Bearer · expires_in "; !strings.Contains(out, want) {
		t.Errorf("text output lacks %q:\n%s", want, out)
	}
	t.Logf("issued:\n%s", out)

	// The hosted document with the key from the environment.
	t.Setenv(keys.EnvVar, string(goodPEM))
	out, _ = run(0, "check-server", "--allow-private", "--cacert", e.bundle, "--no-probe", "--token", "client_credentials", "--json", as.URL, "--client-id", goodURL)
	if tok := decode(out).Results[0].Token; tok == nil || tok.Outcome != authserver.TokenIssued {
		t.Errorf("--client-id with %s: token %+v; want issued", keys.EnvVar, tok)
	}

	// Another key than the published one: the server refuses it.
	other := tokenConfig(t, e, "/token/other/client.json", as.URL)
	mustCimd(t, "keys", "generate", "-c", other)
	otherPEM := keyPEM(t, other)
	secretForms = append(secretForms, secrets(t, otherPEM)...)
	t.Setenv(keys.EnvVar, string(otherPEM))
	out, _ = run(1, "check-server", "--allow-private", "--cacert", e.bundle, "--no-probe", "--token", "client_credentials", "--json", as.URL, "--client-id", goodURL)
	o = decode(out)
	r = o.Results[0].Result
	if tok := r.Token; o.Ready || tok == nil || tok.Outcome != authserver.TokenRefused || tok.Status != 401 || tok.Error != "invalid_client" ||
		tok.ErrorDescription == "" || !hasRule(r, "as-token-refused") {
		t.Errorf("another key: ready %v, token %+v; want not ready, refused 401 invalid_client with a description", o.Ready, tok)
	}
	// In config mode that key is refused before anything is sent: it is
	// not in state.json.
	if code, _, errs := cimd(t, "check-server", "-c", good, "--no-probe", "--token", "client_credentials"); code != 2 || !strings.Contains(errs, "none of the public keys") {
		t.Errorf("config mode with a foreign %s: exit %d, %s; want 2 and the refusal", keys.EnvVar, code, errs)
	}
	t.Setenv(keys.EnvVar, "")

	// Rotated away: the published JWK Set has only the first key, the
	// store signs with the second.
	rotated := tokenConfig(t, e, "/token/rotated/client.json", as.URL)
	mustCimd(t, "keys", "generate", "-c", rotated)
	secretForms = append(secretForms, secrets(t, keyPEM(t, rotated))...)
	mustCimd(t, "build", "-c", rotated, "--out", e.docsRoot)
	mustCimd(t, "keys", "rotate", "-c", rotated)
	mustCimd(t, "keys", "retire", "--force", "-c", rotated)
	secretForms = append(secretForms, secrets(t, keyPEM(t, rotated))...)
	out, errs := run(1, "check-server", "-c", rotated, "--no-probe", "--token", "client_credentials")
	if want := "  token:     refused · client_credentials · HTTP 401 · invalid_client: "; !strings.Contains(out, want) {
		t.Errorf("rotated away: text output lacks %q:\n%s", want, out)
	}
	if !strings.Contains(out, "✗ not ready") {
		t.Errorf("rotated away: want not ready:\n%s", out)
	}
	t.Logf("refused:\n%s", out)
	// -q: the refusal alone, on stderr.
	_, errs = run(1, "check-server", "-c", rotated, "--no-probe", "--token", "client_credentials", "-q")
	if !strings.Contains(errs, "as-token-refused") {
		t.Errorf("-q: stderr lacks as-token-refused:\n%s", errs)
	}

	// The sentinel: the server issued tokens and received assertions,
	// and none of them, nor any private key, is in any output.
	seen := as.Secrets()
	if len(seen) < 8 { // 3 tokens and 6 assertions
		t.Fatalf("the server reported %d tokens and assertions; want at least 8: is AS_LOG_SECRETS wired?", len(seen))
	}
	for _, o := range outputs {
		for _, s := range seen {
			if strings.Contains(o, s) {
				t.Errorf("an access token or client assertion in the output of %s", strings.SplitN(o, "\n", 2)[0])
			}
		}
		for _, s := range secretForms {
			if strings.Contains(o, s) {
				t.Errorf("private key material in the output of %s", strings.SplitN(o, "\n", 2)[0])
			}
		}
		if m := jwtShape.FindString(o); m != "" {
			t.Errorf("a JWT-shaped string %.20s... in the output of %s", m, strings.SplitN(o, "\n", 2)[0])
		}
	}
}

// TestCheckServerTokenNotes: a server whose metadata lists neither
// client_credentials nor private_key_jwt is told so on the token line
// before its answer, which is shown escaped; the token request is one POST
// of the form to the token endpoint. Usage errors are exit 2 before any
// request.
func TestCheckServerTokenNotes(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv(keys.EnvVar, "")
	ca := testenv.NewCA(t)
	var srv *httptest.Server
	var mu sync.Mutex
	var posts []url.Values
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
				"token_endpoint": srv.URL + "/token", "response_types_supported": []string{"code"},
				"code_challenge_methods_supported": []string{"S256"}, "grant_types_supported": []string{"authorization_code"},
				"client_id_metadata_document_supported": true})
		case "/token":
			r.ParseForm()
			mu.Lock()
			posts = append(posts, r.PostForm)
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"unauthorized_client","error_description":"no \u001b[31mclient_credentials\u001b[0m here"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	cfg := filepath.Join(dir, "cimd.toml")
	os.WriteFile(cfg, []byte(`host = "svc.example.com"
path = "/oauth/client.json"
[client]
client_name = "Service"
redirect_uris = ["http://127.0.0.1:8765/callback"]
application_type = "native"
token_endpoint_auth_method = "private_key_jwt"
[client.keys]
`), 0o644)
	if code, out, errs := cimd(t, "keys", "generate", "-c", cfg); code != 0 {
		t.Fatalf("keys generate: exit %d\n%s%s", code, out, errs)
	}
	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	code, out, errs := cimd(t, "check-server", "-c", cfg, "--allow-private", "--cacert", ca.CertFile, "--no-probe", "--token", "client_credentials", srv.URL)
	t.Setenv("GITHUB_ACTIONS", "")
	b, _ := os.ReadFile(summary)
	if !strings.Contains(string(b), "| server | verdict | probe | token | claude |") || !strings.Contains(string(b), "| ✗ not ready | skipped | refused |") {
		t.Errorf("step summary lacks the token column:\n%s", b)
	}
	if want := "::error title=cimd as-token-refused::" + srv.URL + ": the token endpoint refused"; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks the annotation %q:\n%s", want, errs)
	}
	want := `  token:     refused · client_credentials · HTTP 400 · unauthorized_client: no \x1b[31mclient_credentials\x1b[0m here · ` +
		`the server's grant_types_supported ["authorization_code"] lacks client_credentials · ` +
		`the server's token_endpoint_auth_methods_supported (absent, so "client_secret_basic") lacks private_key_jwt` + "\n"
	if code != 1 || !strings.Contains(out, want) || strings.Contains(out, "\x1b") {
		t.Errorf("exit %d; want 1 and %q, no raw ESC:\n%s%s", code, want, out, errs)
	}
	if len(posts) != 1 || posts[0].Get("grant_type") != "client_credentials" || posts[0].Get("client_id") != "https://svc.example.com/oauth/client.json" ||
		posts[0].Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || posts[0].Get("client_assertion") == "" {
		t.Errorf("the token endpoint got %v; want one client_credentials request with a client assertion", posts)
	}
	// The assertion is for the issuer.
	if len(posts) == 1 {
		parts := strings.Split(posts[0].Get("client_assertion"), ".")
		claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var c struct{ Aud, Iss string }
		json.Unmarshal(claims, &c)
		if c.Aud != srv.URL || c.Iss != "https://svc.example.com/oauth/client.json" {
			t.Errorf("assertion claims %s; want aud %s and iss the client_id", claims, srv.URL)
		}
	}

	noKeys := filepath.Join(dir, "nokeys.toml")
	os.WriteFile(noKeys, []byte("host = \"svc.example.com\"\npath = \"/oauth/client.json\"\n[client]\nclient_name = \"x\"\nredirect_uris = [\"http://127.0.0.1:8765/callback\"]\napplication_type = \"native\"\n"), 0o644)
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"-c", cfg, "--token", "password"}, "the one grant it requests is client_credentials"},
		{[]string{"--token", "client_credentials", "--client-id", "https://svc.example.com/oauth/client.json"}, "CIMD_SIGNING_KEY, which is empty"},
		{[]string{"-c", noKeys, "--token", "client_credentials"}, "[client.keys] is not set and CIMD_SIGNING_KEY is empty"},
	} {
		args := append(append([]string{"check-server"}, c.args...), srv.URL)
		if code, _, errs := cimd(t, args...); code != 2 || !strings.Contains(errs, c.says) {
			t.Errorf("%q: exit %d, %s; want 2 and %q", args, code, errs, c.says)
		}
	}
	if len(posts) != 1 {
		t.Errorf("%d token requests after the usage errors; want none more", len(posts)-1)
	}
}

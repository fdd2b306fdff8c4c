package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"crypto/tls"

	"github.com/cimd-dev/cimd/authserver"
	"github.com/cimd-dev/cimd/internal/testenv"
	"github.com/cimd-dev/cimd/validate"
)

// The tests of this file run check-server against the real authorization
// servers of internal/testenv (oidc-provider and better-auth under Node),
// which fetch the client documents from a real nginx.

// loopbackRedirect is the redirect URI the test documents list. Nothing
// listens there: the probe never follows a redirect.
const loopbackRedirect = "http://127.0.0.1:47863/callback"

// asEnv is nginx serving documents (one as application/json, one serving
// everything as text/plain), a CA for the servers' own certificates, and
// one PEM bundle of every CA, which both cimd (--cacert) and the servers
// (NODE_EXTRA_CA_CERTS) trust.
type asEnv struct {
	docs, text         *testenv.Nginx
	docsRoot, textRoot string
	ca                 *testenv.CA
	bundle             string
}

func newASEnv(t *testing.T) *asEnv {
	t.Helper()
	t.Setenv("GITHUB_ACTIONS", "") // the in-process runs must not annotate the real CI run
	dir := t.TempDir()
	e := &asEnv{docsRoot: filepath.Join(dir, "docs"), textRoot: filepath.Join(dir, "text"), ca: testenv.NewCA(t)}
	var err error
	for _, d := range []string{e.docsRoot, e.textRoot} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if e.docs, err = testenv.StartNginx(filepath.Join(dir, "nginx-docs"), e.docsRoot, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.docs.Close)
	if e.text, err = testenv.StartNginx(filepath.Join(dir, "nginx-text"), e.textRoot, "text/plain"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.text.Close)
	var bundle []byte
	for _, f := range []string{e.docs.CAFile, e.text.CAFile, e.ca.CertFile} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bundle = append(bundle, b...)
	}
	e.bundle = filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(e.bundle, bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

// start starts the named server trusting the bundle.
func (e *asEnv) start(t *testing.T, server string, opts testenv.AuthServerOptions) *testenv.AuthServer {
	t.Helper()
	opts.CACert = e.bundle
	opts.Cert, opts.Key = e.ca.Issue(t, "127.0.0.1")
	if server == "better-auth" {
		return testenv.StartBetterAuth(t, opts)
	}
	return testenv.StartOIDCProvider(t, opts)
}

// doc writes a client document at path under nginx n's root, whose
// client_id is its own URL unless clientID is set, and returns its URL.
func (e *asEnv) doc(t *testing.T, n *testenv.Nginx, path, clientID string) string {
	t.Helper()
	root := e.docsRoot
	if n == e.text {
		root = e.textRoot
	}
	u := n.URL + path
	if clientID == "" {
		clientID = u
	}
	b, _ := json.Marshal(map[string]any{
		"client_id":                  clientID,
		"client_name":                "cimd test client",
		"redirect_uris":              []string{loopbackRedirect},
		"grant_types":                []string{"authorization_code"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	})
	p := filepath.Join(root, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return u
}

// checkOutput is check-server's --json output.
type checkOutput struct {
	OK      bool `json:"ok"`
	Ready   bool `json:"ready"`
	Results []struct {
		authserver.Result
		Env string `json:"env"`
	} `json:"results"`
}

// cimd runs the command in process and returns its exit code and streams.
func cimd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// checkJSON runs check-server --json and decodes its one result.
func checkJSON(t *testing.T, wantCode int, args ...string) checkOutput {
	t.Helper()
	code, out, errs := cimd(t, append([]string{"check-server", "--json"}, args...)...)
	var o checkOutput
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatalf("check-server %v: exit %d, output not JSON (%v):\n%s\n%s", args, code, err, out, errs)
	}
	if code != wantCode || len(o.Results) != 1 {
		t.Fatalf("check-server %v: exit %d with %d results; want exit %d and 1 result:\n%s\n%s", args, code, len(o.Results), wantCode, out, errs)
	}
	return o
}

func hasRule(r authserver.Result, rule string) bool {
	return slices.ContainsFunc(r.Findings, func(f validate.Finding) bool { return f.Rule == rule })
}

// serverCase is what distinguishes the two real servers' answers.
type serverCase struct {
	name             string
	acceptsTextPlain bool
	// errors is the OAuth error each server answers a case with, and a
	// piece of its own error_description.
	errors map[string][2]string
}

var realServers = []serverCase{
	{name: "oidc-provider", acceptsTextPlain: true, errors: map[string][2]string{
		"mismatch": {"invalid_client_metadata", "client_id does not match"},
		"unlisted": {"invalid_redirect_uri", "redirect_uri did not match"},
		"redirect": {"invalid_client", "fetch failed"},
	}},
	{name: "better-auth", errors: map[string][2]string{
		"mismatch": {"invalid_client", "does not match the metadata document URL"},
		"unlisted": {"invalid_redirect", "invalid redirect uri"},
		"redirect": {"invalid_client", "returned HTTP 301"},
		"text":     {"invalid_client", "must be JSON"},
	}},
}

// TestCheckServerRealServers checks documents served by nginx against each
// real server: a good one is accepted (and nginx's log shows the server
// fetched it), a client_id mismatch, an unlisted redirect_uri and a
// redirecting URL are rejected with the server's own reason, a text/plain
// document divides them, and an MCP resource naming the server is
// discovered end to end.
func TestCheckServerRealServers(t *testing.T) {
	e := newASEnv(t)
	for _, sc := range realServers {
		t.Run(sc.name, func(t *testing.T) {
			// The MCP server stand-in first: the server must know it as a
			// resource (RFC 8707), or it refuses the probe with invalid_target.
			var issuer string
			mcp := mcpResource(t, e.ca, &issuer)
			as := e.start(t, sc.name, testenv.AuthServerOptions{Resources: []string{mcp + "/mcp"}})
			issuer = as.URL
			base := []string{"--allow-private", "--cacert", e.bundle}
			dir := "/" + sc.name

			t.Run("good-config-mode", func(t *testing.T) {
				// The document cimd.toml renders, built into nginx's root
				// by cimd build, checked in config mode.
				cfg := filepath.Join(t.TempDir(), "cimd.toml")
				toml := fmt.Sprintf(`host = %q
path = "%s/good.json"
[client]
client_name = "cimd test client"
redirect_uris = [%q]
application_type = "native"
[validate]
allow_private = true
cacert = %q
[check]
servers = [%q]
`, e.docs.Host, dir, loopbackRedirect, e.bundle, as.URL)
				if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
					t.Fatal(err)
				}
				if code, out, errs := cimd(t, "build", "-c", cfg, "--out", e.docsRoot); code != 0 {
					t.Fatalf("build: exit %d\n%s%s", code, out, errs)
				}
				o := checkJSON(t, 0, "-c", cfg)
				r := o.Results[0].Result
				if !o.Ready || r.Probe.Outcome != authserver.ProbeAccepted || r.Issuer != as.URL || r.ClientID != e.docs.URL+dir+"/good.json" {
					t.Errorf("ready %v, probe %+v, issuer %s, client %s; want ready, accepted, %s", o.Ready, r.Probe, r.Issuer, r.ClientID, as.URL)
				}
				if n := e.docs.Fetches(dir+"/good.json", "cimd/"); n != 1 {
					t.Errorf("nginx logged %d fetches of the document by the server; want 1", n)
				}
				for _, c := range r.Clients {
					if c.Name == "claude" && !c.UsesCIMD {
						t.Errorf("claude: %+v; want it to use CIMD", c)
					}
				}
			})

			rejected := func(t *testing.T, o checkOutput, which string) {
				t.Helper()
				r := o.Results[0].Result
				want := sc.errors[which]
				if o.Ready || r.Probe.Outcome != authserver.ProbeRejected || r.Probe.Error != want[0] ||
					!strings.Contains(r.Probe.ErrorDescription, want[1]) || !hasRule(r, "as-probe-rejected") {
					t.Errorf("probe %+v; want rejected with %s and a description containing %q", r.Probe, want[0], want[1])
				}
			}
			t.Run("client-id-mismatch", func(t *testing.T) {
				u := e.doc(t, e.docs, dir+"/mismatch.json", e.docs.URL+dir+"/elsewhere.json")
				o := checkJSON(t, 1, append(base, as.URL, "--client-id", u)...)
				rejected(t, o, "mismatch")
			})
			t.Run("unlisted-redirect-uri", func(t *testing.T) {
				u := e.doc(t, e.docs, dir+"/unlisted.json", "")
				o := checkJSON(t, 1, append(base, as.URL, "--client-id", u, "--redirect-uri", "http://127.0.0.1:47863/elsewhere")...)
				rejected(t, o, "unlisted")
			})
			t.Run("redirecting-url", func(t *testing.T) {
				// nginx answers a directory's URL without its slash with a
				// 301 to the URL with it.
				if err := os.MkdirAll(filepath.Join(e.docsRoot, sc.name, "moved"), 0o755); err != nil {
					t.Fatal(err)
				}
				o := checkJSON(t, 1, append(base, as.URL, "--client-id", e.docs.URL+dir+"/moved", "--redirect-uri", loopbackRedirect)...)
				rejected(t, o, "redirect")
				if !hasRule(o.Results[0].Result, "http-redirect") {
					t.Errorf("findings %+v; want cimd's own http-redirect for the client's URL", o.Results[0].Findings)
				}
			})
			t.Run("text-plain", func(t *testing.T) {
				u := e.doc(t, e.text, dir+"/text.json", "")
				o := checkJSON(t, 1, append(base, as.URL, "--client-id", u)...)
				r := o.Results[0].Result
				if !hasRule(r, "http-content-type") {
					t.Errorf("findings %+v; want http-content-type", r.Findings)
				}
				if sc.acceptsTextPlain {
					if r.Probe.Outcome != authserver.ProbeAccepted {
						t.Errorf("probe %+v; want %s to accept a text/plain document", r.Probe, sc.name)
					}
				} else {
					rejected(t, o, "text")
				}
			})
			t.Run("mcp-resource", func(t *testing.T) {
				u := e.doc(t, e.docs, dir+"/mcp.json", "")
				o := checkJSON(t, 0, append(base, mcp+"/mcp", "--client-id", u)...)
				r := o.Results[0].Result
				var tried []string
				for _, x := range r.Tried {
					tried = append(tried, fmt.Sprintf("%s %d", x.URL, x.Status))
				}
				want := []string{mcp + "/mcp 401", mcp + "/.well-known/oauth-protected-resource/mcp 200",
					as.URL + "/.well-known/oauth-authorization-server 200"}
				if !slices.Equal(tried, want) || r.Issuer != as.URL || r.Probe.Outcome != authserver.ProbeAccepted {
					t.Errorf("tried %q, issuer %s, probe %+v; want %q, %s, accepted", tried, r.Issuer, r.Probe, want, as.URL)
				}
			})
		})
	}
}

// mcpResource starts an MCP server stand-in: /mcp answers 401 with a
// WWW-Authenticate naming its RFC 9728 metadata, which names *issuer (set
// once the server is started).
func mcpResource(t *testing.T, ca *testenv.CA, issuer *string) string {
	var srv *httptest.Server
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/mcp":
			w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="`+srv.URL+`/.well-known/oauth-protected-resource/mcp"`)
			w.WriteHeader(http.StatusUnauthorized)
		case "/.well-known/oauth-protected-resource/mcp":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"resource": srv.URL + "/mcp", "authorization_servers": []string{*issuer}})
		default:
			http.NotFound(w, r)
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestCheckServerSwitches starts each server without the CIMD flag, without
// "none" and without S256, and checks that check-server names the matching
// as-* error.
func TestCheckServerSwitches(t *testing.T) {
	e := newASEnv(t)
	cases := []struct {
		name string
		opts testenv.AuthServerOptions
		rule string
	}{
		{"no-cimd", testenv.AuthServerOptions{NoCIMD: true}, "as-cimd-unsupported"},
		{"no-none", testenv.AuthServerOptions{NoNone: true}, "as-auth-method"},
		{"no-s256", testenv.AuthServerOptions{NoS256: true}, "as-pkce"},
	}
	for _, sc := range realServers {
		for _, c := range cases {
			t.Run(sc.name+"/"+c.name, func(t *testing.T) {
				as := e.start(t, sc.name, c.opts)
				u := e.doc(t, e.docs, "/"+sc.name+"-"+c.name+"/client.json", "")
				o := checkJSON(t, 1, "--allow-private", "--cacert", e.bundle, as.URL, "--client-id", u)
				r := o.Results[0].Result
				found := slices.ContainsFunc(r.Findings, func(f validate.Finding) bool {
					return f.Rule == c.rule && f.Severity == validate.Error
				})
				if !found || o.Ready {
					t.Errorf("ready %v, findings %+v; want not ready with error %s", o.Ready, r.Findings, c.rule)
				}
				if c.name == "no-none" {
					for _, cl := range r.Clients {
						if cl.Name == "claude" && cl.UsesCIMD {
							t.Errorf("claude: %+v; want it not to use CIMD without none", cl)
						}
					}
				}
			})
		}
	}
}

// TestCheckServerRequests counts what the server receives for one check:
// exactly the discovery GETs check-server lists as tried, then one probe of
// the authorization endpoint, and nothing else.
func TestCheckServerRequests(t *testing.T) {
	e := newASEnv(t)
	as := e.start(t, "oidc-provider", testenv.AuthServerOptions{Proxy: true})
	u := e.doc(t, e.docs, "/count/client.json", "")
	o := checkJSON(t, 0, "--allow-private", "--cacert", e.bundle, as.URL, "--client-id", u)
	r := o.Results[0].Result
	var want []string
	for _, x := range r.Tried {
		p := strings.TrimPrefix(x.URL, as.URL)
		if p == "" {
			p = "/"
		}
		want = append(want, "GET "+p)
	}
	got := as.Requests()
	t.Logf("requests per check: %d: %q", len(got), got)
	if len(got) != len(want)+1 || !slices.Equal(got[:len(want)], want) || !strings.HasPrefix(got[len(want)], "GET /auth?") {
		t.Fatalf("the server received %q; want the tried %q and one GET of /auth", got, want)
	}
	if !strings.Contains(got[len(want)], "client_id="+url.QueryEscape(u)) || !strings.Contains(got[len(want)], "code_challenge_method=S256") {
		t.Errorf("probe %q lacks the client_id or the S256 challenge", got[len(want)])
	}
}

// TestCheckServerHostile runs check-server against servers that answer
// discovery with what no authorization server should: each is a bounded,
// named error in the output and exit 1, never a hang or a crash.
func TestCheckServerHostile(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	ca := testenv.NewCA(t)
	caFile := ca.CertFile
	doc := func(srvURL string) map[string]any {
		return map[string]any{"issuer": srvURL, "authorization_endpoint": srvURL + "/authorize", "token_endpoint": srvURL + "/token",
			"response_types_supported": []string{"code"}, "code_challenge_methods_supported": []string{"S256"},
			"token_endpoint_auth_methods_supported": []string{"none"}, "client_id_metadata_document_supported": true}
	}
	cases := []struct {
		name    string
		handler func(srvURL string) http.HandlerFunc
		want    string // in the text output
	}{
		{"huge", func(string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"issuer": "`))
				w.Write(bytes.Repeat([]byte("a"), 2<<20))
			}
		}, "over 262144 bytes"},
		{"redirecting", func(string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://elsewhere.example/.well-known/oauth-authorization-server", http.StatusFound)
			}
		}, "302 · text/html; charset=utf-8 · → https://elsewhere.example/.well-known/oauth-authorization-server"},
		{"not-json", func(string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte("<html>\x1b[2J not json</html>"))
			}
		}, "as-metadata-invalid"},
		{"wrong-issuer", func(srvURL string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				md := doc(srvURL)
				md["issuer"] = "https://evil.example"
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(md)
			}
		}, "as-issuer-mismatch"},
		{"private-endpoint", func(srvURL string) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				md := doc(srvURL)
				md["authorization_endpoint"] = "http://169.254.169.254/authorize"
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(md)
			}
		}, "as-endpoint-not-https"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/.well-known/oauth-authorization-server" && c.name != "redirecting" {
					http.NotFound(w, r)
					return
				}
				c.handler(srv.URL)(w, r)
			}))
			srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
			srv.StartTLS()
			t.Cleanup(srv.Close)
			cfg := filepath.Join(t.TempDir(), "cimd.toml")
			os.WriteFile(cfg, []byte("host = \"app.example.com\"\npath = \"/oauth/client.json\"\n[client]\nclient_name = \"x\"\nredirect_uris = [\"http://127.0.0.1:8765/callback\"]\napplication_type = \"native\"\n"), 0o644)
			code, out, errs := cimd(t, "check-server", "-c", cfg, "--allow-private", "--cacert", caFile, "--timeout", "5s", srv.URL)
			if code != 1 || !strings.Contains(out, c.want) || strings.Contains(out, "\x1b") {
				t.Errorf("exit %d; want 1 and %q in the output, no raw ESC:\n%s%s", code, c.want, out, errs)
			}
		})
	}

	// Without --allow-private, a loopback server is not fetched at all.
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	code, out, _ := cimd(t, "check-server", "--client-id", "https://app.example.com/oauth/client.json", "--no-probe", "--timeout", "2s", srv.URL)
	if code != 1 || !strings.Contains(out, "special-use address") {
		t.Errorf("loopback without --allow-private: exit %d:\n%s; want 1 and a refusal naming the special-use address", code, out)
	}
}

// TestCheckServerTextAndGitHub reads the text output, -q and the GitHub
// reports of one check against oidc-provider without "none": the
// headline, the URLs tried, the as-auth-method error, the probe (which the
// provider then refuses too) and the client lines; an annotation naming the server; and the server x client
// table in the step summary.
func TestCheckServerTextAndGitHub(t *testing.T) {
	e := newASEnv(t)
	as := e.start(t, "oidc-provider", testenv.AuthServerOptions{NoNone: true})
	u := e.doc(t, e.docs, "/text/client.json", "")
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	code, out, errs := cimd(t, "check-server", "--allow-private", "--cacert", e.bundle, as.URL, "--client-id", u)
	for _, want := range []string{
		"✗ not ready  " + as.URL + "\n",
		"  metadata:  " + as.URL + "/.well-known/oauth-authorization-server\n",
		"    " + as.URL + "/.well-known/oauth-authorization-server  200 · application/json; charset=utf-8 · used\n",
		"  error   as-auth-method the document's token_endpoint_auth_method \"none\"",
		// The provider then also refuses a client that authenticates with none.
		"  probe:     rejected · HTTP 400 · invalid_client_metadata: token_endpoint_auth_method must be ",
		"    ✗ claude         fails: it uses CIMD only where token_endpoint_auth_methods_supported lists none",
		"    ✓ typescript-sdk uses CIMD: the server advertises CIMD\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || !strings.Contains(errs, "cimd: checking "+as.URL+"\n") {
		t.Errorf("exit %d, stderr:\n%s; want 1 and a progress line", code, errs)
	}
	if want := "::error title=cimd as-auth-method::" + as.URL + ": the document's"; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks the annotation %q:\n%s", want, errs)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"### cimd check-server\n",
		"| server | verdict | probe | claude | codex | opencode | vscode | csharp-sdk | python-sdk | typescript-sdk | go-sdk | chatgpt |\n",
		"| " + as.URL + " | ✗ not ready | rejected | ✗ fails | ✗ fails | ✗ fails | ✓ CIMD |",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("step summary lacks %q:\n%s", want, b)
		}
	}

	// -q: only the error, on stderr, named by the server; nothing on stdout.
	t.Setenv("GITHUB_ACTIONS", "")
	code, out, errs = cimd(t, "check-server", "-q", "--allow-private", "--cacert", e.bundle, as.URL, "--client-id", u)
	if code != 1 || out != "" || !strings.Contains(errs, as.URL+": error   as-auth-method") || strings.Contains(errs, "warning") {
		t.Errorf("-q: exit %d, stdout %q, stderr:\n%s; want 1, nothing, and only the error", code, out, errs)
	}
}

// TestCheckServerExitCodes: usage and configuration errors are exit 2.
func TestCheckServerExitCodes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cimd.toml")
	os.WriteFile(cfg, []byte("host = \"app.example.com\"\npath = \"/c.json\"\n[check]\nservers = [\"ftp://x\"]\n"), 0o644)
	for _, args := range [][]string{
		{"check-server", "-c", cfg},
		{"check-server", "-c", filepath.Join(dir, "missing.toml")},
		{"check-server", "--client-id", "https://app.example.com/c.json"},
		{"check-server", "not-a-url", "--client-id", "https://app.example.com/c.json"},
		{"check-server", "--frobnicate"},
	} {
		if code, _, errs := cimd(t, args...); code != 2 || !strings.HasPrefix(errs, "cimd: ") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a cimd: line", args, code, errs)
		}
	}
}

// TestCheckServerAllEnvs: --all-envs checks each environment's own client
// against its [check] servers (inherited or its own), names the environment
// in --json, and skips an environment that lists none.
func TestCheckServerAllEnvs(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	ca := testenv.NewCA(t)
	var srv *httptest.Server
	var mu sync.Mutex
	var probed []string
	srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"issuer": srv.URL, "authorization_endpoint": srv.URL + "/authorize",
				"token_endpoint": srv.URL + "/token", "response_types_supported": []string{"code"},
				"code_challenge_methods_supported": []string{"S256"}, "token_endpoint_auth_methods_supported": []string{"none"},
				"client_id_metadata_document_supported": true, "authorization_response_iss_parameter_supported": true})
		case "/authorize":
			mu.Lock()
			probed = append(probed, r.URL.Query().Get("client_id"))
			mu.Unlock()
			http.Redirect(w, r, "/login?x=1", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	cfg := filepath.Join(t.TempDir(), "cimd.toml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`host = "app.example.com"
path = "/oauth/client.json"
[client]
client_name = "x"
redirect_uris = ["http://127.0.0.1:8765/callback"]
application_type = "native"
[check]
servers = [%q]
[env.staging]
host = "staging.example.com"
[env.dev]
host = "dev.example.com"
[env.dev.check]
servers = []

[[suppress]]
rule = "as-probe-accepted"
reason = "known good"
expires = 2099-01-01
`, srv.URL)), 0o644)
	sarifFile := filepath.Join(filepath.Dir(cfg), "check.sarif")
	code, out, errs := cimd(t, "check-server", "-c", cfg, "--all-envs", "--allow-private", "--cacert", ca.CertFile, "--json", "--sarif", sarifFile)
	var o checkOutput
	if err := json.Unmarshal([]byte(out), &o); err != nil || code != 0 || len(o.Results) != 2 {
		t.Fatalf("exit %d, %d results (%v):\n%s%s; want 0 and 2", code, len(o.Results), err, out, errs)
	}
	want := []string{"https://app.example.com/oauth/client.json", "https://staging.example.com/oauth/client.json"}
	for i, r := range o.Results {
		if r.ClientID != want[i] || r.Env != []string{"", "staging"}[i] || r.Probe.Outcome != authserver.ProbeAccepted {
			t.Errorf("result %d: client %s, env %q, probe %s; want %s, accepted", i, r.ClientID, r.Env, r.Probe.Outcome, want[i])
		}
	}
	slices.Sort(probed)
	if !slices.Equal(probed, want) {
		t.Errorf("the server was probed with %q; want %q", probed, want)
	}
	// --sarif: the readiness findings of both environments, at the line of
	// [check] servers (which staging inherits).
	log := readSARIF(t, sarifFile)
	n := 0
	for _, r := range log.Runs[0].Results {
		if !strings.HasPrefix(r.RuleID, "as-") {
			continue
		}
		n++
		if r.RuleID == "as-probe-accepted" && (len(r.Suppressions) != 1 || r.Suppressions[0].Justification != "known good") {
			t.Errorf("as-probe-accepted has suppressions %+v; want the [[suppress]] entry's", r.Suppressions)
		}
		loc := r.Locations[0].PhysicalLocation
		if !strings.HasSuffix(loc.ArtifactLocation.URI, "cimd.toml") || loc.Region == nil || loc.Region.StartLine != 8 {
			t.Errorf("%s at %+v; want cimd.toml line 8, [check] servers", r.RuleID, loc)
		}
	}
	if n < 2 {
		t.Errorf("%d as-* results in the SARIF log; want those of both environments", n)
	}
}

package testenv

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// loopbackRedirect is the redirect URI the test documents list. Nothing
// listens there: the probe never follows a redirect.
const loopbackRedirect = "http://127.0.0.1:47863/callback"

// docServer serves client ID metadata documents over TLS with a
// certificate from the test CA, and records which paths were fetched.
type docServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

// newDocServer serves, under any prefix P:
//
//	P/good      a valid document (client_id is its own URL); also P/unlisted, P/accept-json
//	P/mismatch  a document whose client_id names another URL
//	P/text      the valid document as text/plain
//	P/redirect  a 302 to P/redirect-target, a document whose client_id is P/redirect
func newDocServer(t *testing.T, ca *CA) *docServer {
	d := &docServer{hits: map[string]int{}}
	d.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.hits[r.URL.Path]++
		d.mu.Unlock()
		dir, name := r.URL.Path[:strings.LastIndex(r.URL.Path, "/")], r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		clientID := d.URL + r.URL.Path
		ctype := "application/json"
		switch name {
		case "good", "unlisted", "accept-json":
		case "mismatch":
			clientID = d.URL + dir + "/somewhere-else"
		case "text":
			ctype = "text/plain"
		case "redirect":
			http.Redirect(w, r, dir+"/redirect-target", http.StatusFound)
			return
		case "redirect-target":
			clientID = d.URL + dir + "/redirect"
		default:
			http.NotFound(w, r)
			return
		}
		doc, _ := json.Marshal(map[string]any{
			"client_id":                  clientID,
			"client_name":                "cimd test client",
			"redirect_uris":              []string{loopbackRedirect},
			"grant_types":                []string{"authorization_code"},
			"response_types":             []string{"code"},
			"token_endpoint_auth_method": "none",
		})
		w.Header().Set("Content-Type", ctype)
		w.Write(doc)
	}))
	d.TLS = &tls.Config{Certificates: []tls.Certificate{ca.TLSCertificate(t, "127.0.0.1")}}
	d.StartTLS()
	t.Cleanup(d.Close)
	return d
}

func (d *docServer) fetched(path string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits[path]
}

// answer is what an authorization server sent back to the probe.
type answer struct {
	status   int
	location string
	body     string
}

func (a answer) String() string {
	b := a.body
	if text := errorPage(b); text != "" {
		b = "(HTML) " + text
	}
	if len(b) > 300 {
		b = b[:300] + "..."
	}
	q := func(s string) string { j, _ := json.Marshal(s); return string(j) }
	return fmt.Sprintf("%d, Location %s, body %s", a.status, q(a.location), q(b))
}

// errorPage returns the "key: value" lines of an oidc-provider error page
// (each in a <pre> element), joined with "; ", or "" for any other body.
func errorPage(body string) string {
	var lines []string
	for _, chunk := range strings.Split(body, "<pre>")[1:] {
		line, _, _ := strings.Cut(chunk, "</pre>")
		line = strings.NewReplacer("<strong>", "", "</strong>", "").Replace(line)
		lines = append(lines, html.UnescapeString(line))
	}
	return strings.Join(lines, "; ")
}

// client trusts only the test CA, follows no redirects, keeps no cookies.
func client(ca *CA) *http.Client {
	return &http.Client{
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// metadata fetches the server's RFC 8414 metadata and checks its issuer.
func metadata(t *testing.T, c *http.Client, as *AuthServer) map[string]any {
	t.Helper()
	resp, err := c.Get(as.URL + "/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&md); err != nil || resp.StatusCode != 200 {
		t.Fatalf("metadata: status %d, %v", resp.StatusCode, err)
	}
	if md["issuer"] != as.URL {
		t.Fatalf("metadata issuer = %v; want %s", md["issuer"], as.URL)
	}
	return md
}

// stringList returns the strings of a JSON array member (nil if absent).
func stringList(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		if s, ok := s.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// probe sends the request a real client's browser would: a GET of the
// authorization endpoint with a fresh S256 challenge and state, no
// Accept: application/json, no cookies.
func probe(t *testing.T, c *http.Client, endpoint, clientID, redirectURI string) answer {
	t.Helper()
	return probeAccept(t, c, endpoint, clientID, redirectURI, "")
}

// probeAccept is probe with an Accept header (none if accept is "").
func probeAccept(t *testing.T, c *http.Client, endpoint, clientID, redirectURI, accept string) answer {
	t.Helper()
	verifier := make([]byte, 32)
	rand.Read(verifier)
	sum := sha256.Sum256([]byte(base64.RawURLEncoding.EncodeToString(verifier)))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
		"state":                 {rand.Text()},
	}
	req, err := http.NewRequest(http.MethodGet, endpoint+"?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	a := answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body)}
	t.Logf("probe %s (Accept %q) -> %s", clientID[strings.LastIndex(clientID, "/"):], accept, a)
	return a
}

// A server under test, with what distinguishes its answers.
type serverCase struct {
	name  string
	start func(testing.TB, AuthServerOptions) *AuthServer
	// loginPath is where an accepted request is sent: the start of the
	// server's own login or interaction step.
	loginPath string
	// acceptsTextPlain: oidc-provider does not check the document's
	// Content-Type; better-auth requires JSON.
	acceptsTextPlain bool
	// jsonRedirect: with Accept: application/json, better-auth answers
	// 200 {"redirect":true,"url":...} instead of the redirect, which is
	// why a probe must not ask for JSON; oidc-provider redirects anyway.
	jsonRedirect bool
	// rejected is the OAuth error the server answers with, per case.
	rejected map[string]string
}

var serverCases = []serverCase{
	{
		name: "oidc-provider", start: StartOIDCProvider, loginPath: "/interaction/", acceptsTextPlain: true,
		// A 400 HTML error page: the client is not known, so there is
		// no redirect_uri to send the error to.
		rejected: map[string]string{
			"mismatch": "invalid_client_metadata",
			"unlisted": "invalid_redirect_uri",
			"redirect": "invalid_client",
			"no-cimd":  "invalid_client",
		},
	},
	{
		name: "better-auth", start: StartBetterAuth, loginPath: "/login", acceptsTextPlain: false, jsonRedirect: true,
		// Document errors are a 400 JSON body; a redirect_uri mismatch
		// is a 302 to the server's own /error page.
		rejected: map[string]string{
			"mismatch": "invalid_client",
			"unlisted": "invalid_redirect",
			"redirect": "invalid_client",
			"text":     "invalid_client",
			"no-cimd":  "invalid_client",
		},
	},
}

func serverFiles(t *testing.T, ca *CA) AuthServerOptions {
	cert, key := ca.Issue(t, "127.0.0.1")
	return AuthServerOptions{CACert: ca.CertFile, Cert: cert, Key: key}
}

// accepted reports whether the answer sends the browser to the server's
// login or interaction step: a redirect on the server's own origin to
// loginPath, with no OAuth error in it.
func accepted(a answer, as *AuthServer, loginPath string) bool {
	if a.status != http.StatusFound && a.status != http.StatusSeeOther {
		return false
	}
	loc, err := url.Parse(a.location)
	if err != nil || strings.Contains(a.location, "error=") {
		return false
	}
	base, _ := url.Parse(as.URL)
	if loc.Host != "" && loc.Host != base.Host {
		return false
	}
	return strings.HasPrefix(loc.Path, loginPath)
}

// rejection returns the OAuth error in the answer: the error query
// parameter of a redirect, or the error named by an error page or a JSON
// error body; "" if there is none.
func rejection(a answer) string {
	if loc, err := url.Parse(a.location); err == nil && loc.Query().Get("error") != "" {
		return loc.Query().Get("error")
	}
	var e struct{ Error string }
	if json.Unmarshal([]byte(a.body), &e) == nil && e.Error != "" {
		return e.Error
	}
	for _, line := range strings.Split(errorPage(a.body), "; ") {
		if code, ok := strings.CutPrefix(line, "error: "); ok {
			return code
		}
	}
	return ""
}

func TestAuthServersProbe(t *testing.T) {
	ca := NewCA(t)
	docs := newDocServer(t, ca)
	c := client(ca)
	for _, sc := range serverCases {
		t.Run(sc.name, func(t *testing.T) {
			as := sc.start(t, serverFiles(t, ca))
			md := metadata(t, c, as)
			if md["client_id_metadata_document_supported"] != true {
				t.Errorf("client_id_metadata_document_supported = %v; want true", md["client_id_metadata_document_supported"])
			}
			if got := stringList(md["code_challenge_methods_supported"]); !slices.Contains(got, "S256") {
				t.Errorf("code_challenge_methods_supported = %v; want S256 in it", got)
			}
			if got := stringList(md["token_endpoint_auth_methods_supported"]); !slices.Contains(got, "none") {
				t.Errorf("token_endpoint_auth_methods_supported = %v; want none in it", got)
			}
			authz, _ := md["authorization_endpoint"].(string)
			base := docs.URL + "/" + sc.name

			t.Run("good", func(t *testing.T) {
				a := probe(t, c, authz, base+"/good", loopbackRedirect)
				if !accepted(a, as, sc.loginPath) {
					t.Errorf("good document: %v; want a redirect to %s", a, sc.loginPath)
				}
				if n := docs.fetched("/" + sc.name + "/good"); n != 1 {
					t.Errorf("document server saw %d fetches of the good document; want 1", n)
				}
			})
			t.Run("mismatch", func(t *testing.T) {
				a := probe(t, c, authz, base+"/mismatch", loopbackRedirect)
				if got := rejection(a); accepted(a, as, sc.loginPath) || got != sc.rejected["mismatch"] {
					t.Errorf("client_id mismatch: %v; want OAuth error %s", a, sc.rejected["mismatch"])
				}
			})
			t.Run("unlisted-redirect", func(t *testing.T) {
				a := probe(t, c, authz, base+"/unlisted", "http://127.0.0.1:47863/elsewhere")
				if got := rejection(a); accepted(a, as, sc.loginPath) || got != sc.rejected["unlisted"] {
					t.Errorf("unlisted redirect_uri: %v; want OAuth error %s", a, sc.rejected["unlisted"])
				}
				if n := docs.fetched("/" + sc.name + "/unlisted"); n != 1 {
					t.Errorf("document server saw %d fetches of the document; want 1", n)
				}
			})
			t.Run("redirecting-url", func(t *testing.T) {
				a := probe(t, c, authz, base+"/redirect", loopbackRedirect)
				if got := rejection(a); accepted(a, as, sc.loginPath) || got != sc.rejected["redirect"] {
					t.Errorf("redirecting document URL: %v; want OAuth error %s", a, sc.rejected["redirect"])
				}
				if n := docs.fetched("/" + sc.name + "/redirect-target"); n != 0 {
					t.Errorf("the server followed the redirect (%d fetches of its target)", n)
				}
			})
			t.Run("text-plain", func(t *testing.T) {
				a := probe(t, c, authz, base+"/text", loopbackRedirect)
				if got := accepted(a, as, sc.loginPath); got != sc.acceptsTextPlain {
					t.Errorf("text/plain document: %v; accepted = %v, want %v", a, got, sc.acceptsTextPlain)
				}
				if got := rejection(a); !sc.acceptsTextPlain && got != sc.rejected["text"] {
					t.Errorf("text/plain document: %v; want OAuth error %s", a, sc.rejected["text"])
				}
			})
			t.Run("accept-json", func(t *testing.T) {
				a := probeAccept(t, c, authz, base+"/accept-json", loopbackRedirect, "application/json")
				var r struct {
					Redirect bool
					URL      string
				}
				json.Unmarshal([]byte(a.body), &r)
				gotJSON := a.status == http.StatusOK && r.Redirect && strings.HasPrefix(r.URL, sc.loginPath)
				if gotJSON != sc.jsonRedirect {
					t.Errorf("good document with Accept: application/json: %v; JSON redirect = %v, want %v", a, gotJSON, sc.jsonRedirect)
				}
				if !sc.jsonRedirect && !accepted(a, as, sc.loginPath) {
					t.Errorf("good document with Accept: application/json: %v; want a redirect to %s", a, sc.loginPath)
				}
			})
		})
	}
}

// TestAuthServersSwitches starts each server once per switch and checks that
// the switch shows in its metadata, and that a CIMD client is then refused
// (with CIMD off) or still reaches the login step (the metadata-only
// switches).
func TestAuthServersSwitches(t *testing.T) {
	ca := NewCA(t)
	docs := newDocServer(t, ca)
	c := client(ca)
	for _, sc := range serverCases {
		t.Run(sc.name, func(t *testing.T) {
			t.Run("no-cimd", func(t *testing.T) {
				opts := serverFiles(t, ca)
				opts.NoCIMD = true
				as := sc.start(t, opts)
				md := metadata(t, c, as)
				if v, ok := md["client_id_metadata_document_supported"]; ok && v != false {
					t.Errorf("client_id_metadata_document_supported = %v; want it absent or false", v)
				}
				authz, _ := md["authorization_endpoint"].(string)
				a := probe(t, c, authz, docs.URL+"/"+sc.name+"-no-cimd/good", loopbackRedirect)
				if got := rejection(a); accepted(a, as, sc.loginPath) || got != sc.rejected["no-cimd"] {
					t.Errorf("CIMD off: %v; want OAuth error %s", a, sc.rejected["no-cimd"])
				}
				if n := docs.fetched("/" + sc.name + "-no-cimd/good"); n != 0 {
					t.Errorf("CIMD off, yet the server fetched the document %d times", n)
				}
			})
			t.Run("no-none", func(t *testing.T) {
				opts := serverFiles(t, ca)
				opts.NoNone = true
				as := sc.start(t, opts)
				md := metadata(t, c, as)
				got := stringList(md["token_endpoint_auth_methods_supported"])
				if slices.Contains(got, "none") || len(got) == 0 {
					t.Errorf("token_endpoint_auth_methods_supported = %v; want a list without none", got)
				}
				if md["client_id_metadata_document_supported"] != true {
					t.Errorf("client_id_metadata_document_supported = %v; want true", md["client_id_metadata_document_supported"])
				}
			})
			t.Run("no-s256", func(t *testing.T) {
				opts := serverFiles(t, ca)
				opts.NoS256 = true
				as := sc.start(t, opts)
				md := metadata(t, c, as)
				if v, ok := md["code_challenge_methods_supported"]; ok {
					t.Errorf("code_challenge_methods_supported = %v; want it absent", v)
				}
				if !as.Rewritten {
					t.Errorf("NoS256 should go through the rewriting proxy")
				}
				// The proxy changes the metadata only: the server behind it
				// still accepts the document.
				authz, _ := md["authorization_endpoint"].(string)
				if !strings.HasPrefix(authz, as.URL+"/") {
					t.Errorf("authorization_endpoint %s is not on the proxy %s", authz, as.URL)
				}
				a := probe(t, c, authz, docs.URL+"/"+sc.name+"-no-s256/good", loopbackRedirect)
				if !accepted(a, as, sc.loginPath) {
					t.Errorf("good document through the proxy: %v; want a redirect to %s", a, sc.loginPath)
				}
			})
		})
	}
}

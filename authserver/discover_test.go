package authserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// testGet is a plain client in the shape the hardened one will have: no
// redirects followed, no cookies, the body read up to MaxMetadataBytes+1.
func testGet(c *http.Client, header http.Header) func(context.Context, string) (*Response, error) {
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func(ctx context.Context, u string) (*Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, err
		}
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetadataBytes+1))
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: body,
			Complete: err == nil && len(body) <= MaxMetadataBytes, Err: err}, nil
	}
}

// testAS is an httptest TLS server that plays an MCP server and its
// authorization server on one origin. Routes answer what routes says;
// unlisted paths are 404. It logs every request.
type testAS struct {
	*httptest.Server
	mu     sync.Mutex
	log    []*http.Request
	routes map[string]http.HandlerFunc
}

func newTestAS(t *testing.T) *testAS {
	t.Helper()
	a := &testAS{routes: map[string]http.HandlerFunc{}}
	a.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.log = append(a.log, r.Clone(context.Background()))
		h := a.routes[r.URL.Path]
		a.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *testAS) handle(path string, h http.HandlerFunc) {
	a.mu.Lock()
	a.routes[path] = h
	a.mu.Unlock()
}

func (a *testAS) paths() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, r := range a.log {
		out = append(out, r.URL.Path)
	}
	return out
}

func jsonHandler(v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
}

// asMetadata is good CIMD-ready metadata for an issuer.
func asMetadata(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                         issuer,
		"authorization_endpoint":                         issuer + "/authorize",
		"token_endpoint":                                 issuer + "/token",
		"response_types_supported":                       []string{"code"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"none"},
		"client_id_metadata_document_supported":          true,
		"authorization_response_iss_parameter_supported": true,
	}
}

// mcpRoutes makes a serve an MCP resource at /mcp whose authorization server
// is a itself.
func mcpRoutes(a *testAS, withHeader bool) {
	a.handle("/mcp", func(w http.ResponseWriter, r *http.Request) {
		if withHeader {
			w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer error="invalid_token", resource_metadata="%s/.well-known/oauth-protected-resource/mcp"`, a.URL))
		} else {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mcp"`)
		}
		w.WriteHeader(http.StatusUnauthorized)
	})
	prm := jsonHandler(map[string]any{"resource": a.URL + "/mcp", "authorization_servers": []string{a.URL}, "scopes_supported": []string{"mcp:read", "mcp:write"}})
	if withHeader {
		a.handle("/.well-known/oauth-protected-resource/mcp", prm)
	} else {
		a.handle("/.well-known/oauth-protected-resource", prm)
	}
	a.handle("/.well-known/oauth-authorization-server", jsonHandler(asMetadata(a.URL)))
}

func triedSummary(ts []Tried) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%s %d", t.URL, t.Status))
	}
	return out
}

func TestDiscoverMCPWithHeader(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, true)
	d, err := Discover(context.Background(), a.URL+"/mcp", Options{Get: testGet(a.Client(), nil)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{a.URL + "/mcp 401", a.URL + "/.well-known/oauth-protected-resource/mcp 200", a.URL + "/.well-known/oauth-authorization-server 200"}
	if got := triedSummary(d.Tried); !slices.Equal(got, want) {
		t.Errorf("tried %q; want %q", got, want)
	}
	if d.Metadata == nil || d.Issuer != a.URL || d.MetadataURL != a.URL+"/.well-known/oauth-authorization-server" {
		t.Fatalf("discovery = %+v", d)
	}
	if d.ResourceURI() != a.URL+"/mcp" || d.Scope != "mcp:read mcp:write" || len(d.Findings) != 0 {
		t.Errorf("resource %q, scope %q, findings %v", d.ResourceURI(), d.Scope, d.Findings)
	}
	for _, tr := range d.Tried {
		if tr.Error != "" {
			t.Errorf("%s has error %q", tr.URL, tr.Error)
		}
	}
}

func TestDiscoverMCPWellKnownFallback(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, false)
	d, err := Discover(context.Background(), a.URL+"/mcp", Options{Get: testGet(a.Client(), nil)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{a.URL + "/mcp 401", a.URL + "/.well-known/oauth-protected-resource/mcp 404",
		a.URL + "/.well-known/oauth-protected-resource 200", a.URL + "/.well-known/oauth-authorization-server 200"}
	if got := triedSummary(d.Tried); !slices.Equal(got, want) {
		t.Errorf("tried %q; want %q", got, want)
	}
	if d.Resource == nil || d.Metadata == nil {
		t.Fatalf("discovery = %+v", d)
	}
	if !errors.Is(d.Tried[1].Err, ErrStatus) {
		t.Errorf("the 404 is recorded as %v", d.Tried[1].Err)
	}
}

func TestDiscoverIssuerOpenIDAppended(t *testing.T) {
	a := newTestAS(t)
	issuer := a.URL + "/realms/mcp"
	a.handle("/realms/mcp/.well-known/openid-configuration", jsonHandler(asMetadata(issuer)))
	d, err := Discover(context.Background(), issuer, Options{Get: testGet(a.Client(), nil)})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/realms/mcp", "/.well-known/oauth-protected-resource/realms/mcp", "/.well-known/oauth-protected-resource",
		"/.well-known/oauth-authorization-server/realms/mcp", "/.well-known/openid-configuration/realms/mcp", "/realms/mcp/.well-known/openid-configuration"}
	if got := a.paths(); !slices.Equal(got, want) {
		t.Errorf("requests %q; want %q", got, want)
	}
	if d.Resource != nil || d.Issuer != issuer || d.MetadataURL != issuer+"/.well-known/openid-configuration" || len(d.Findings) != 0 {
		t.Errorf("discovery = %+v", d)
	}
}

func TestDiscoverHostile(t *testing.T) {
	tests := []struct {
		name    string
		handler func(a *testAS) http.HandlerFunc
		wantErr error
		says    string // in the as-discovery message
		invalid bool   // as-metadata-invalid too
	}{
		{"redirect", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/elsewhere/metadata.json", http.StatusFound)
			}
		}, ErrRedirect, "Location /elsewhere/metadata.json", false},
		{"huge", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{"issuer":"`+strings.Repeat("a", 2*MaxMetadataBytes)+`"}`)
			}
		}, ErrTooLarge, "body too large", false},
		{"not JSON", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "issuer=https://x") }
		}, ErrNotJSON, "not JSON", false},
		{"SPA fallback", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<!doctype html><html><div id=app></div></html>")
			}
		}, ErrNotJSON, "HTML page", false},
		{"array", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `[{"issuer":"x"}]`) }
		}, ErrNotObject, "not a JSON object", true},
		{"JSON that does not parse", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				io.WriteString(w, `{"issuer": "x",}`)
			}
		}, ErrNotJSON, "invalid character", true},
		{"500", func(a *testAS) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }
		}, ErrStatus, "(500, text/plain)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAS(t)
			h := tt.handler(a)
			for _, p := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
				a.handle(p, h)
			}
			d, err := Discover(context.Background(), a.URL, Options{Get: testGet(a.Client(), nil)})
			if err != nil {
				t.Fatal(err)
			}
			if d.Metadata != nil {
				t.Fatalf("metadata found in a %s answer", tt.name)
			}
			if lt := d.Tried[len(d.Tried)-1]; !errors.Is(lt.Err, tt.wantErr) {
				t.Errorf("last tried %+v; want error %v", lt, tt.wantErr)
			}
			want := []string{"as-discovery"}
			if tt.invalid {
				// Both AS candidates answered the same broken body.
				want = []string{"as-metadata-invalid", "as-metadata-invalid", "as-discovery"}
			}
			if got := rulesOf(d.Findings); !slices.Equal(got, want) {
				t.Fatalf("findings %v; want %v", d.Findings, want)
			}
			last := d.Findings[len(d.Findings)-1]
			if !strings.Contains(last.Message, tt.says) {
				t.Errorf("as-discovery says %q; want it to mention %q", last.Message, tt.says)
			}
			if n := len(last.Message); n > 3000 {
				t.Errorf("as-discovery message is %d bytes", n)
			}
			if slices.Contains(a.paths(), "/elsewhere/metadata.json") {
				t.Errorf("a redirect was followed")
			}
		})
	}
}

func TestDiscoverWrongIssuer(t *testing.T) {
	a := newTestAS(t)
	a.handle("/.well-known/oauth-authorization-server", jsonHandler(asMetadata("https://evil.example.com")))
	d, err := Discover(context.Background(), a.URL, Options{Get: testGet(a.Client(), nil)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Metadata == nil || len(d.Findings) != 1 || d.Findings[0].Rule != "as-issuer-mismatch" {
		t.Fatalf("findings %v; want as-issuer-mismatch", d.Findings)
	}
	if last := d.Tried[len(d.Tried)-1]; !errors.Is(last.Err, ErrWrongIssuer) {
		t.Errorf("tried %+v; want ErrWrongIssuer", last)
	}
}

func TestDiscoverResourceMismatch(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, true)
	a.handle("/.well-known/oauth-protected-resource/mcp", jsonHandler(map[string]any{"resource": a.URL + "/mcp/", "authorization_servers": []string{a.URL}}))
	d, err := Discover(context.Background(), a.URL+"/mcp", Options{Get: testGet(a.Client(), nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Findings) != 1 || d.Findings[0].Rule != "as-resource-mismatch" || !strings.Contains(d.Findings[0].Message, "trailing slash") {
		t.Errorf("findings %v; want as-resource-mismatch about a trailing slash", d.Findings)
	}
}

func TestDiscoverNoServers(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, true)
	a.handle("/.well-known/oauth-protected-resource/mcp", jsonHandler(map[string]any{"resource": a.URL + "/mcp"}))
	d, _ := Discover(context.Background(), a.URL+"/mcp", Options{Get: testGet(a.Client(), nil)})
	if d.Metadata != nil || len(d.Findings) != 1 || d.Findings[0].Rule != "as-discovery" || !strings.Contains(d.Findings[0].Message, "authorization_servers") {
		t.Errorf("findings %v; want as-discovery about authorization_servers", d.Findings)
	}
}

// TestDiscoverNoAnswer: an origin that does not answer is asked once, and
// the as-discovery message says why. The hardened client's refusal of a
// special-use address looks the same from here.
func TestDiscoverNoAnswer(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, true)
	a.handle("/.well-known/oauth-protected-resource/mcp", jsonHandler(map[string]any{"resource": a.URL + "/mcp", "authorization_servers": []string{"https://10.0.0.7/issuer"}}))
	base := testGet(a.Client(), nil)
	refused := 0
	get := func(ctx context.Context, u string) (*Response, error) {
		if strings.HasPrefix(u, "https://10.0.0.7/") {
			refused++
			return nil, errors.New("refused to connect to 10.0.0.7: a private address (use --allow-private)")
		}
		return base(ctx, u)
	}
	d, err := Discover(context.Background(), a.URL+"/mcp", Options{Get: get})
	if err != nil {
		t.Fatal(err)
	}
	if refused != 1 {
		t.Errorf("the refused origin was asked %d times; want 1", refused)
	}
	if len(d.Findings) != 1 || !strings.Contains(d.Findings[0].Message, "private address") {
		t.Errorf("findings %v; want as-discovery naming the refusal", d.Findings)
	}
}

func TestDiscoverSlow(t *testing.T) {
	a := newTestAS(t)
	release := make(chan struct{})
	defer close(release)
	a.handle("/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	base := testGet(a.Client(), nil)
	get := func(ctx context.Context, u string) (*Response, error) {
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond) // --timeout
		defer cancel()
		return base(ctx, u)
	}
	d, err := Discover(context.Background(), a.URL+"/", Options{Get: get})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tried) != 1 || !strings.Contains(d.Tried[0].Error, "deadline") {
		t.Errorf("tried %+v; want one request that timed out", d.Tried)
	}
	if len(d.Findings) != 1 || d.Findings[0].Rule != "as-discovery" {
		t.Errorf("findings %v; want as-discovery", d.Findings)
	}
}

func TestDiscoverBadTarget(t *testing.T) {
	for _, target := range []string{"mcp.example.com", "ftp://x/y", "https://x/y#frag"} {
		if _, err := Discover(context.Background(), target, Options{Get: func(context.Context, string) (*Response, error) {
			t.Fatalf("a request was made for %q", target)
			return nil, nil
		}}); err == nil {
			t.Errorf("Discover(%q): no error", target)
		}
	}
}

func TestCheck(t *testing.T) {
	a := newTestAS(t)
	mcpRoutes(a, true)
	var authorize url.Values
	var accept string
	a.handle("/authorize", func(w http.ResponseWriter, r *http.Request) {
		authorize, accept = r.URL.Query(), r.Header.Get("Accept")
		if authorize.Get("client_id") != probeClientID || authorize.Get("redirect_uri") != "http://127.0.0.1/callback" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, oidcProviderErrorPage("error", "invalid_client", "error_description", "client_id metadata document fetch failed"))
			return
		}
		w.Header().Set("Location", "/interaction/abc")
		w.WriteHeader(http.StatusSeeOther)
	})
	doc := docOf(map[string]any{"client_id": probeClientID, "redirect_uris": []any{"https://app.example.com/cb", "http://127.0.0.1/callback"}})
	opts := CheckOptions{Options: Options{
		Get:      testGet(a.Client(), http.Header{"Accept": {"application/json"}}),
		ProbeGet: testGet(a.Client(), nil),
	}}

	res, err := Check(context.Background(), a.URL+"/mcp", Client{ClientID: probeClientID, Document: doc}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Ready || res.Probe.Outcome != ProbeAccepted || res.Issuer != a.URL || len(res.Clients) != len(mcpClients) {
		t.Fatalf("Check = %+v", res)
	}
	if got := rulesOf(res.Findings); !slices.Equal(got, []string{"as-probe-accepted"}) {
		t.Errorf("findings %v; want only as-probe-accepted", got)
	}
	for k, want := range map[string]string{"resource": a.URL + "/mcp", "scope": "mcp:read mcp:write", "response_type": "code", "code_challenge_method": "S256"} {
		if authorize.Get(k) != want {
			t.Errorf("probe %s = %q; want %q", k, authorize.Get(k), want)
		}
	}
	if strings.Contains(accept, "json") {
		t.Errorf("the probe asked for %q", accept)
	}
	if n := len(a.paths()); n != len(res.Tried)+1 {
		t.Errorf("%d requests for %d discovery GETs and one probe", n, len(res.Tried))
	}

	// A client the server refuses: the probe shows its reason.
	res, err = Check(context.Background(), a.URL+"/mcp", Client{ClientID: "https://other.example.com/c.json", Document: doc}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready || res.Probe.Outcome != ProbeRejected || res.Probe.Error != "invalid_client" {
		t.Fatalf("Check of a refused client = ready %v, probe %+v", res.Ready, res.Probe)
	}
	if f := res.Findings[len(res.Findings)-1]; f.Rule != "as-probe-rejected" || !strings.Contains(f.Message, "client_id metadata document fetch failed") {
		t.Errorf("last finding %v", f)
	}

	// --no-probe makes no authorization request.
	before := len(a.paths())
	opts.NoProbe = true
	res, _ = Check(context.Background(), a.URL+"/mcp", Client{ClientID: probeClientID, Document: doc}, opts)
	if res.Probe.Outcome != ProbeSkipped || slices.Contains(a.paths()[before:], "/authorize") || !res.Ready {
		t.Errorf("--no-probe: probe %+v, requests %q", res.Probe, a.paths()[before:])
	}
}

// TestCheckPrivateEndpoint: an authorization_endpoint on a special-use
// address is refused by the hardened client; the probe then has no
// response and the result is not ready.
func TestCheckPrivateEndpoint(t *testing.T) {
	a := newTestAS(t)
	md := asMetadata(a.URL)
	md["authorization_endpoint"] = "https://169.254.169.254/authorize"
	a.handle("/.well-known/oauth-authorization-server", jsonHandler(md))
	base := testGet(a.Client(), nil)
	get := func(ctx context.Context, u string) (*Response, error) {
		if strings.Contains(u, "169.254.169.254") {
			return nil, errors.New("refused to connect to 169.254.169.254: a link-local address")
		}
		return base(ctx, u)
	}
	res, err := Check(context.Background(), a.URL, Client{ClientID: probeClientID, Document: goodDoc}, CheckOptions{Options: Options{Get: get}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Ready || !res.Probe.NoResponse {
		t.Fatalf("ready %v, probe %+v", res.Ready, res.Probe)
	}
	if f := res.Findings[len(res.Findings)-1]; f.Rule != "as-probe-inconclusive" || !strings.Contains(f.Message, "link-local") {
		t.Errorf("last finding %v", f)
	}
}

func TestResultJSON(t *testing.T) {
	r := Result{Target: "https://as.example.com", Probe: SkippedProbe()}
	r.Judge(false)
	b, err := json.Marshal(NewReport([]Result{r}))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	json.Unmarshal(b, &got)
	res := got["results"].([]any)[0].(map[string]any)
	for _, k := range []string{"target", "issuer", "metadata_url", "client_id", "ready", "findings", "tried", "probe", "clients"} {
		if _, ok := res[k]; !ok {
			t.Errorf("result has no %q: %s", k, b)
		}
	}
	probe := res["probe"].(map[string]any)
	for _, k := range []string{"outcome", "status", "location", "error", "error_description"} {
		if _, ok := probe[k]; !ok {
			t.Errorf("probe has no %q: %s", k, b)
		}
	}
	if res["findings"] == nil || res["tried"] == nil || res["clients"] == nil || got["ready"] != true {
		t.Errorf("null lists or wrong ready: %s", b)
	}
	r.Findings = append(r.Findings, finding("as-grant-type", "warning", "x"))
	if r.Judge(true); r.Ready {
		t.Errorf("a warning under --strict is ready")
	}
	if NewReport([]Result{r}).Ready {
		t.Errorf("a report with an unready result is ready")
	}
}

// TestDiscoverHostileResource: a resource_metadata that is not an http(s)
// URL is not requested, and a list of many authorization servers costs at
// most maxIssuers of them.
func TestDiscoverHostileResource(t *testing.T) {
	a := newTestAS(t)
	a.handle("/mcp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Bearer resource_metadata="file:///etc/passwd"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	var many []string
	for i := range 100 {
		many = append(many, fmt.Sprintf("%s/as%d", a.URL, i))
	}
	a.handle("/.well-known/oauth-protected-resource/mcp", jsonHandler(map[string]any{"resource": a.URL + "/mcp", "authorization_servers": many}))
	var asked []string
	base := testGet(a.Client(), nil)
	get := func(ctx context.Context, u string) (*Response, error) {
		asked = append(asked, u)
		return base(ctx, u)
	}
	d, err := Discover(context.Background(), a.URL+"/mcp", Options{Get: get})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range asked {
		if strings.HasPrefix(u, "file:") {
			t.Errorf("requested %s", u)
		}
	}
	if !strings.Contains(d.Tried[0].Error, "resource_metadata") {
		t.Errorf("the bad resource_metadata is not reported: %+v", d.Tried[0])
	}
	// The MCP URL, the PRM, and three candidates for each of maxIssuers servers.
	if want := 2 + 3*maxIssuers; len(asked) != want {
		t.Errorf("%d requests; want %d", len(asked), want)
	}
}

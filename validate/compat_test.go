package validate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func result(t *testing.T, vs Verdicts, server string) ServerResult {
	t.Helper()
	r, ok := vs.Result(server)
	if !ok {
		t.Fatalf("no result for %s in %v", server, vs.Results())
	}
	return r
}

func findRule(r ServerResult, rule string) *Finding {
	for i := range r.Findings {
		if r.Findings[i].Rule == rule {
			return &r.Findings[i]
		}
	}
	return nil
}

func TestCompatibilitySeverity(t *testing.T) {
	doc := in{}.subject().doc
	url := testURL + "?v=1"
	for _, c := range []struct {
		servers []string
		want    Severity
	}{
		{nil, Warning},
		{[]string{"keycloak"}, Warning},
		{[]string{"auth0"}, Error},
		{[]string{"keycloak", "auth0"}, Error},
	} {
		rs := Compatibility(url, doc, CompatOptions{Servers: c.servers})
		r := result(t, rs, "auth0")
		f := findRule(r, "server-url-query")
		if f == nil || f.Severity != c.want || f.Server != "auth0" || r.Accepts || r.RefusedBy() != "server-url-query" {
			t.Errorf("Compatibility(%q, --servers %v) auth0 = %+v; want server-url-query %s, not accepted", url, c.servers, r, c.want)
		}
	}
	rs := Compatibility(url, doc, CompatOptions{Servers: []string{"auth0"}})
	want := "auth0 refuses this client_id: query strings are not permitted (auth0 CIMD validation rules)"
	if f := findRule(result(t, rs, "auth0"), "server-url-query"); f == nil || f.Message != want {
		t.Errorf("auth0 server-url-query message = %+v; want %q", f, want)
	}
	// A degrading row stays a warning for a listed server, and an
	// inferred one too; neither makes the server refuse.
	doc = in{patch: patch("redirect_uris", list(loopPortless))}.subject().doc
	rs = Compatibility(testURL, doc, CompatOptions{Servers: []string{"all"}})
	for _, server := range []string{"auth0", "keycloak"} {
		r := result(t, rs, server)
		for _, rule := range []string{"server-redirect-match", "server-application-type"} {
			f := findRule(r, rule)
			if server == "keycloak" && rule == "server-application-type" {
				continue
			}
			if f == nil || f.Severity != Warning || !r.Accepts {
				t.Errorf("%s %s on a port-less loopback = %+v (accepts %v); want a warning, accepted", server, rule, f, r.Accepts)
			}
		}
	}
}

func TestCompatibilityGoodDocument(t *testing.T) {
	rs := Compatibility(testURL, in{}.subject().doc, CompatOptions{Servers: ServerNames()})
	if rs.Len() != len(servers) {
		t.Fatalf("Compatibility gave %d results; want one per profile, %d", rs.Len(), len(servers))
	}
	for i, r := range rs.Results() {
		if r.Server != servers[i].Name || !r.Accepts {
			t.Errorf("result %d = %+v; want %s accepting", i, r, servers[i].Name)
		}
		for _, f := range r.Findings {
			if f.Severity != Info || f.Server != r.Server {
				t.Errorf("%s: %+v; want only info notes of this server", r.Server, f)
			}
		}
		if servers[i].Admission != "" && findRule(r, "server-admission") == nil {
			t.Errorf("%s has an admission note but reports no server-admission", r.Server)
		}
	}
	if line := CompatibilityLine(&rs); !strings.HasPrefix(line, "servers: auth0 ✓  cognito ✓  keycloak ✓") || strings.Contains(line, "✗") {
		t.Errorf("CompatibilityLine = %q; want every server ✓", line)
	}
}

func TestCompatibilityLiveRows(t *testing.T) {
	doc := in{}.subject().doc
	// A FILE target has no response: the [live] rows stay quiet.
	r := result(t, Compatibility(testURL, doc, CompatOptions{Servers: []string{"keycloak"}}), "keycloak")
	if findRule(r, "server-doc-size") != nil || !r.Accepts {
		t.Errorf("keycloak without a response = %+v; want no server-doc-size", r)
	}
	r = result(t, Compatibility(testURL, doc, CompatOptions{Servers: []string{"keycloak"}, HTTP: &HTTPInfo{Bytes: 5050, ContentType: "application/json"}}), "keycloak")
	if f := findRule(r, "server-doc-size"); f == nil || f.Severity != Error || r.Accepts || !strings.Contains(f.Message, "refuses this response: the body is 5050 bytes") {
		t.Errorf("keycloak on 5050 bytes = %+v; want a server-doc-size error", r)
	}
}

func TestCompatibilityNotAnObject(t *testing.T) {
	rs := Compatibility(testURL+"?x", nil, CompatOptions{})
	for _, r := range rs.Results() {
		if r.Accepts {
			t.Errorf("%s accepts a body that is not a JSON object", r.Server)
		}
	}
	if f := findRule(result(t, rs, "keycloak"), "server-url-query"); f == nil {
		t.Errorf("keycloak on a nil document: the URL rows should still run")
	}
	if f := findRule(result(t, rs, "cloudflare"), "server-required-field"); f != nil {
		t.Errorf("cloudflare on a nil document reports %+v; want no document rows", f)
	}
}

func TestFindingServerJSON(t *testing.T) {
	b, _ := json.Marshal(Finding{Rule: "url-query", Severity: Warning, Message: "m"})
	if strings.Contains(string(b), "server") {
		t.Errorf("a RULES.md finding marshals as %s; want no server member", b)
	}
	b, _ = json.Marshal(ServerResult{Server: "auth0", Findings: []Finding{{Rule: "server-url-query", Severity: Error, Server: "auth0"}}, refused: runtimeRefusal})
	want := `{"server":"auth0","accepts":false,"findings":[{"rule":"server-url-query","severity":"error","message":"","field":"","server":"auth0"}]}`
	if string(b) != want {
		t.Errorf("ServerResult marshals as %s; want %s", b, want)
	}
}

func TestParseServers(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"auth0"}, "auth0"},
		{[]string{"keycloak,auth0", "auth0"}, "auth0,keycloak"},
		{[]string{" Keycloak , ,cognito"}, "cognito,keycloak"},
		{[]string{"all"}, strings.Join(ServerNames(), ",")},
		{[]string{"auth0,all"}, strings.Join(ServerNames(), ",")},
	} {
		got, err := ParseServers(c.in)
		if err != nil || strings.Join(got, ",") != c.want {
			t.Errorf("ParseServers(%q) = %v, %v; want %s", c.in, got, err, c.want)
		}
	}
	_, err := ParseServers([]string{"auth0,okta,nope"})
	if err == nil || !strings.Contains(err.Error(), `unknown server "okta", "nope"; known: auth0, cognito, keycloak,`) || !strings.HasSuffix(err.Error(), "descope, or all") {
		t.Errorf("ParseServers(okta) = %v; want an error naming okta and nope and listing the known names", err)
	}
}

func TestMatchModes(t *testing.T) {
	type row struct {
		mode MatchMode
		reg  string
		uri  string
		want bool
	}
	rows := []row{
		{MatchExact, "http://127.0.0.1:33418/cb", "http://127.0.0.1:33418/cb", true},
		{MatchExact, "http://127.0.0.1/cb", "http://127.0.0.1:61876/cb", false},
		{MatchExact, "https://app.example.com/cb", "https://APP.example.com/cb", false},

		{MatchLoopbackAnyPort, "http://127.0.0.1/cb", "http://127.0.0.1:61876/cb", true},
		{MatchLoopbackAnyPort, "http://127.0.0.1:33418/cb", "http://127.0.0.1:61876/cb", true},
		{MatchLoopbackAnyPort, "http://localhost/cb", "http://localhost:5000/cb", true},
		{MatchLoopbackAnyPort, "http://[::1]/cb", "http://[::1]:5000/cb", true},
		{MatchLoopbackAnyPort, "http://localhost/cb", "http://127.0.0.1:5000/cb", false},
		{MatchLoopbackAnyPort, "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb/x", false},
		{MatchLoopbackAnyPort, "http://127.0.0.1/cb?a=1", "http://127.0.0.1:5000/cb?a=2", false},
		{MatchLoopbackAnyPort, "http://127.0.0.1/cb", "http://127.0.0.1:x/cb", false},
		{MatchLoopbackAnyPort, "https://127.0.0.1/cb", "https://127.0.0.1:5000/cb", false},
		{MatchLoopbackAnyPort, "https://app.example.com/cb", "https://app.example.com:444/cb", false},
		{MatchLoopbackAnyPort, "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb#x", false},

		{MatchLoopbackIPOnly, "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb", true},
		{MatchLoopbackIPOnly, "http://localhost/cb", "http://localhost:5000/cb", false},
		{MatchLoopbackIPOnly, "http://localhost:5000/cb", "http://localhost:5000/cb", true},

		{MatchFastMCP, "http://localhost:*/cb", "http://localhost:5000/cb", true},
		{MatchFastMCP, "https://*.example.com/cb", "https://a.b.example.com/cb", true},
		{MatchFastMCP, "https://*.example.com/cb", "https://example.com/cb", false},
		{MatchFastMCP, "https://*.example.com/cb", "https://evilexample.com/cb", false},
		{MatchFastMCP, "https://app.example.com/auth/*", "https://app.example.com/auth/a/b", true},
		{MatchFastMCP, "https://app.example.com/auth/*", "https://app.example.com/other", false},
		{MatchFastMCP, "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb", true},

		{MatchLogto, "http://127.0.0.1:3000/cb", "http://127.0.0.1:5000/cb", true},
		{MatchLogto, "https://*.example.com/cb", "https://a.example.com/cb", true},
		{MatchLogto, "https://app.example.com/*", "https://app.example.com/a/b", false},
		{MatchLogto, "https://app.example.com/*", "https://app.example.com/a", true},
		{MatchLogto, "http://localhost:*/cb", "http://localhost:5000/cb", true},

		{MatchUnknown, "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb", false},
	}
	for _, r := range rows {
		if got := r.mode.Matches([]string{r.reg}, r.uri); got != r.want {
			t.Errorf("%s.Matches([%q], %q) = %v; want %v", r.mode, r.reg, r.uri, got, r.want)
		}
	}
}

func TestGlobHostile(t *testing.T) {
	// A document full of '*' must not make matching exponential.
	pattern := strings.Repeat("a*", 200) + "b"
	if glob(pattern, strings.Repeat("a", 3000), 0) {
		t.Error("glob matched a string without the final b")
	}
	if !glob("a*b*c", "aXXbYYc", 0) || glob("a*c", "a/c/d", '/') || !glob("a*/c", "ab/c", '/') {
		t.Error("glob basics fail")
	}
}

func TestRuntimeRedirect(t *testing.T) {
	doc := in{patch: patch("redirect_uris", list("http://127.0.0.1/callback", "https://app.example.com/cb"))}.subject().doc
	const rt = "http://127.0.0.1:61876/callback"
	rs := Compatibility(testURL, doc, CompatOptions{Servers: []string{"keycloak", "cloudflare"}, RedirectURIs: []string{rt}})
	for _, c := range []struct {
		server  string
		sev     Severity // "" for no finding
		accepts bool
	}{
		{"keycloak", Error, false},       // exact, listed
		{"auth0", Warning, false},        // exact, not listed
		{"cloudflare", "", true},         // loopback-any-port
		{"toolhive", "", true},           // loopback-any-port
		{"better-auth", "", true},        // IP literal
		{"oidc-provider", Warning, true}, // exact unless native: inferred, so not a refusal
		{"cognito", Info, true},          // unknown: only any-port would match
	} {
		r := result(t, rs, c.server)
		f := findRule(r, "redirect-runtime-mismatch")
		switch {
		case c.sev == "" && f != nil, c.sev != "" && (f == nil || f.Severity != c.sev), r.Accepts != c.accepts:
			t.Errorf("%s with --redirect-uri %s = %+v; want severity %q, accepts %v", c.server, rt, r, c.sev, c.accepts)
		}
	}
	if r := result(t, rs, "keycloak"); r.RefusedBy() != "redirect-runtime-mismatch" || !strings.Contains(CompatibilityLine(&rs), "keycloak ✗ redirect-runtime-mismatch") {
		t.Errorf("keycloak RefusedBy = %q, line %q", r.RefusedBy(), CompatibilityLine(&rs))
	}
	// native: oidc-provider relaxes IP-literal ports.
	doc["application_type"] = "native"
	r := result(t, Compatibility(testURL, doc, CompatOptions{RedirectURIs: []string{rt}}), "oidc-provider")
	if f := findRule(r, "redirect-runtime-mismatch"); f != nil {
		t.Errorf("oidc-provider, native, %s = %+v; want a match", rt, f)
	}
	// No reading of any server matches another path.
	r = result(t, Compatibility(testURL, doc, CompatOptions{RedirectURIs: []string{"http://127.0.0.1:5/other"}}), "cognito")
	if f := findRule(r, "redirect-runtime-mismatch"); f == nil || f.Severity != Warning {
		t.Errorf("cognito, another path = %+v; want a warning", f)
	}
}

func TestCacheBounds(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		server  string
		maxAge  time.Duration
		present bool
		want    time.Duration
		known   bool
	}{
		{"keycloak", 60 * s, true, 300 * s, true},            // floored
		{"keycloak", 3600 * s, true, 3600 * s, true},         // inside
		{"keycloak", 30 * 86400 * s, true, 259200 * s, true}, // capped at 3 days
		{"cognito", 3600 * s, true, 86400 * s, true},         // outside: CacheDuration
		{"cognito", 2 * 86400 * s, true, 2 * 86400 * s, true},
		{"cognito", 0, false, 86400 * s, true},
		{"cloudflare", 30 * 86400 * s, true, 604800 * s, true},
		{"cloudflare", 0, false, 0, true},
		{"better-auth", 86400 * s, true, 3600 * s, true},
		{"fastmcp", 0, false, 3600 * s, true},
		{"fastmcp", 400 * 86400 * s, true, 400 * 86400 * s, true}, // no cap
		{"giantswarm", 0, false, 300 * s, true},
		{"logto", 60 * s, true, 86400 * s, true},
		{"auth0", 60 * s, true, 0, false},
		{"oidc-provider", 60 * s, true, 0, false},
	} {
		sv, _ := ServerProfile(c.server)
		got, known := sv.Cache.Lifetime(c.maxAge, c.present)
		if got != c.want || known != c.known {
			t.Errorf("%s.Lifetime(%v, %v) = %v, %v; want %v, %v", c.server, c.maxAge, c.present, got, known, c.want, c.known)
		}
	}
	worst, server, manual := WorstCasePropagation(3600*s, true)
	if worst != 86400*s || server != "cognito" || len(manual) != 1 || manual[0] != "auth0" {
		t.Errorf("WorstCasePropagation(1h) = %v, %s, %v; want 24h, cognito, [auth0]", worst, server, manual)
	}
	if worst, server, _ := WorstCasePropagation(400*86400*s, true); worst != 400*86400*s || server != "fastmcp" {
		t.Errorf("WorstCasePropagation(400d) = %v, %s; want 400d from fastmcp (no cap)", worst, server)
	}
	for _, c := range []struct {
		cc      string
		want    time.Duration
		present bool
	}{
		{"public, max-age=3600", 3600 * s, true},
		{"max-age=60, s-maxage=600", 600 * s, true},
		{"no-store", 0, true},
		{"public", 0, false},
		{"max-age=abc", 0, false},
		{"max-age=99999999999999999", time.Duration(1<<63-1) / s * s, true},
	} {
		if got, ok := MaxAge(c.cc); got != c.want || ok != c.present {
			t.Errorf("MaxAge(%q) = %v, %v; want %v, %v", c.cc, got, ok, c.want, c.present)
		}
	}
}

// TestVerdictsJSON: Verdicts marshal as the array of their ServerResults
// (HTML escaped only when the encoder around them escapes, as cimd's does
// not), and a Result without them has no compatibility member.
func TestVerdictsJSON(t *testing.T) {
	b, err := json.Marshal(Result{Target: "t"})
	if err != nil || strings.Contains(string(b), "compatibility") {
		t.Errorf("a Result without verdicts marshals as %s, %v; want no compatibility member", b, err)
	}
	doc := map[string]any{"client_name": "A & B", "redirect_uris": []any{"http://localhost/cb?a=1&b=<x>"}}
	vs := Compatibility(testURL, doc, CompatOptions{Servers: []string{"auth0"}})
	encode := func(v any) string {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
	got := encode(Result{Compatibility: vs})
	want := `"compatibility":` + encode(vs.Results())
	if !strings.Contains(got, want) || !strings.Contains(want, "&b=<x>") {
		t.Errorf("Result marshals as\n%s\nwant it to hold\n%s", got, want)
	}
	if rs := vs.Results(); len(rs) != len(servers) || rs[0].Server != "auth0" || vs.Len() != len(servers) {
		t.Errorf("Results() = %d results starting %+v; want one per profile, auth0 first", len(rs), rs[0])
	}
	if _, ok := vs.Result("nope"); ok {
		t.Error(`Result("nope") found a server`)
	}
	var none Verdicts
	if none.Results() != nil || none.Len() != 0 || !none.IsZero() {
		t.Errorf("zero Verdicts: Results %v, Len %d, IsZero %v; want none", none.Results(), none.Len(), none.IsZero())
	}
}

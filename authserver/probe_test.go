package authserver

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/validate"
)

const (
	probeClientID = "https://app.example.com/oauth/client.json"
	probeRedirect = "http://127.0.0.1:33418/callback"
)

func TestNewProbe(t *testing.T) {
	p, err := NewProbe("https://as.example.com/oauth2/authorize?tenant=t1", probeClientID, probeRedirect, "mcp:read mcp:write", "https://mcp.example.com/mcp")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{
		"response_type": "code", "client_id": probeClientID, "redirect_uri": probeRedirect,
		"code_challenge_method": "S256", "scope": "mcp:read mcp:write", "resource": "https://mcp.example.com/mcp",
		"tenant": "t1", "state": p.State, "code_challenge": p.CodeChallenge,
	} {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	if q.Has("code_verifier") {
		t.Errorf("the verifier was sent")
	}
	if len(p.CodeVerifier) != 43 || len(p.State) < 16 {
		t.Errorf("verifier %q (%d chars), state %q: want 43 chars and at least 16", p.CodeVerifier, len(p.CodeVerifier), p.State)
	}
	sum := sha256.Sum256([]byte(p.CodeVerifier))
	if want := base64.RawURLEncoding.EncodeToString(sum[:]); p.CodeChallenge != want {
		t.Errorf("challenge %q is not S256(verifier) = %q", p.CodeChallenge, want)
	}
	q2, err := NewProbe("https://as.example.com/oauth2/authorize", probeClientID, probeRedirect, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if q2.State == p.State || q2.CodeVerifier == p.CodeVerifier {
		t.Errorf("two probes share state or verifier")
	}
	u2, _ := url.Parse(q2.URL)
	if u2.Query().Has("scope") || u2.Query().Has("resource") {
		t.Errorf("empty scope or resource sent: %s", q2.URL)
	}
	if _, err := NewProbe("javascript:alert(1)", probeClientID, probeRedirect, "", ""); err == nil {
		t.Errorf("a javascript: endpoint was accepted")
	}
}

func TestChooseRedirectURI(t *testing.T) {
	tests := []struct {
		flag string
		doc  []string
		want string
	}{
		{"", []string{"https://app.example.com/cb", "http://127.0.0.1/callback", "http://localhost/cb"}, "http://127.0.0.1/callback"},
		{"", []string{"https://app.example.com/cb", "http://[::1]:8080/cb"}, "http://[::1]:8080/cb"},
		{"", []string{"https://127.0.0.1/cb", "https://app.example.com/cb"}, "https://127.0.0.1/cb"},
		{"", []string{"com.example.app:/cb"}, "com.example.app:/cb"},
		{"http://127.0.0.1:5555/cb", []string{"http://127.0.0.1/callback"}, "http://127.0.0.1:5555/cb"},
	}
	for _, tt := range tests {
		got, err := ChooseRedirectURI(tt.flag, tt.doc)
		if err != nil || got != tt.want {
			t.Errorf("ChooseRedirectURI(%q, %q) = %q, %v; want %q", tt.flag, tt.doc, got, err, tt.want)
		}
	}
	if _, err := ChooseRedirectURI("", nil); err == nil {
		t.Errorf("no redirect URIs: no error")
	}
}

// oidcProviderErrorPage renders an error the way oidc-provider's default
// renderError does: a title, then one <pre> per member of the error.
func oidcProviderErrorPage(members ...string) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
    <html>
    <head>
      <meta charset="utf-8">
      <title>oops! something went wrong</title>
      <style>h1{font-weight:100;text-align:center}pre{white-space:pre-wrap}</style>
    </head>
    <body>
      <div class="container">
        <h1>oops! something went wrong</h1>
        `)
	for i := 0; i+1 < len(members); i += 2 {
		b.WriteString("<pre><strong>" + members[i] + "</strong>: " + members[i+1] + "</pre>")
	}
	b.WriteString("\n      </div>\n    </body>\n    </html>")
	return b.String()
}

func TestClassify(t *testing.T) {
	req, err := NewProbe("https://as.example.com/api/auth/oauth2/authorize", probeClientID, probeRedirect, "", "")
	if err != nil {
		t.Fatal(err)
	}
	state := url.QueryEscape(req.State)
	html := http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	redirect := func(loc string) http.Header { return http.Header{"Location": {loc}} }
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		outcome   string
		err, desc string // expected error and error_description
		text      string // a part of Text
	}{
		// panva/node-oidc-provider.
		{name: "oidc-provider interaction", status: 303, header: redirect("/interaction/Gt1rYf2kpQ0QaOJ9ddW_r"),
			body: `Redirecting to <a href="/interaction/Gt1rYf2kpQ0QaOJ9ddW_r">/interaction/Gt1rYf2kpQ0QaOJ9ddW_r</a>.`, outcome: ProbeAccepted},
		{name: "oidc-provider invalid_client page", status: 400, header: html,
			body:    oidcProviderErrorPage("error", "invalid_client", "error_description", "client_id metadata document fetch failed", "state", req.State, "iss", "https://as.example.com"),
			outcome: ProbeRejected, err: "invalid_client", desc: "client_id metadata document fetch failed", text: "oops! something went wrong"},
		{name: "oidc-provider client_id mismatch", status: 400, header: html,
			body:    oidcProviderErrorPage("error", "invalid_client_metadata", "error_description", "client_id metadata document client_id does not match the expected value", "iss", "https://as.example.com"),
			outcome: ProbeRejected, err: "invalid_client_metadata", desc: "client_id metadata document client_id does not match the expected value"},
		{name: "oidc-provider unlisted redirect_uri", status: 400, header: html,
			body:    oidcProviderErrorPage("error", "invalid_redirect_uri", "error_description", "redirect_uri did not match any of the client&#39;s registered redirect_uris", "iss", "https://as.example.com"),
			outcome: ProbeRejected, err: "invalid_redirect_uri", desc: "redirect_uri did not match any of the client's registered redirect_uris"},
		{name: "oidc-provider error to the redirect_uri", status: 303,
			header:  redirect(probeRedirect + "?error=invalid_scope&error_description=requested+scope+is+not+allowed&state=" + state + "&iss=https%3A%2F%2Fas.example.com"),
			outcome: ProbeRejected, err: "invalid_scope", desc: "requested scope is not allowed"},

		// better-auth with @better-auth/oauth-provider.
		{name: "better-auth login page", status: 302,
			header:  redirect("/sign-in?response_type=code&client_id=" + url.QueryEscape(probeClientID) + "&redirect_uri=" + url.QueryEscape(probeRedirect) + "&state=" + state + "&code_challenge=" + req.CodeChallenge + "&code_challenge_method=S256&exp=1796000000&sig=abc"),
			outcome: ProbeAccepted},
		{name: "better-auth consent page", status: 302, header: redirect("https://as.example.com/consent?client_id=x&sig=y"), outcome: ProbeAccepted},
		{name: "better-auth unknown client", status: 302,
			header:  redirect("https://as.example.com/api/auth/error?error=invalid_client&error_description=client_id+is+required"),
			outcome: ProbeRejected, err: "invalid_client", desc: "client_id is required"},
		{name: "better-auth unlisted redirect_uri", status: 302,
			header:  redirect("https://as.example.com/api/auth/error?error=invalid_redirect&error_description=invalid+redirect+uri"),
			outcome: ProbeRejected, err: "invalid_redirect", desc: "invalid redirect uri"},
		{name: "better-auth code", status: 302, header: redirect(probeRedirect + "?code=Xy12&state=" + state + "&iss=https%3A%2F%2Fas.example.com"), outcome: ProbeAccepted},
		{name: "better-auth JSON answer", status: 200, header: http.Header{"Content-Type": {"application/json"}},
			body: `{"redirect":true,"url":"/sign-in?client_id=x&sig=y"}`, outcome: ProbeAccepted},
		{name: "better-auth JSON error answer", status: 200, header: http.Header{"Content-Type": {"application/json"}},
			body: `{"redirect":true,"url":"https://as.example.com/api/auth/error?error=invalid_client&error_description=client+not+found"}`, outcome: ProbeRejected, err: "invalid_client"},
		{name: "better-call JSON error", status: 400, header: http.Header{"Content-Type": {"application/json"}},
			body: `{"code":"INVALID_CLIENT","message":"client metadata document could not be fetched"}`, outcome: ProbeRejected, err: "INVALID_CLIENT", desc: "client metadata document could not be fetched"},

		// Other shapes.
		{name: "fragment error", status: 302, header: redirect(probeRedirect + "#error=access_denied&state=" + state), outcome: ProbeRejected, err: "access_denied"},
		{name: "Auth0-style universal login", status: 302, header: redirect("/u/login?state=hKFo2SBx"), outcome: ProbeAccepted},
		{name: "login form page", status: 200, header: html,
			body: `<html><head><title>Sign in to realm</title></head><body><form method="post"><input name="username"><input type="password" name="password"></form></body></html>`, outcome: ProbeAccepted},
		{name: "200 error page", status: 200, header: html,
			body: `<html><body><h1>We are sorry...</h1><p>invalid_redirect_uri: Invalid parameter: redirect_uri</p></body></html>`, outcome: ProbeRejected, err: "invalid_redirect_uri", text: "We are sorry"},
		{name: "Keycloak-style 400 page", status: 400, header: html,
			body: `<html><body><div id="kc-error-message"><p class="instruction">Client not found.</p></div></body></html>`, outcome: ProbeRejected, text: "Client not found."},
		{name: "500 JSON", status: 500, header: http.Header{"Content-Type": {"application/json"}},
			body: `{"error":"server_error","error_description":"oops something went wrong"}`, outcome: ProbeRejected, err: "server_error", desc: "oops something went wrong"},
		{name: "redirect to the redirect_uri with nothing", status: 302, header: redirect(probeRedirect + "?state=" + state), outcome: ProbeInconclusive},
		{name: "redirect back to the endpoint", status: 302, header: redirect("/api/auth/oauth2/authorize?prompt=login"), outcome: ProbeInconclusive},
		{name: "redirect home", status: 302, header: redirect("https://as.example.com/"), outcome: ProbeInconclusive},
		{name: "redirect without Location", status: 302, header: http.Header{}, outcome: ProbeInconclusive},
		{name: "unparsable Location", status: 302, header: redirect("http://[::1"), outcome: ProbeInconclusive},
		{name: "plain 200", status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: "hello", outcome: ProbeInconclusive, text: "hello"},
		{name: "204", status: 204, header: http.Header{}, outcome: ProbeInconclusive},
		{name: "JSON neither", status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: `{"ok":true}`, outcome: ProbeInconclusive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Classify(req, &Response{Status: tt.status, Header: tt.header, Body: []byte(tt.body), Complete: true})
			if p.Outcome != tt.outcome {
				t.Fatalf("Classify = %s (%s); want %s", p.Outcome, p.Reason, tt.outcome)
			}
			if p.Status != tt.status {
				t.Errorf("status %d; want %d", p.Status, tt.status)
			}
			if tt.err != "" && p.Error != tt.err {
				t.Errorf("error %q; want %q", p.Error, tt.err)
			}
			if tt.desc != "" && p.ErrorDescription != tt.desc {
				t.Errorf("error_description %q; want %q", p.ErrorDescription, tt.desc)
			}
			if tt.text != "" && !strings.Contains(p.Text, tt.text) {
				t.Errorf("text %q; want it to contain %q", p.Text, tt.text)
			}
			if loc := tt.header.Get("Location"); loc != "" && p.Location != loc {
				t.Errorf("location %q; want %q", p.Location, loc)
			}
			f, ok := p.Finding()
			wantRule := map[string]string{ProbeAccepted: "as-probe-accepted", ProbeRejected: "as-probe-rejected", ProbeInconclusive: "as-probe-inconclusive"}[tt.outcome]
			if !ok || f.Rule != wantRule {
				t.Errorf("Finding = %v, %v; want rule %s", f, ok, wantRule)
			}
			if tt.err != "" && !strings.Contains(f.Message, tt.err) {
				t.Errorf("finding message %q does not carry the server's error %q", f.Message, tt.err)
			}
		})
	}
}

func TestClassifyHostilePage(t *testing.T) {
	req, _ := NewProbe("https://as.example.com/authorize", probeClientID, probeRedirect, "", "")
	body := "<html><script>alert('x')</script><style>p{}</style><p>bad \x1b[2J\x1b]0;pwned\x07 \u202egnp.exe" + strings.Repeat(" filler", 10000) + "</p></html>"
	p := Classify(req, &Response{Status: 400, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte(body)})
	if p.Outcome != ProbeRejected {
		t.Fatalf("outcome %s", p.Outcome)
	}
	if strings.ContainsAny(p.Text, "\x1b\x07\u202e") || strings.Contains(p.Text, "alert") || strings.Contains(p.Text, "p{}") {
		t.Errorf("text not sanitised: %q", p.Text)
	}
	if !strings.Contains(p.Text, `\x1b[2J`) || !strings.Contains(p.Text, `\u202e`) {
		t.Errorf("escapes not shown: %q", p.Text)
	}
	if n := len([]rune(p.Text)); n > maxPageText+1 {
		t.Errorf("text is %d runes; want at most %d", n, maxPageText+1)
	}
	loc := "https://as.example.com/error?error=" + url.QueryEscape("x\x1b[31m") + "&error_description=" + url.QueryEscape(strings.Repeat("é", 5000))
	p = Classify(req, &Response{Status: 302, Header: http.Header{"Location": {loc}}})
	if strings.Contains(p.Error, "\x1b") || len([]rune(p.ErrorDescription)) > maxPageText+1 || len(p.Location) > 1100 {
		t.Errorf("redirect error not bounded: error %q, %d-rune description, %d-byte location", p.Error, len([]rune(p.ErrorDescription)), len(p.Location))
	}
}

func TestProbeFindingOutcomes(t *testing.T) {
	if _, ok := SkippedProbe().Finding(); ok {
		t.Errorf("a skipped probe has a finding")
	}
	f, ok := FailedProbe(errors.New("dial tcp: connection refused")).Finding()
	if !ok || f.Rule != "as-probe-inconclusive" || f.Severity != validate.Warning || !strings.Contains(f.Message, "connection refused") {
		t.Errorf("FailedProbe finding = %v", f)
	}
}

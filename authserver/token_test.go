package authserver

import (
	"net/http"
	"strings"
	"testing"
)

var tokenMD = &Metadata{
	Issuer: "https://as.example.com", TokenEndpoint: "https://as.example.com/oauth/token",
	GrantTypesSupported: []string{"authorization_code", "client_credentials"}, TokenEndpointAuthMethodsSupported: []string{"private_key_jwt"},
	Present: map[string]bool{"grant_types_supported": true, "token_endpoint_auth_methods_supported": true},
}

func tokenClient(aud *string) Client {
	return Client{ClientID: probeClientID, Document: map[string]any{"token_endpoint_auth_method": "private_key_jwt"},
		Assert: func(a string) (string, error) { *aud = a; return "signed-for-" + a, nil }}
}

// TestNewTokenRequest: the form RFC 7523 §2.2 and RFC 6749 §4.4 name, the
// assertion signed for the issuer, scope and resource when known; and the
// reasons a request is not made.
func TestNewTokenRequest(t *testing.T) {
	var aud string
	req, skipped := NewTokenRequest(tokenMD, tokenClient(&aud), "mcp:read", "https://mcp.example.com/mcp")
	if skipped != nil {
		t.Fatalf("skipped: %+v", skipped)
	}
	for k, want := range map[string]string{
		"grant_type": "client_credentials", "client_id": probeClientID,
		"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
		"client_assertion":      "signed-for-https://as.example.com", "scope": "mcp:read", "resource": "https://mcp.example.com/mcp",
	} {
		if got := req.Form.Get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	if aud != tokenMD.Issuer || req.Audience != aud || req.Endpoint != tokenMD.TokenEndpoint || len(req.Notes) != 0 {
		t.Errorf("aud %q, request %+v; want the issuer, the token endpoint and no notes", aud, req)
	}
	req, _ = NewTokenRequest(tokenMD, tokenClient(&aud), "", "")
	if req.Form.Has("scope") || req.Form.Has("resource") {
		t.Errorf("empty scope and resource were sent: %v", req.Form)
	}

	plain := *tokenMD
	plain.TokenEndpoint = "http://as.example.com/token"
	none := tokenClient(&aud)
	none.Document = map[string]any{}
	unsigned := tokenClient(&aud)
	unsigned.Assert = nil
	for _, c := range []struct {
		name   string
		md     *Metadata
		client Client
		says   string
	}{
		{"http token endpoint", &plain, tokenClient(&aud), "not an https URL"},
		{"public client", tokenMD, none, `"none", not private_key_jwt`},
		{"no key", tokenMD, unsigned, "no signing key"},
	} {
		req, skipped := NewTokenRequest(c.md, c.client, "", "")
		if req != nil || skipped == nil || skipped.Outcome != TokenSkipped || !strings.Contains(skipped.Reason, c.says) {
			t.Errorf("%s: request %v, token %+v; want skipped saying %q", c.name, req, skipped, c.says)
		}
	}
}

// TestTokenNotes: what the metadata says against the request, with RFC
// 8414's defaults for absent lists.
func TestTokenNotes(t *testing.T) {
	if n := TokenNotes(tokenMD); len(n) != 0 {
		t.Errorf("notes %q for a server listing both; want none", n)
	}
	bare := &Metadata{Issuer: "https://as.example.com", Present: map[string]bool{}}
	n := TokenNotes(bare)
	if len(n) != 2 || !strings.Contains(n[0], `grant_types_supported (absent, so "authorization_code", "implicit") lacks client_credentials`) ||
		!strings.Contains(n[1], `token_endpoint_auth_methods_supported (absent, so "client_secret_basic") lacks private_key_jwt`) {
		t.Errorf("notes %q; want both, naming the defaults", n)
	}
}

// TestClassifyToken: issued keeps token_type, expires_in and scope and
// never the token; an error status is refused with the server's words,
// escaped; a redirect or a 200 without a token failed.
func TestClassifyToken(t *testing.T) {
	req := &TokenRequest{Audience: "https://as.example.com", Notes: []string{"a note"}}
	json := http.Header{"Content-Type": {"application/json"}}
	resp := func(status int, body string) *Response {
		return &Response{Status: status, Header: json, Body: []byte(body), Complete: true}
	}
	tok := ClassifyToken(req, resp(200, `{"access_token":"SECRET-TOKEN","token_type":"Bearer","expires_in":"3600","scope":"mcp:read","refresh_token":"SECRET-REFRESH"}`))
	if tok.Outcome != TokenIssued || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.Scope != "mcp:read" || tok.Audience != req.Audience || len(tok.Notes) != 1 {
		t.Errorf("issued: %+v", tok)
	}
	if f, ok := tok.Finding(); !ok || f.Rule != "as-token-issued" || strings.Contains(f.Message, "SECRET") {
		t.Errorf("issued finding %+v", f)
	}

	tok = ClassifyToken(req, resp(400, `{"error":"unauthorized_client","error_description":"grant \u001b[2J not allowed\u202e"}`))
	if tok.Outcome != TokenRefused || tok.Error != "unauthorized_client" || strings.ContainsAny(tok.ErrorDescription, "\x1b\u202e") ||
		!strings.Contains(tok.ErrorDescription, "not allowed") {
		t.Errorf("refused: %+v; want the server's error, escaped", tok)
	}
	if f, ok := tok.Finding(); !ok || f.Rule != "as-token-refused" || f.Severity != "error" {
		t.Errorf("refused finding %+v", f)
	}
	tok = ClassifyToken(req, &Response{Status: 500, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<h1>Internal error</h1>"), Complete: true})
	if tok.Outcome != TokenRefused || !strings.Contains(tok.ErrorDescription, "Internal error") {
		t.Errorf("an HTML error page: %+v; want refused with its text", tok)
	}

	for _, c := range []struct {
		name string
		resp *Response
		says string
	}{
		{"no token", resp(200, `{"token_type":"Bearer"}`), "without an access_token"},
		{"not JSON", resp(200, `<html>`), "not a complete JSON object"},
		{"redirect", &Response{Status: 307, Header: http.Header{"Location": {"https://elsewhere.example/token"}}}, "not followed"},
	} {
		tok := ClassifyToken(req, c.resp)
		if f, ok := tok.Finding(); tok.Outcome != TokenFailed || !strings.Contains(tok.Reason, c.says) || !ok || f.Rule != "as-token-failed" {
			t.Errorf("%s: %+v; want failed saying %q", c.name, tok, c.says)
		}
	}
}

// TestJudgeToken: a refused or failed token request makes the result not
// ready; issued and skipped do not.
func TestJudgeToken(t *testing.T) {
	for outcome, ready := range map[string]bool{TokenIssued: true, TokenSkipped: true, TokenRefused: false, TokenFailed: false} {
		r := Result{Probe: SkippedProbe(), Token: &Token{Outcome: outcome}}
		r.Judge(false)
		if r.Ready != ready {
			t.Errorf("token %s: ready %v; want %v", outcome, r.Ready, ready)
		}
	}
}

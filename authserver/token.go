package authserver

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cimd-dev/cimd/validate"
)

// GrantClientCredentials is the grant --token knows.
const GrantClientCredentials = "client_credentials"

// ClientAssertionType is RFC 7523 §2.2's client_assertion_type.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// The outcomes of the token request.
const (
	TokenIssued  = "issued"
	TokenRefused = "refused"
	TokenSkipped = "skipped"
	TokenFailed  = "failed"
)

// Token is what the token request of --token found, in the shape of
// check-server's --json. It never holds the token itself: only what the
// server said about it.
type Token struct {
	Grant            string `json:"grant"`
	Outcome          string `json:"outcome"`
	Status           int    `json:"status"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int64  `json:"expires_in"`
	Scope            string `json:"scope,omitempty"`
	// Audience is the aud of the client assertion: the server's issuer.
	Audience string `json:"aud,omitempty"`
	// Notes are what the metadata says against the request, found before
	// it was made: a missing grant type or auth method.
	Notes []string `json:"notes,omitempty"`
	// Reason says in words why a request was skipped or failed.
	Reason string `json:"reason,omitempty"`
}

// TokenRequest is the one token request of --token.
type TokenRequest struct {
	Endpoint string
	Form     url.Values // holds the client assertion: never print it
	Audience string
	Notes    []string
}

// NewTokenRequest builds the client_credentials request for client at the
// server of md: grant_type, client_id, an RFC 7523 client assertion whose
// aud is the issuer (RFC 7523bis §4; oidc-provider accepts the issuer, the
// token endpoint and the endpoint called), and scope and the RFC 8707
// resource when they are not empty. It returns a skipped Token instead
// when the request cannot be made.
func NewTokenRequest(md *Metadata, client Client, scope, resource string) (*TokenRequest, *Token) {
	skip := func(format string, args ...any) (*TokenRequest, *Token) {
		return nil, &Token{Grant: GrantClientCredentials, Outcome: TokenSkipped, Reason: fmt.Sprintf(format, args...)}
	}
	if md.TokenEndpoint == "" {
		return skip("the metadata has no token_endpoint")
	}
	u, err := url.Parse(md.TokenEndpoint)
	if err != nil || u.Host == "" || u.Scheme != "https" {
		return skip("the token_endpoint %q is not an https URL: cimd does not send a client assertion in the clear", bound(md.TokenEndpoint, 200))
	}
	if m := docString(client.Document, "token_endpoint_auth_method"); m != "private_key_jwt" {
		if m == "" {
			m = "none"
		}
		return skip("the document's token_endpoint_auth_method is %q, not private_key_jwt", bound(m, 80))
	}
	if client.Assert == nil {
		return skip("no signing key for the client assertion")
	}
	aud := md.Issuer
	assertion, err := client.Assert(aud)
	if err != nil {
		return skip("cannot sign the client assertion: %s", bound(err.Error(), 300))
	}
	form := url.Values{
		"grant_type":            {GrantClientCredentials},
		"client_id":             {client.ClientID},
		"client_assertion_type": {ClientAssertionType},
		"client_assertion":      {assertion},
	}
	if scope != "" {
		form.Set("scope", scope)
	}
	if resource != "" {
		form.Set("resource", resource)
	}
	return &TokenRequest{Endpoint: md.TokenEndpoint, Form: form, Audience: aud, Notes: TokenNotes(md)}, nil
}

// TokenNotes says what in md speaks against a client_credentials request
// with private_key_jwt: the grant or the method missing from what the
// server lists (with RFC 8414's defaults for an absent list).
func TokenNotes(md *Metadata) []string {
	var notes []string
	grants, gListed := md.GrantTypesSupported, md.Present["grant_types_supported"]
	if !gListed {
		grants = []string{"authorization_code", "implicit"}
	}
	if !slices.Contains(grants, GrantClientCredentials) {
		notes = append(notes, "the server's grant_types_supported "+list(grants, gListed)+" lacks client_credentials")
	}
	if !supportsMethod(md, "private_key_jwt") {
		methods, mListed := md.TokenEndpointAuthMethodsSupported, md.Present["token_endpoint_auth_methods_supported"]
		if !mListed {
			methods = []string{"client_secret_basic"}
		}
		notes = append(notes, "the server's token_endpoint_auth_methods_supported "+list(methods, mListed)+" lacks private_key_jwt")
	}
	return notes
}

// ClassifyToken reads the token endpoint's answer: a 200 with an
// access_token is issued (its token_type, expires_in and scope kept, the
// token itself dropped); a 4xx or 5xx is refused, with the error and
// error_description of its JSON body, else the text of its page; anything
// else failed.
func ClassifyToken(req *TokenRequest, resp *Response) Token {
	t := Token{Grant: GrantClientCredentials, Status: resp.Status, Audience: req.Audience, Notes: req.Notes}
	switch {
	case resp.Status == 200:
		var body struct {
			AccessToken any             `json:"access_token"`
			TokenType   any             `json:"token_type"`
			ExpiresIn   json.RawMessage `json:"expires_in"`
			Scope       any             `json:"scope"`
		}
		if err := json.Unmarshal(resp.Body, &body); err != nil || !resp.Complete {
			t.Outcome, t.Reason = TokenFailed, "a 200 whose body is not a complete JSON object"
			return t
		}
		if s, _ := body.AccessToken.(string); s == "" {
			t.Outcome, t.Reason = TokenFailed, "a 200 without an access_token"
			return t
		}
		t.Outcome = TokenIssued
		tt, _ := body.TokenType.(string)
		sc, _ := body.Scope.(string)
		t.TokenType, t.Scope = bound(tt, 40), bound(sc, 300)
		// A number (RFC 6749 §5.1), or a string some servers send.
		n := strings.Trim(string(body.ExpiresIn), `"`)
		t.ExpiresIn, _ = strconv.ParseInt(n, 10, 64)
	case resp.Status >= 400:
		t.Outcome = TokenRefused
		p := Probe{}
		readErrorBody(&p, resp)
		t.Error, t.ErrorDescription = p.Error, p.ErrorDescription
		if t.Error == "" && t.ErrorDescription == "" && p.Text != "" {
			t.ErrorDescription = p.Text
		}
	case resp.Status >= 300 && resp.Status < 400:
		t.Outcome = TokenFailed
		t.Reason = fmt.Sprintf("a %d redirect, not followed (the request is not replayed elsewhere)", resp.Status)
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Reason += " to " + bound(loc, 200)
		}
	default:
		t.Outcome, t.Reason = TokenFailed, fmt.Sprintf("status %d", resp.Status)
	}
	return t
}

// requestToken makes the one token request of --token.
func requestToken(ctx context.Context, d *Discovery, client Client, opts CheckOptions) *Token {
	scope := d.Scope
	if scope == "" {
		scope = docString(client.Document, "scope")
	}
	req, skipped := NewTokenRequest(d.Metadata, client, scope, d.ResourceURI())
	if skipped != nil {
		skipped.Notes = TokenNotes(d.Metadata)
		return skipped
	}
	if opts.Post == nil {
		return &Token{Grant: GrantClientCredentials, Outcome: TokenSkipped, Reason: "no client to post with", Notes: req.Notes}
	}
	resp, err := opts.Post(ctx, req.Endpoint, req.Form)
	if err != nil || resp == nil {
		if err == nil {
			err = fmt.Errorf("no response")
		}
		return &Token{Grant: GrantClientCredentials, Outcome: TokenFailed, Audience: req.Audience, Notes: req.Notes,
			Reason: "no response: " + bound(err.Error(), 300)}
	}
	t := ClassifyToken(req, resp)
	return &t
}

// Finding returns the token request's as-token-* finding; false for a
// skipped one.
func (t *Token) Finding() (validate.Finding, bool) {
	switch t.Outcome {
	case TokenIssued:
		return finding("as-token-issued", validate.Info,
			fmt.Sprintf("the token endpoint issued a %s token for the client assertion (%s)", t.Grant, t.answer())), true
	case TokenRefused:
		return finding("as-token-refused", validate.Error,
			fmt.Sprintf("the token endpoint refused the %s request: %s", t.Grant, t.answer())), true
	case TokenFailed:
		return finding("as-token-failed", validate.Error,
			fmt.Sprintf("the %s request got no usable answer: %s", t.Grant, t.answer())), true
	}
	return validate.Finding{}, false
}

// answer describes what came back, for a finding's message.
func (t *Token) answer() string {
	var parts []string
	if e := ErrorText(t.Error, t.ErrorDescription); e != "" {
		parts = append(parts, e)
	}
	if t.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", t.Status))
	}
	if t.Outcome == TokenIssued {
		parts = append(parts, "token_type "+t.TokenType, fmt.Sprintf("expires_in %d", t.ExpiresIn))
	}
	if t.Reason != "" {
		parts = append(parts, t.Reason)
	}
	parts = append(parts, t.Notes...)
	return strings.Join(parts, "; ")
}

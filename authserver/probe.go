package authserver

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/cimd-dev/cimd/validate"
)

// The outcomes of the probe.
const (
	ProbeAccepted     = "accepted"
	ProbeRejected     = "rejected"
	ProbeInconclusive = "inconclusive"
	ProbeSkipped      = "skipped"
)

// ProbeRequest is the one authorization request of the probe.
type ProbeRequest struct {
	URL           string // the authorization endpoint with every parameter
	ClientID      string
	RedirectURI   string
	State         string
	CodeVerifier  string // kept so that a code, if one came back, could be redeemed; never sent
	CodeChallenge string
	Scope         string
	Resource      string
}

// ChooseRedirectURI picks the probe's redirect_uri as CLI.md says: the
// --redirect-uri flag when given, else the document's first loopback entry,
// else its first entry.
func ChooseRedirectURI(flag string, redirectURIs []string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	for _, r := range redirectURIs {
		if isLoopbackRedirect(r) {
			return r, nil
		}
	}
	if len(redirectURIs) > 0 {
		return redirectURIs[0], nil
	}
	return "", errors.New("the document has no redirect_uris and no --redirect-uri was given")
}

// isLoopbackRedirect: an http URI to localhost, 127.0.0.0/8 or [::1].
func isLoopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := strings.TrimSuffix(u.Hostname(), ".")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// NewProbe builds the authorization request: response_type=code, the
// client_id, the redirect_uri, a fresh PKCE S256 challenge and state from
// crypto/rand, and scope and the RFC 8707 resource when they are not empty.
// Parameters already in the endpoint's query are kept (RFC 6749 §3.1).
func NewProbe(authorizationEndpoint, clientID, redirectURI, scope, resource string) (*ProbeRequest, error) {
	u, err := url.Parse(authorizationEndpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("authorization_endpoint %q is not an http(s) URL", bound(authorizationEndpoint, 200))
	}
	p := &ProbeRequest{
		ClientID:     clientID,
		RedirectURI:  redirectURI,
		State:        randomToken(16),
		CodeVerifier: randomToken(32), // 43 characters, RFC 7636 §4.1
		Scope:        scope,
		Resource:     resource,
	}
	sum := sha256.Sum256([]byte(p.CodeVerifier))
	p.CodeChallenge = base64.RawURLEncoding.EncodeToString(sum[:])

	q := u.Query()
	q.Set("response_type", "code")
	q.Set("client_id", clientID)
	q.Set("redirect_uri", redirectURI)
	q.Set("code_challenge", p.CodeChallenge)
	q.Set("code_challenge_method", "S256")
	q.Set("state", p.State)
	if scope != "" {
		q.Set("scope", scope)
	}
	if resource != "" {
		q.Set("resource", resource)
	}
	u.RawQuery = q.Encode()
	u.Fragment, u.RawFragment = "", ""
	p.URL = u.String()
	return p, nil
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Probe is what the probe found, in the shape of CLI.md's --json.
type Probe struct {
	Outcome          string `json:"outcome"`
	Status           int    `json:"status"`
	Location         string `json:"location"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	// Text is the visible text of the page that came back, when the
	// outcome rests on a page rather than on OAuth parameters.
	Text string `json:"text,omitempty"`
	// Reason says in words why the outcome was chosen.
	Reason string `json:"-"`
	// NoResponse is set when the request got no answer at all (DNS,
	// connect, TLS, timeout): a failed fetch, not a verdict of the server.
	NoResponse bool `json:"-"`
}

// SkippedProbe is the probe of --no-probe.
func SkippedProbe() Probe { return Probe{Outcome: ProbeSkipped} }

// FailedProbe is a probe whose request got no response.
func FailedProbe(err error) Probe {
	return Probe{Outcome: ProbeInconclusive, NoResponse: true, Reason: "no response: " + bound(err.Error(), 300)}
}

// Classify reads the answer to the probe:
//
//   - a redirect carrying error= (to the redirect_uri, or to the server's own
//     error page as better-auth does) is rejected, with its error and
//     error_description;
//   - a redirect to the redirect_uri with code= is accepted;
//   - a redirect elsewhere whose path names a login, consent or interaction
//     step (oidc-provider's /interaction/..., better-auth's login page,
//     Auth0's /u/login) is accepted, unless it leads back to the
//     authorization endpoint itself;
//   - a 4xx or 5xx is rejected, with the error of a JSON body or the text of
//     the page (oidc-provider renders invalid_client as an HTML page);
//   - a 200 page is rejected when it names an OAuth error, accepted when it
//     is a login form, and inconclusive otherwise; a 200 JSON body
//     {"redirect": true, "url": ...} (better-auth, asked for JSON) is read
//     as a redirect to url;
//   - anything else is inconclusive.
func Classify(req *ProbeRequest, resp *Response) Probe {
	p := Probe{Status: resp.Status}
	loc := resp.Header.Get("Location")
	p.Location = bound(loc, 1000)
	switch {
	case resp.Status >= 300 && resp.Status < 400:
		if loc == "" {
			p.Outcome, p.Reason = ProbeInconclusive, fmt.Sprintf("a %d without a Location", resp.Status)
			return p
		}
		classifyRedirect(&p, req, loc)
	case resp.Status == http.StatusOK:
		classifyPage(&p, req, resp)
	case resp.Status >= 400:
		p.Outcome = ProbeRejected
		p.Reason = fmt.Sprintf("status %d", resp.Status)
		readErrorBody(&p, resp)
	default:
		p.Outcome, p.Reason = ProbeInconclusive, fmt.Sprintf("status %d", resp.Status)
	}
	return p
}

func classifyRedirect(p *Probe, req *ProbeRequest, loc string) {
	base, _ := url.Parse(req.URL)
	ref, err := url.Parse(strings.TrimSpace(loc))
	if err != nil || base == nil {
		p.Outcome, p.Reason = ProbeInconclusive, "a Location that does not parse"
		return
	}
	target := base.ResolveReference(ref)
	params := target.Query()
	if frag, err := url.ParseQuery(target.Fragment); err == nil && target.Fragment != "" {
		for k, v := range frag { // response_mode=fragment
			if _, ok := params[k]; !ok {
				params[k] = v
			}
		}
	}
	toClient := sameEndpoint(target, req.RedirectURI)
	switch {
	case params.Get("error") != "":
		p.Outcome = ProbeRejected
		p.Error = bound(params.Get("error"), 100)
		p.ErrorDescription = bound(params.Get("error_description"), maxPageText)
		if toClient {
			p.Reason = "an OAuth error in the redirect to the redirect_uri"
		} else {
			p.Reason = "a redirect to the server's error page"
		}
	case toClient && params.Get("code") != "":
		p.Outcome, p.Reason = ProbeAccepted, "a redirect to the redirect_uri with a code"
	case toClient:
		p.Outcome, p.Reason = ProbeInconclusive, "a redirect to the redirect_uri with neither code nor error"
	case target.Host == base.Host && target.Path == base.Path:
		p.Outcome, p.Reason = ProbeInconclusive, "a redirect back to the authorization endpoint"
	case isInteractionPath(target.Path):
		p.Outcome, p.Reason = ProbeAccepted, "a redirect to a login, consent or interaction step"
	default:
		p.Outcome, p.Reason = ProbeInconclusive, "a redirect that names no login step and no error"
	}
}

// sameEndpoint reports whether u is the redirect_uri (scheme, host, port
// and path; the query and fragment carry the response).
func sameEndpoint(u *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, r.Scheme) && strings.EqualFold(u.Host, r.Host) &&
		u.Opaque == r.Opaque && strings.TrimSuffix(u.Path, "/") == strings.TrimSuffix(r.Path, "/")
}

var interactionWords = []string{
	"login", "log-in", "logon", "signin", "sign-in", "sign_in", "consent", "interaction",
	"authorize", "authorise", "auth", "account", "session", "identifier", "select",
}

func isInteractionPath(path string) bool {
	lower := strings.ToLower(path)
	for _, w := range interactionWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

func classifyPage(p *Probe, req *ProbeRequest, resp *Response) {
	if obj := jsonObject(resp); obj != nil {
		if u, _ := obj["url"].(string); u != "" {
			// better-auth's answer to Accept: application/json.
			p.Location = bound(u, 1000)
			classifyRedirect(p, req, u)
			return
		}
		if e, _ := obj["error"].(string); e != "" {
			p.Outcome, p.Reason = ProbeRejected, "a JSON error"
			readErrorBody(p, resp)
			return
		}
		p.Outcome, p.Reason = ProbeInconclusive, "a JSON body that is neither a redirect nor an error"
		return
	}
	text := visibleText(resp.Body)
	p.Text = bound(text, maxPageText)
	if code := oauthErrorIn(text); code != "" {
		p.Outcome, p.Reason = ProbeRejected, "a page naming the OAuth error "+code
		p.Error, p.ErrorDescription = errorFieldsIn(text)
		if p.Error == "" {
			p.Error = code
		}
		return
	}
	if isLoginPage(resp.Body) {
		p.Outcome, p.Reason = ProbeAccepted, "a login page"
		return
	}
	p.Outcome, p.Reason = ProbeInconclusive, "a page that is neither a login form nor an error"
}

// readErrorBody takes error and error_description from a JSON error body
// (RFC 6749 §5.2 names; better-call's message and code too), else the page
// text and any "error: ..." lines in it (oidc-provider's error page).
func readErrorBody(p *Probe, resp *Response) {
	if obj := jsonObject(resp); obj != nil {
		e, _ := obj["error"].(string)
		d, _ := obj["error_description"].(string)
		if e == "" {
			e, _ = obj["code"].(string)
		}
		if d == "" {
			d, _ = obj["message"].(string)
		}
		p.Error, p.ErrorDescription = bound(e, 100), bound(d, maxPageText)
		if e == "" && d == "" {
			p.Text = pageText(resp.Body)
		}
		return
	}
	text := visibleText(resp.Body)
	p.Text = bound(text, maxPageText)
	p.Error, p.ErrorDescription = errorFieldsIn(text)
}

func jsonObject(resp *Response) map[string]any {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(resp.Body)
	if !(mt == "application/json" || strings.HasSuffix(mt, "+json")) && !bytes.HasPrefix(trimmed, []byte("{")) {
		return nil
	}
	var obj map[string]any
	if json.Unmarshal(trimmed, &obj) != nil {
		return nil
	}
	return obj
}

var (
	errorLine       = regexp.MustCompile(`(?:^|\s)error\s?:\s*([A-Za-z0-9_.\-]+)`)
	descriptionLine = regexp.MustCompile(`(?:^|\s)error_description\s?:\s*(.*?)(?:\s+(?:state|iss|error|error_uri|scope)\s?:\s|$)`)
	oauthErrorCode  = regexp.MustCompile(`\b(invalid_request|invalid_client|invalid_client_metadata|unauthorized_client|access_denied|unsupported_response_type|invalid_scope|server_error|temporarily_unavailable|invalid_redirect_uri|invalid_redirect|redirect_uri_mismatch|invalid_target|invalid_request_uri|login_required|consent_required)\b`)
)

// errorFieldsIn finds "error: x" and "error_description: y" in page text,
// as oidc-provider's default error page renders them.
func errorFieldsIn(text string) (errCode, desc string) {
	if m := errorLine.FindStringSubmatch(text); m != nil {
		errCode = bound(m[1], 100)
	}
	if m := descriptionLine.FindStringSubmatch(text); m != nil {
		desc = bound(m[1], maxPageText)
	}
	return errCode, desc
}

func oauthErrorIn(text string) string {
	return oauthErrorCode.FindString(text)
}

func isLoginPage(body []byte) bool {
	lower := bytes.ToLower(body[:min(len(body), 256<<10)])
	if bytes.Contains(lower, []byte(`type="password"`)) || bytes.Contains(lower, []byte(`type=password`)) ||
		bytes.Contains(lower, []byte(`type='password'`)) {
		return true
	}
	for _, w := range []string{"sign in", "log in", "login", "sign-in", "consent", "authorize"} {
		if bytes.Contains(lower, []byte(w)) && bytes.Contains(lower, []byte("<form")) {
			return true
		}
	}
	return false
}

// Finding returns the probe's as-probe-* finding; false for a skipped probe.
func (p Probe) Finding() (validate.Finding, bool) {
	switch p.Outcome {
	case ProbeAccepted:
		return finding("as-probe-accepted", validate.Info,
			fmt.Sprintf("the probe reached a login, consent or interaction step (%s)", p.answer())), true
	case ProbeRejected:
		return finding("as-probe-rejected", validate.Error,
			fmt.Sprintf("the server refused the authorization request: %s", p.answer())), true
	case ProbeInconclusive:
		return finding("as-probe-inconclusive", validate.Warning,
			fmt.Sprintf("the probe's answer could not be classified: %s", p.answer())), true
	}
	return validate.Finding{}, false
}

// answer describes what came back, for a finding's message.
func (p Probe) answer() string {
	var parts []string
	if e := ErrorText(p.Error, p.ErrorDescription); e != "" {
		parts = append(parts, e)
	}
	if p.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", p.Status))
	}
	if p.Location != "" {
		parts = append(parts, "Location "+bound(p.Location, 200))
	}
	if p.Error == "" && p.Text != "" {
		parts = append(parts, `page text "`+p.Text+`"`) // already bounded and escaped
	}
	if p.Reason != "" {
		parts = append(parts, p.Reason)
	}
	return strings.Join(parts, "; ")
}

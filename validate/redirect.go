package validate

import (
	"fmt"
	"net/url"
	"strings"
)

// redirectEntry is one string in redirect_uris, as the §3 rules see it.
type redirectEntry struct {
	index    int
	raw      string
	scheme   string   // lower case
	u        *url.URL // nil when the entry does not parse
	loopback bool     // an http(s) URI to localhost, 127.0.0.0/8 or [::1]
}

func (e *redirectEntry) field() string { return fmt.Sprintf("redirect_uris[%d]", e.index) }

// redirects runs the RULES.md §3 rules on each string entry of
// redirect_uris, and doc-application-type, which depends on them. Entries of
// the wrong type are doc-field-type's and are skipped, keeping their index.
func (d *docCheck) redirects() {
	list, ok := d.doc["redirect_uris"].([]any)
	if !ok {
		return
	}
	origin := clientOrigin(d.url)
	var entries []*redirectEntry
	allLoopback := len(list) > 0
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			allLoopback = false
			continue
		}
		e := d.redirectEntry(i, s, origin)
		allLoopback = allLoopback && e.loopback
		entries = append(entries, e)
	}
	d.portless(entries)

	anyLoopback := false
	for _, e := range entries {
		anyLoopback = anyLoopback || e.loopback
	}
	// "Every redirect URI": an entry of the wrong type or one that does not
	// parse is not a loopback URI, so it keeps this quiet.
	if allLoopback {
		d.fs.add("redirect-loopback-only", Info, "redirect_uris", "every redirect URI is loopback: servers should warn users, since a metadata document alone cannot stop another local app from posing as this client")
	}
	// A non-string application_type is doc-field-type's, and still not "native".
	if at, _ := d.str("application_type"); anyLoopback && at != "native" {
		msg := "there are loopback redirect URIs but application_type is absent, so it defaults to \"web\", which makes some servers (e.g. Auth0) refuse loopback redirects; set \"application_type\": \"native\""
		if d.has("application_type") {
			msg = fmt.Sprintf("there are loopback redirect URIs but application_type is %v, not \"native\", which makes some servers (e.g. Auth0) refuse loopback redirects; set it to \"native\"", jsonValue(d.doc["application_type"]))
		}
		d.fs.add("doc-application-type", Warning, "application_type", msg)
	}
}

// redirectEntry checks one entry and returns what redirect-loopback-portless
// and the document-wide rules need to know about it.
//
// An entry with '*' is parsed with each '*' read as the digit 0, so that
// "http://localhost:*/cb" has a port and a host; it gets redirect-wildcard
// instead of redirect-invalid, and the other rules as if it parsed. An entry
// with an unsafe scheme gets redirect-unsafe-scheme and not also
// redirect-invalid, as doc-unsafe-uri takes precedence in §2: "data:text/html,
// <script>" is worse than malformed.
func (d *docCheck) redirectEntry(i int, raw, origin string) *redirectEntry {
	e := &redirectEntry{index: i, raw: raw}
	p := splitURI(raw)
	e.scheme = strings.ToLower(p.scheme)
	unsafe := unsafeSchemes[e.scheme]
	wildcard := strings.Contains(raw, "*")
	parsed := strings.ReplaceAll(raw, "*", "0")

	invalid := redirectInvalid(parsed, p)
	switch {
	case wildcard:
		d.fs.add("redirect-wildcard", Warning, e.field(), fmt.Sprintf("%q has a \"*\", which is not part of a URI (a port is digits only, and Go's net/url rejects it): FastMCP reads it as a pattern, but servers that compare strings (Auth0, Keycloak, better-auth) reject it; register http://127.0.0.1/callback instead, since RFC 8252 lets a loopback redirect use any port", raw))
	case invalid != "" && !unsafe:
		d.fs.add("redirect-invalid", Error, e.field(), fmt.Sprintf("%q %s", raw, invalid))
	}
	if p.hasFragment {
		d.fs.add("redirect-fragment", Error, e.field(), fmt.Sprintf("%q contains \"#\"; a redirect URI must not have a fragment (RFC 6749 §3.1.2), so remove it", raw))
	}
	if unsafe {
		d.fs.add("redirect-unsafe-scheme", Error, e.field(), fmt.Sprintf("%q uses the %s: scheme, which can run code or read local files; use http://127.0.0.1/... or an https URL", raw, e.scheme))
		return e
	}
	if invalid != "" {
		return e
	}
	e.u, _ = url.Parse(parsed)
	host := e.u.Hostname()
	web := e.scheme == "http" || e.scheme == "https"
	// Loopback is an http(s) notion (RFC 8252 §7.3); "myapp://localhost/cb"
	// is a private-use scheme that happens to name a host.
	e.loopback = web && isLoopbackHost(host)

	switch {
	case e.scheme == "http" && !e.loopback:
		d.fs.add("redirect-http", Error, e.field(), fmt.Sprintf("%q uses http: with the host %q, which is not loopback; MCP requires https, or http only to localhost, 127.0.0.1 or [::1]", raw, host))
	case !web:
		msg := fmt.Sprintf("%q uses the private-use scheme %s:, fine for a native app under RFC 8252 §7.1 but outside MCP's wording (https, or http to loopback), so some servers refuse it", raw, e.scheme)
		if !strings.Contains(e.scheme, ".") {
			msg += "; RFC 8252 also wants it to be a reverse domain name you own, e.g. com.example.app"
		}
		d.fs.add("redirect-custom-scheme", Warning, e.field(), msg)
	}
	// Names are case-insensitive, so "LOCALHOST" is localhost too.
	if web && equalFoldASCII(host, "localhost") {
		d.fs.add("redirect-localhost-name", Warning, e.field(), fmt.Sprintf("%q uses the name localhost, which RFC 8252 §8.3 advises against (it may resolve elsewhere, or to IPv6 when the client listens on IPv4); use 127.0.0.1 or [::1]", raw))
	}
	if e.scheme == "https" && e.loopback {
		d.fs.add("redirect-loopback-https", Warning, e.field(), fmt.Sprintf("%q uses https: to a loopback host, which needs a locally trusted certificate; RFC 8252 uses http: for loopback redirects", raw))
	}
	// Loopback https entries are left to redirect-loopback-https: they are
	// never same-origin with a public client_id, and that is not the
	// impersonation risk this rule is about.
	if e.scheme == "https" && !e.loopback && origin != "" {
		if o := originOf(e.u); o != origin {
			d.fs.add("redirect-cross-origin", Warning, e.field(), fmt.Sprintf("%q is on %s, not on the client_id's origin %s; better-auth and some other servers require the same origin, so serve the redirect from %s", raw, o, origin, origin))
		}
	}
	return e
}

// redirectInvalid says why raw is not an absolute URI that parses, or "".
// An http(s) URI needs a host as well (RFC 9110 §4.2.1 calls one without a
// host invalid), and characters RFC 3986 forbids make a URI invalid even
// where url.Parse lets them through.
func redirectInvalid(raw string, p uriParts) string {
	if raw == "" {
		return "is empty; it must be an absolute URI"
	}
	if !validScheme(p.scheme) {
		return "is not an absolute URI with a scheme; write it in full, e.g. http://127.0.0.1/callback"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Sprintf("does not parse: %v", unwrapURLError(err))
	}
	if msg := badURIChars(raw); msg != "" {
		return "is not a valid URI: " + msg
	}
	if s := strings.ToLower(p.scheme); (s == "http" || s == "https") && u.Hostname() == "" {
		return fmt.Sprintf("has no host; an %s: redirect URI must name one", s)
	}
	return ""
}

// portless reports loopback entries without a port that have no twin with
// the same scheme, host and path and a port: a server that matches exactly
// would refuse the ephemeral port a native client binds. An empty port
// ("127.0.0.1:/cb") counts as none.
func (d *docCheck) portless(entries []*redirectEntry) {
	for _, e := range entries {
		if !e.loopback || e.u.Port() != "" {
			continue
		}
		twin := false
		for _, o := range entries {
			if o.loopback && o.u.Port() != "" && o.scheme == e.scheme &&
				equalFoldASCII(o.u.Hostname(), e.u.Hostname()) && o.u.EscapedPath() == e.u.EscapedPath() {
				twin = true
				break
			}
		}
		if !twin {
			d.fs.add("redirect-loopback-portless", Warning, e.field(), fmt.Sprintf("%q has no port, and no entry with the same scheme, host and path has one: servers that match exactly (Keycloak, Auth0, older FastMCP) reject the random port the client binds; also register the URI with the port the client uses", e.raw))
		}
	}
}

// clientOrigin is the origin of the client_id URL, or "" when it has none.
func clientOrigin(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	return originOf(u)
}

// originOf is scheme://host[:port], the host lower-cased and a default port
// left out, so that https://Example.com and https://example.com:443 are one
// origin, as browsers see them.
func originOf(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	switch port := u.Port(); {
	case port == "", scheme == "https" && port == "443", scheme == "http" && port == "80":
		return scheme + "://" + host
	default:
		return scheme + "://" + host + ":" + port
	}
}

// jsonValue shows a decoded JSON value in a message.
func jsonValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return "a JSON " + jsonKind(v)
}

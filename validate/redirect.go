package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// redirectEntry is one string in redirect_uris, as the §3 rules see it.
type redirectEntry struct {
	index    int
	raw      string
	scheme   string   // lower case
	parts    uriParts // valid only when ok
	ok       bool     // the entry is a valid URI (a "*" port read as digits)
	loopback bool     // an http(s) URI to localhost, 127.0.0.0/8 or [::1]
}

func (e *redirectEntry) field() string { return "redirect_uris[" + strconv.Itoa(e.index) + "]" }

// redirects runs the RULES.md §3 rules on each string entry of
// redirect_uris, and doc-application-type, which depends on them. Entries of
// the wrong type are doc-field-type's and are skipped, keeping their index.
func (d *docCheck) redirects() {
	list, ok := d.doc["redirect_uris"].([]any)
	if !ok {
		return
	}
	origin := clientOrigin(d.url)
	entries := make([]*redirectEntry, 0, len(list))
	store := make([]redirectEntry, len(list)) // one allocation for all entries
	allLoopback := len(list) > 0
	if d.sub != nil {
		d.sub.redirects = slices.Grow(d.sub.redirects[:0], len(list))
	}
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			allLoopback = false
			continue
		}
		e := &store[i]
		p := splitURI(s)
		d.redirectEntry(e, i, s, p, origin)
		if d.sub != nil {
			d.sub.addRedirect(i, s, p, e)
		}
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
	// A non-string application_type is doc-field-type's, and still not
	// "native". One finding says everything wrong with the field.
	v, has := d.doc["application_type"]
	at, isString := v.(string)
	var probs []string
	if isString && at != "native" && at != "web" {
		probs = append(probs, fmt.Sprintf("application_type is %q, which is neither \"native\" nor \"web\" (the only values OpenID Connect defines), so servers read it as the default \"web\" or refuse it", at))
	}
	if anyLoopback && at != "native" {
		switch {
		case !has:
			probs = append(probs, "there are loopback redirect URIs but application_type is absent, so it defaults to \"web\", which makes some servers (e.g. Auth0) refuse loopback redirects")
		case len(probs) == 0:
			probs = append(probs, fmt.Sprintf("there are loopback redirect URIs but application_type is %s, not \"native\", which makes some servers (e.g. Auth0) refuse loopback redirects", jsonValue(v)))
		}
	}
	if len(probs) > 0 {
		fix := "set \"application_type\": \"native\""
		if !anyLoopback {
			fix = "set it to \"native\" for an app on the user's device or \"web\" for one on a server"
		}
		d.fs.add("doc-application-type", Warning, "application_type", strings.Join(probs, "; ")+"; "+fix)
	}
}

// redirectEntry checks one entry, raw split into p, and fills e with what
// redirect-loopback-portless and the document-wide rules need to know.
//
// A "*" in the port is read as a digit, so that "http://localhost:*/cb" has
// a port and a host; it gets redirect-wildcard, and the other rules as if it
// parsed. A "*" anywhere else gets redirect-wildcard and redirect-invalid
// (RULES.md §7). An entry with an unsafe scheme gets redirect-unsafe-scheme
// and not also redirect-invalid, as doc-unsafe-uri takes precedence in §2:
// "data:text/html,<script>" is worse than malformed.
func (d *docCheck) redirectEntry(e *redirectEntry, i int, raw string, p uriParts, origin string) {
	*e = redirectEntry{index: i, raw: raw}
	e.scheme = strings.ToLower(p.scheme)
	unsafe := unsafeSchemes[e.scheme]
	wildcard := strings.IndexByte(raw, '*') >= 0
	parsed := raw
	if wildcard && p.hasPort && strings.IndexByte(p.port, '*') >= 0 {
		// Only the port's "*" is read as a digit: [scheme ":"] "//"
		// authority, and the port ends the authority.
		authEnd := 2 + len(p.authority)
		if p.scheme != "" {
			authEnd += len(p.scheme) + 1
		}
		port := strings.ReplaceAll(p.port, "*", "0")
		parsed = raw[:authEnd-len(p.port)] + port + raw[authEnd:]
		p.port = port
	}

	invalid := redirectInvalid(parsed, p)
	if wildcard {
		d.fs.add("redirect-wildcard", Warning, e.field(), fmt.Sprintf("%q has a \"*\", which is not part of a URI (a port is digits only, and Go's net/url rejects it): FastMCP reads it as a pattern, but servers that compare strings (Auth0, Keycloak, better-auth) reject it; %s", raw, wildcardAdvice(p)))
	}
	if invalid != "" && !unsafe {
		d.fs.add("redirect-invalid", Error, e.field(), fmt.Sprintf("%q %s", raw, invalid))
	}
	// An invalid entry gets that one finding (RULES.md §7), a wildcard aside.
	if p.hasFragment && (invalid == "" || unsafe) {
		d.fs.add("redirect-fragment", Error, e.field(), fmt.Sprintf("%q contains \"#\"; a redirect URI must not have a fragment (RFC 6749 §3.1.2), so remove it", raw))
	}
	if unsafe {
		d.fs.add("redirect-unsafe-scheme", Error, e.field(), fmt.Sprintf("%q uses the %s: scheme, which can run code or read local files; use an https URL, or http: to 127.0.0.1 for a native app", raw, e.scheme))
		return
	}
	if invalid != "" {
		return
	}
	e.parts, e.ok = p, true
	host := p.hostname
	web := e.scheme == "http" || e.scheme == "https"
	// Loopback is an http(s) notion (RFC 8252 §7.3); "myapp://localhost/cb"
	// is a private-use scheme that happens to name a host.
	e.loopback = web && isLoopbackName(host)

	switch {
	case e.scheme == "http" && !e.loopback:
		d.fs.add("redirect-http", Error, e.field(), fmt.Sprintf("%q uses http: with the host %q, which is not loopback; MCP requires https, or http only to localhost, 127.0.0.1 or [::1]", raw, host))
	case !web && !reverseDomain(e.scheme):
		d.fs.add("redirect-scheme", Error, e.field(), fmt.Sprintf("%q uses the scheme %s:, which is neither https, http to a loopback host, nor a private-use scheme in reverse-domain form (RFC 8252 §7.1: a domain you own, reversed, e.g. com.example.app); servers refuse it", raw, e.scheme))
	case !web:
		d.fs.add("redirect-custom-scheme", Warning, e.field(), fmt.Sprintf("%q uses the private-use scheme %s:, fine for a native app under RFC 8252 §7.1 but outside MCP's wording (https, or http to loopback), so some servers refuse it", raw, e.scheme))
		if p.hasAuthority {
			d.fs.add("redirect-scheme", Warning, e.field(), fmt.Sprintf("%q has an authority (\"//\") after its private-use scheme; RFC 8252 §7.1 wants a single slash, %s", raw, e.scheme+":/"+strings.TrimPrefix(p.path, "/")))
		}
	}
	// Names are case-insensitive, so "LOCALHOST" is localhost too.
	if web && equalFoldASCII(strings.TrimSuffix(host, "."), "localhost") {
		d.fs.add("redirect-localhost-name", Warning, e.field(), fmt.Sprintf("%q uses the name localhost, which RFC 8252 §8.3 advises against (it may resolve elsewhere, or to IPv6 when the client listens on IPv4); use 127.0.0.1 or [::1]", raw))
	}
	if e.scheme == "https" && e.loopback {
		d.fs.add("redirect-loopback-https", Warning, e.field(), fmt.Sprintf("%q uses https: to a loopback host, which needs a locally trusted certificate; RFC 8252 uses http: for loopback redirects", raw))
	}
	// A loopback https entry is compared like any other (RULES.md §7): it
	// is not on a public client_id's origin either.
	if e.scheme == "https" && origin != "" {
		if o := originOf(p); o != origin {
			d.fs.add("redirect-cross-origin", Warning, e.field(), fmt.Sprintf("%q is on %s, not on the client_id's origin %s; better-auth and some other servers require the same origin, so serve the redirect from %s", raw, o, origin, origin))
		}
	}
}

// wildcardAdvice is what to register instead of a wildcard entry. For a
// loopback entry it is a pair that passes every rule: the port-less URI
// (RFC 8252 servers accept any port for it) and a fixed-port twin (what
// servers that compare strings need, and which keeps
// redirect-loopback-portless quiet).
func wildcardAdvice(p uriParts) string {
	scheme := strings.ToLower(p.scheme)
	if (scheme == "http" || scheme == "https") && strings.IndexByte(p.host, '*') < 0 && isLoopbackName(p.hostname) {
		host := "127.0.0.1"
		if strings.HasPrefix(p.host, "[") {
			host = "[::1]"
		}
		path := p.path
		if path == "" || strings.ContainsAny(path, "*[]") || badURIChars(path) != "" {
			path = "/callback"
		}
		return fmt.Sprintf("register %s and %s instead (with application_type \"native\"): RFC 8252 servers accept any port for the first, and servers that compare strings match the second when the client binds that fixed port",
			"http://"+host+path, "http://"+host+":8080"+path)
	}
	return "list each redirect URI in full instead"
}

// isLoopbackName is isLoopbackHost with a trailing dot allowed: "localhost."
// and "127.0.0.1." are the same hosts (RULES.md §7).
func isLoopbackName(host string) bool {
	host = strings.TrimSuffix(host, ".")
	return (mayBeIP(host) || len(host) == len("localhost")) && isLoopbackHost(host)
}

// reverseDomain reports whether a private-use scheme is in reverse-domain
// form: at least two non-empty dot-separated labels ("com.example.app").
func reverseDomain(scheme string) bool {
	labels := strings.Split(scheme, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	return true
}

// redirectInvalid says why raw is not an absolute URI, or "". An http(s) URI
// needs a host as well (RFC 9110 §4.2.1 calls one without a host invalid).
func redirectInvalid(raw string, p uriParts) string {
	if raw == "" {
		return "is empty; it must be an absolute URI"
	}
	if !validScheme(p.scheme) {
		return "is not an absolute URI with a scheme; write it in full, starting with https:// (or http://127.0.0.1: and a port, for a native app)"
	}
	if strings.IndexByte(raw, '*') >= 0 {
		return "has a \"*\" outside the port, which no server reads as a pattern there; write the URI in full"
	}
	if msg := uriProblem(raw, p); msg != "" {
		return "is not a valid URI: " + msg
	}
	if s := strings.ToLower(p.scheme); (s == "http" || s == "https") && p.hostname == "" {
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
		if !e.loopback || e.parts.port != "" {
			continue
		}
		twin := false
		for _, o := range entries {
			if o.loopback && o.parts.port != "" && o.scheme == e.scheme &&
				equalFoldASCII(o.parts.hostname, e.parts.hostname) && o.parts.path == e.parts.path {
				twin = true
				break
			}
		}
		if !twin {
			twin := e.scheme + "://" + e.parts.host + ":8080" + e.parts.path
			if e.parts.hasQuery {
				twin += "?" + e.parts.query
			}
			d.fs.add("redirect-loopback-portless", Warning, e.field(), fmt.Sprintf("%q has no port, and no entry with the same scheme, host and path has one: servers that match exactly (Keycloak, Auth0, older FastMCP) reject the random port the client binds; also register it with the fixed port the client binds, e.g. %s", e.raw, twin))
		}
	}
}

// clientOrigin is the origin of the client_id URL, or "" when it is not a
// valid URL with a host: no origin is compared with an invalid client_id.
func clientOrigin(rawURL string) string {
	p := splitURI(rawURL)
	if invalidURL(rawURL, p) != "" {
		return ""
	}
	return originOf(p)
}

// originOf is scheme://host[:port], the host lower-cased and a default port
// left out, so that https://Example.com and https://example.com:443 are one
// origin, as browsers see them. A port is a number: ":0443" is 443.
func originOf(p uriParts) string {
	scheme := strings.ToLower(p.scheme)
	host := strings.ToLower(p.host)
	port := strings.TrimLeft(p.port, "0")
	if port == "" && p.port != "" {
		port = "0"
	}
	switch {
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
	return "a JSON " + JSONKind(v)
}

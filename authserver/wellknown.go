package authserver

import (
	"fmt"
	"net/url"
	"strings"
)

// Candidate is one URL that discovery may fetch, and what it is for.
type Candidate struct {
	URL  string
	Kind string // "oauth-protected-resource", "oauth-authorization-server" or "openid-configuration"
}

// The well-known suffixes (RFC 9728 §3, RFC 8414 §3, OpenID Connect
// Discovery §4).
const (
	KindProtectedResource = "oauth-protected-resource"
	KindAuthServer        = "oauth-authorization-server"
	KindOpenID            = "openid-configuration"
)

// splitForWellKnown parses an https or http URL into origin and path for
// well-known insertion: the terminating "/" of the path is dropped (RFC 8414
// §3.1, RFC 9728 §3.1) and the query is kept with the path. A fragment or
// userinfo makes the URL unusable as an identifier.
func splitForWellKnown(raw string) (origin, path, query string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", "", fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", "", "", fmt.Errorf("%q is not an http or https URL", raw)
	}
	if u.Host == "" {
		return "", "", "", fmt.Errorf("%q has no host", raw)
	}
	if u.User != nil {
		return "", "", "", fmt.Errorf("%q has a userinfo part", raw)
	}
	if strings.Contains(raw, "#") {
		return "", "", "", fmt.Errorf("%q has a fragment", raw)
	}
	path = strings.TrimSuffix(u.EscapedPath(), "/")
	if u.RawQuery != "" || u.ForceQuery {
		query = "?" + u.RawQuery
	}
	return u.Scheme + "://" + u.Host, path, query, nil
}

// ProtectedResourceCandidates returns the RFC 9728 metadata URLs of an MCP
// server URL in the order MCP clients try them when the 401 names none: the
// well-known suffix inserted before the path, then at the root.
func ProtectedResourceCandidates(resource string) ([]Candidate, error) {
	origin, path, query, err := splitForWellKnown(resource)
	if err != nil {
		return nil, err
	}
	const wk = "/.well-known/" + KindProtectedResource
	var out []Candidate
	if path != "" || query != "" {
		out = append(out, Candidate{origin + wk + path + query, KindProtectedResource})
	}
	return append(out, Candidate{origin + wk, KindProtectedResource}), nil
}

// AuthServerCandidates returns the metadata URLs of an issuer in the order
// the MCP authorization spec has clients try them: RFC 8414 with the suffix
// inserted, then OpenID discovery inserted, then OpenID discovery appended
// to the path (the form OpenID Connect Discovery itself defines). Without a
// path the three collapse to two.
func AuthServerCandidates(issuer string) ([]Candidate, error) {
	origin, path, query, err := splitForWellKnown(issuer)
	if err != nil {
		return nil, err
	}
	if query != "" {
		// RFC 8414 §2: an issuer has no query or fragment.
		return nil, fmt.Errorf("issuer %q has a query", issuer)
	}
	out := []Candidate{
		{origin + "/.well-known/" + KindAuthServer + path, KindAuthServer},
		{origin + "/.well-known/" + KindOpenID + path, KindOpenID},
	}
	if path != "" {
		out = append(out, Candidate{origin + path + "/.well-known/" + KindOpenID, KindOpenID})
	}
	return out, nil
}

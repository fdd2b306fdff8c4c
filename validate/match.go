package validate

import (
	"net/netip"
	"strings"
)

// MatchMode is how a server compares the redirect_uri of an authorization
// request with a document's redirect_uris (SERVERS.md "Redirect matching
// modes").
type MatchMode string

// The matching modes.
const (
	// MatchExact: byte-equal to an entry.
	MatchExact MatchMode = "exact"
	// MatchLoopbackAnyPort: exact, except that an http loopback entry
	// matches any port with the same host, path and query (RFC 8252 §7.3);
	// localhost is not 127.0.0.1.
	MatchLoopbackAnyPort MatchMode = "loopback-any-port"
	// MatchLoopbackIPOnly: as MatchLoopbackAnyPort for IP literals only;
	// localhost matches exactly.
	MatchLoopbackIPOnly MatchMode = "loopback-ip-only"
	// MatchNativeLoopback: MatchLoopbackIPOnly when the document's
	// application_type is "native", else MatchExact (oidc-provider,
	// inferred).
	MatchNativeLoopback MatchMode = "loopback-ip-only-native"
	// MatchFastMCP: MatchLoopbackAnyPort plus FastMCP's patterns: a ":*"
	// port, a "*." subdomain and fnmatch paths.
	MatchFastMCP MatchMode = "fastmcp-pattern"
	// MatchLogto: MatchLoopbackAnyPort (the port stripped from both
	// strings) plus Logto's "*" patterns.
	MatchLogto MatchMode = "logto-wildcard"
	// MatchUnknown: not stated by any source.
	MatchUnknown MatchMode = "unknown"
)

// Matches reports whether a redirect to uri matches one of registered under
// mode m. MatchUnknown and MatchNativeLoopback are read as MatchExact: the
// caller decides what an unknown mode means.
func (m MatchMode) Matches(registered []string, uri string) bool {
	for _, r := range registered {
		if r == uri || m.matchOne(r, uri) {
			return true
		}
	}
	return false
}

func (m MatchMode) matchOne(reg, uri string) bool {
	switch m {
	case MatchLoopbackAnyPort:
		return loopbackAnyPort(reg, uri, false)
	case MatchLoopbackIPOnly:
		return loopbackAnyPort(reg, uri, true)
	case MatchFastMCP:
		return loopbackAnyPort(reg, uri, false) || fastmcpPattern(reg, uri)
	case MatchLogto:
		return loopbackAnyPort(reg, uri, false) ||
			strings.Contains(reg, "*") && glob(stripLoopbackPort(reg), stripLoopbackPort(uri), '/')
	}
	return false
}

// loopbackAnyPort reports whether uri is reg with another (or no) port, reg
// being an http loopback URI; with ipOnly, only for an IP literal host.
func loopbackAnyPort(reg, uri string, ipOnly bool) bool {
	a, b := splitURI(reg), splitURI(uri)
	if a.scheme != "http" || b.scheme != "http" || !a.hasAuthority || !b.hasAuthority ||
		a.hasUserinfo || b.hasUserinfo || a.hasFragment || b.hasFragment {
		return false
	}
	host := trimBrackets(a.host)
	if !isLoopbackHost(host) || (ipOnly && !isIPLiteral(host)) {
		return false
	}
	return a.host == b.host && a.path == b.path && a.hasQuery == b.hasQuery && a.query == b.query &&
		validPort(b)
}

func isIPLiteral(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}

// validPort reports whether p's port, if any, is digits.
func validPort(p uriParts) bool {
	for i := 0; i < len(p.port); i++ {
		if p.port[i] < '0' || p.port[i] > '9' {
			return false
		}
	}
	return true
}

// fastmcpPattern matches FastMCP's redirect patterns: the scheme exact, a
// host "*.example.com" matching any subdomain, a port "*" matching any, and
// the path by fnmatch ("*" crossing "/", as Python's fnmatch does).
func fastmcpPattern(reg, uri string) bool {
	if !strings.Contains(reg, "*") {
		return false
	}
	a, b := splitURI(reg), splitURI(uri)
	if !strings.EqualFold(a.scheme, b.scheme) || a.hasAuthority != b.hasAuthority || b.hasFragment {
		return false
	}
	switch {
	case strings.HasPrefix(a.host, "*."):
		suffix := strings.ToLower(a.host[1:])
		h := strings.ToLower(b.host)
		if !strings.HasSuffix(h, suffix) || len(h) == len(suffix) {
			return false
		}
	case !equalFoldASCII(a.host, b.host):
		return false
	}
	if a.port != "*" && (a.hasPort != b.hasPort || a.port != b.port) {
		return false
	}
	return glob(a.path, b.path, 0) && a.hasQuery == b.hasQuery && a.query == b.query
}

// stripLoopbackPort removes the port of an http(s) URI to a loopback host.
func stripLoopbackPort(s string) string {
	p := splitURI(s)
	if !p.hasPort || !isLoopbackHost(trimBrackets(p.host)) {
		return s
	}
	i := strings.Index(s, "//") + 2 + len(p.authority)
	j := i - len(p.port) - 1
	return s[:j] + s[i:]
}

// glob matches s against pattern, where '*' matches any run of bytes
// other than stop (stop 0: any run at all) and every other byte itself. It
// runs in len(pattern)*len(s) steps, so a document full of '*' cannot make
// it backtrack without end.
func glob(pattern, s string, stop byte) bool {
	// prev[j]: pattern[:i] matches s[:j].
	prev := make([]bool, len(s)+1)
	cur := make([]bool, len(s)+1)
	prev[0] = true
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		cur[0] = c == '*' && prev[0]
		for j := 1; j <= len(s); j++ {
			if c == '*' {
				cur[j] = prev[j] || cur[j-1] && (stop == 0 || s[j-1] != stop)
			} else {
				cur[j] = prev[j-1] && s[j-1] == c
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(s)]
}

package validate

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// maxURLBytes is Auth0's limit on a client_id; longer ones are refused there.
const maxURLBytes = 120

// CheckURL runs the client_id URL rules (RULES.md §1) without DNS: for
// url-private-address only IP literals and "localhost" are judged.
//
// When the URL is not an absolute URL with a host (url-invalid), no other §1
// rule runs: they describe parts (scheme, path, port) of a URL that is not
// there, and would only repeat the one problem in other words.
func CheckURL(rawURL string, opts Options) []Finding {
	var fs findings
	p := splitURI(rawURL)
	u, err := url.Parse(rawURL)
	if msg := invalidURL(rawURL, p, u, err); msg != "" {
		fs.add("url-invalid", Error, "", msg)
		return fs
	}

	// The raw string, not u.Scheme: url.Parse lower-cases "HTTPS://", but a
	// server comparing client_id strings does not.
	if !strings.HasPrefix(rawURL, "https://") {
		fs.add("url-scheme", Error, "", fmt.Sprintf("the client_id URL must start with exactly \"https://\" (lower case); it starts with %q", p.scheme+":"))
	}
	switch p.path {
	case "":
		fs.add("url-path-missing", Error, "", fmt.Sprintf("the client_id URL has no path; serve the document at a path such as %q", "https://"+p.authority+"/oauth/client.json"))
	case "/":
		fs.add("url-root-path", profileSeverity(opts), "", "the client_id URL's path is \"/\": the draft advises against it and MCP SDKs and FastMCP reject it; use a path such as /oauth/client.json")
	}
	if seg, ok := dotSegment(p.path); ok {
		fs.add("url-dot-segment", Error, "", fmt.Sprintf("the path has a dot segment %q, which the draft forbids (a proxy or server may resolve it and change the URL); remove it", seg))
	}
	// Checked on the raw string: url.Parse forgets an empty trailing "#".
	if p.hasFragment {
		fs.add("url-fragment", Error, "", "the client_id URL must not contain \"#\", even with nothing after it; remove the fragment")
	}
	// Checked on the raw string: u.User is non-nil for "https://@host/x" too,
	// but an empty userinfo is still a userinfo.
	if p.hasUserinfo {
		fs.add("url-userinfo", Error, "", "the client_id URL must not contain a userinfo part (\"user@\", even an empty \"@\"); remove it")
	}
	if p.hasQuery {
		fs.add("url-query", Warning, "", "the client_id URL has a query (\"?\"); Keycloak and Auth0 reject it, so move the information into the path")
	}
	if p.hasPort {
		var msg string
		switch p.port {
		case "":
			msg = "the client_id URL has an empty port (\"host:/\"); remove the colon, since servers compare client_ids as strings and \"host:\" is not \"host\""
		case "443":
			msg = "the client_id URL has an explicit port \":443\"; servers compare client_ids as strings, so it is a different client from the URL without it: drop the port"
		default:
			msg = fmt.Sprintf("the client_id URL has an explicit port %q; the draft allows it, but some servers (atproto) forbid ports and many firewalls block them: serve on 443 and drop it if you can", ":"+p.port)
		}
		fs.add("url-port", Warning, "", msg)
	}
	if probs := notNormalized(rawURL, p.host); len(probs) > 0 {
		fs.add("url-not-normalized", Warning, "", "the client_id URL is not in normal form ("+strings.Join(probs, "; ")+"); servers compare it as a string and must not normalise it, so write it in normal form everywhere")
	}
	if len(rawURL) > maxURLBytes {
		fs.add("url-length", Warning, "", fmt.Sprintf("the client_id URL is %d bytes long; Auth0 refuses client_ids over %d bytes, so shorten it", len(rawURL), maxURLBytes))
	}
	if !opts.AllowPrivate {
		if what := privateHost(u.Hostname()); what != "" {
			fs.add("url-private-address", Error, "", fmt.Sprintf("the host %q is %s; authorization servers refuse to fetch such addresses (use --allow-private for local testing)", u.Hostname(), what))
		}
	}
	return fs
}

// invalidURL says why raw is not an absolute URL with a host, or "".
func invalidURL(raw string, p uriParts, u *url.URL, err error) string {
	switch {
	case raw == "":
		return "the client_id URL is empty"
	case err != nil:
		return fmt.Sprintf("the client_id URL does not parse: %v", unwrapURLError(err))
	case p.scheme == "":
		return fmt.Sprintf("the client_id URL %q is not absolute; write it in full, starting with https://", raw)
	case !p.hasAuthority || u.Hostname() == "":
		return fmt.Sprintf("the client_id URL %q has no host; write it as https://host/path", raw)
	}
	if msg := badURIChars(raw); msg != "" {
		return "the client_id URL is not a valid URI: " + msg
	}
	return ""
}

// unwrapURLError drops url.Error's "parse \"...\": " prefix, which only
// repeats the URL the message is already about.
func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// uriParts is a URI split by the regular expression of RFC 3986 Appendix B,
// on the raw string: nothing is decoded or case-folded, and an empty
// component is told apart from an absent one ("host:" vs "host", "?" vs "").
type uriParts struct {
	scheme       string // without ':'; "" when there is none
	hasAuthority bool
	authority    string // between "//" and the path
	hasUserinfo  bool
	host         string // with brackets for an IP literal
	hasPort      bool
	port         string
	path         string
	hasQuery     bool
	query        string
	hasFragment  bool
	fragment     string
}

func splitURI(raw string) uriParts {
	var p uriParts
	rest := raw
	if i := strings.IndexAny(rest, ":/?#"); i > 0 && rest[i] == ':' {
		p.scheme, rest = rest[:i], rest[i+1:]
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		p.hasFragment, p.fragment, rest = true, rest[i+1:], rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		p.hasQuery, p.query, rest = true, rest[i+1:], rest[:i]
	}
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		i := strings.IndexByte(rest, '/')
		if i < 0 {
			i = len(rest)
		}
		p.hasAuthority, p.authority, rest = true, rest[:i], rest[i:]
		hostport := p.authority
		// The last '@': a userinfo may not hold one unescaped, but if it
		// does, the host is what follows the last one, as browsers read it.
		if j := strings.LastIndexByte(hostport, '@'); j >= 0 {
			p.hasUserinfo, hostport = true, hostport[j+1:]
		}
		p.host = hostport
		colon := strings.LastIndexByte(hostport, ':')
		if strings.HasPrefix(hostport, "[") {
			if end := strings.IndexByte(hostport, ']'); end >= 0 && colon < end {
				colon = -1 // the colons are inside the IP literal
			}
		}
		if colon >= 0 {
			p.host, p.hasPort, p.port = hostport[:colon], true, hostport[colon+1:]
		}
	}
	p.path = rest
	return p
}

// badURIChars reports the first byte that RFC 3986 does not allow anywhere in
// a URI, or a '%' not followed by two hex digits, or "". url.Parse lets
// spaces, quotes and non-ASCII through, but a server comparing strings, or
// one with a strict parser, will not.
func badURIChars(raw string) string {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return fmt.Sprintf("%q at byte %d is not followed by two hex digits", "%", i)
			}
		case isUnreserved(c) || strings.IndexByte(":/?#[]@!$&'()*+,;=", c) >= 0:
		default:
			return fmt.Sprintf("byte %d (%q) must be percent-encoded", i, rune(c))
		}
	}
	return ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isUnreserved reports whether c is an RFC 3986 unreserved character, one
// that a normalised URI never percent-encodes.
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// dotSegment returns the first path segment that is "." or "..", once its
// percent-encoded dots are decoded, so "%2e%2E" counts like "..". Only %2e is
// decoded: any other escape makes the segment something else.
func dotSegment(path string) (string, bool) {
	for _, seg := range strings.Split(path, "/") {
		d := strings.ReplaceAll(strings.ReplaceAll(seg, "%2e", "."), "%2E", ".")
		if d == "." || d == ".." {
			return seg, true
		}
	}
	return "", false
}

// notNormalized lists how raw departs from the RFC 3986 §6.2.2 normal form in
// the ways the rule names: upper case in the host, lower-case hex digits in a
// percent-escape, and escaped unreserved characters. The scheme's case is
// url-scheme's business and is not repeated here. A "%2e" dot segment is
// reported here as well as by url-dot-segment: the two fixes differ (write
// the dot, then drop the segment), and the table does not fold them.
func notNormalized(raw, host string) []string {
	var probs []string
	if strings.ToLower(host) != host {
		probs = append(probs, fmt.Sprintf("upper-case letters in the host %q (write it in lower case)", host))
	}
	var lower, unreserved []string
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] != '%' || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
			continue
		}
		esc := raw[i : i+3]
		if strings.ToUpper(esc) != esc {
			lower = append(lower, esc)
		}
		if b, _ := strconv.ParseUint(esc[1:], 16, 8); isUnreserved(byte(b)) {
			unreserved = append(unreserved, fmt.Sprintf("%s for %q", esc, rune(b)))
		}
		i += 2
	}
	if len(lower) > 0 {
		probs = append(probs, "lower-case hex in "+strings.Join(lower, ", ")+" (write the hex digits in upper case)")
	}
	if len(unreserved) > 0 {
		probs = append(probs, "escaped unreserved characters "+strings.Join(unreserved, ", ")+" (write them unescaped)")
	}
	return probs
}

// privateHost says what kind of special-use address host is, or "" when it
// is a public address or a name that would need DNS to judge.
//
// Beyond the rule's "localhost", names under ".localhost" count too: RFC 6761
// §6.3 reserves them for loopback and common resolvers answer them locally.
// Legacy IPv4 forms ("127.1", "2130706433", "0x7f.0.0.1") count as IP
// literals: url.Parse keeps them as names, but the C resolver and browsers
// read them as addresses, a classic way around an SSRF filter.
func privateHost(host string) string {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "a loopback name"
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		var ok bool
		if ip, ok = parseLegacyIPv4(h); !ok {
			return ""
		}
	}
	if !IsSpecialAddr(ip) {
		return ""
	}
	ip = ip.WithZone("").Unmap()
	switch {
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate():
		return "a private address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address"
	}
	return "a special-use address (RFC 6890)"
}

// parseLegacyIPv4 parses the inet_aton forms of an IPv4 address: one to four
// dot-separated parts, each decimal, octal (leading 0) or hex (0x), the last
// filling the remaining bytes.
func parseLegacyIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var n [4]uint64
	for i, part := range parts {
		base, digits := 10, part
		switch {
		case strings.HasPrefix(part, "0x"):
			base, digits = 16, part[2:]
		case len(part) > 1 && part[0] == '0':
			base, digits = 8, part[1:]
		}
		if digits == "" || strings.ContainsAny(digits, "_+-") {
			return netip.Addr{}, false
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		n[i] = v
	}
	last := len(parts) - 1
	var v uint64
	for i := 0; i < last; i++ {
		if n[i] > 255 {
			return netip.Addr{}, false
		}
		v = v<<8 | n[i]
	}
	rest := uint(8 * (4 - last))
	if n[last] >= 1<<rest {
		return netip.Addr{}, false
	}
	v = v<<rest | n[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

package validate

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
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
	return checkURL(rawURL, splitURI(rawURL), opts)
}

// checkURL is CheckURL on rawURL split into p.
func checkURL(rawURL string, p uriParts, opts Options) []Finding {
	var fs findings
	if msg := invalidURL(rawURL, p); msg != "" {
		fs.add("url-invalid", Error, "", msg)
		return fs
	}

	// The raw string, not a parsed scheme: a parser lower-cases "HTTPS://",
	// but a server comparing client_id strings does not.
	if !strings.HasPrefix(rawURL, "https://") {
		fs.add("url-scheme", Error, "", fmt.Sprintf("the client_id URL must start with exactly \"https://\" (lower case); it starts with %q", p.scheme+":"))
	}
	switch p.path {
	case "":
		fs.add("url-path-missing", Error, "", fmt.Sprintf("the client_id URL has no path; serve the document at a path such as %q", "https://"+strings.ToLower(p.host)+"/oauth/client.json"))
	case "/":
		fs.add("url-root-path", profileSeverity(opts), "", "the client_id URL's path is \"/\": the draft advises against it and MCP SDKs and FastMCP reject it; use a path such as /oauth/client.json")
	}
	if seg, ok := dotSegment(p.path); ok {
		fs.add("url-dot-segment", Error, "", fmt.Sprintf("the path has a dot segment %q once decoded, which the draft forbids (a proxy or server may resolve it and change the URL); remove it", seg))
	}
	// Checked on the raw string: url.Parse forgets an empty trailing "#".
	if p.hasFragment {
		fs.add("url-fragment", Error, "", "the client_id URL must not contain \"#\", even with nothing after it; remove the fragment")
	}
	// Checked on the raw string: an empty userinfo is still a userinfo.
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
		if what := privateHost(p.hostname); what != "" {
			fs.add("url-private-address", Error, "", fmt.Sprintf("the host %q is %s; authorization servers refuse to fetch such addresses (use --allow-private for local testing)", p.hostname, what))
		}
	}
	return fs
}

// invalidURL says why raw is not an absolute URL with a host, or "".
func invalidURL(raw string, p uriParts) string {
	switch {
	case raw == "":
		return "the client_id URL is empty; it must be the https URL the document is served at"
	case !validScheme(p.scheme):
		return fmt.Sprintf("the client_id URL %q is not absolute; write it in full, starting with https://", raw)
	}
	if msg := uriProblem(raw, p); msg != "" {
		return "the client_id URL is not a valid URI: " + msg
	}
	if !p.hasAuthority || p.host == "" {
		return fmt.Sprintf("the client_id URL %q has no host; write it as https://host/path", raw)
	}
	return ""
}

// uriParts is a URI split by the regular expression of RFC 3986 Appendix B,
// on the raw string: nothing is decoded or case-folded, and an empty
// component is told apart from an absent one ("host:" vs "host", "?" vs "").
type uriParts struct {
	scheme       string // without ':'; "" when there is none
	hasAuthority bool
	authority    string // between "//" and the path
	hasUserinfo  bool
	host         string // with brackets for an IP literal, raw
	hostname     string // host without brackets, escapes decoded ("%25" in a zone is "%")
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
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c == ':' || c == '/' || c == '?' || c == '#' {
			if c == ':' && i > 0 {
				p.scheme, rest = rest[:i], rest[i+1:]
			}
			break
		}
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
		p.hostname = p.host
		if len(p.host) >= 2 && p.host[0] == '[' && p.host[len(p.host)-1] == ']' {
			p.hostname = p.host[1 : len(p.host)-1]
		}
		if strings.IndexByte(p.hostname, '%') >= 0 {
			p.hostname = percentDecode(p.hostname)
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
		case uriChars[c]:
		default:
			return fmt.Sprintf("byte %d (%q) must be percent-encoded", i, rune(c))
		}
	}
	return ""
}

// uriChars are the bytes RFC 3986 allows unescaped somewhere in a URI:
// unreserved, gen-delims and sub-delims.
var uriChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isUnreserved(byte(c)) || strings.IndexByte(":/?#[]@!$&'()*+,;=", byte(c)) >= 0
	}
	return t
}()

// uriProblem says why raw, already split into p, is not an RFC 3986 URI, or
// "": a character that must be escaped, a bad escape, a bracket outside an
// IP literal, a second '#' or '@', a host that is neither an IP literal nor
// a registered name (a second ':' ends up there), a port that is not
// digits. The scheme is the caller's: some callers want a message of their
// own for a missing one.
func uriProblem(raw string, p uriParts) string {
	if msg := badURIChars(raw); msg != "" {
		return msg
	}
	// One pass for the delimiters that may appear only once or only around
	// an IP literal: the host's own brackets are the only ones allowed.
	hashes, brackets := 0, 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '#':
			hashes++
		case '[', ']':
			brackets++
		}
	}
	if hashes > 1 {
		return "it has a second \"#\" (a fragment cannot contain one; escape it as %23)"
	}
	if bracketed := p.hasAuthority && strings.HasPrefix(p.host, "["); brackets > 0 && (!bracketed || brackets != strings.Count(p.host, "[")+strings.Count(p.host, "]")) {
		return "it has a bracket outside an IP literal (escape it as %5B or %5D)"
	}
	if !p.hasAuthority {
		return ""
	}
	if strings.Count(p.authority, "@") > 1 {
		return "its authority has a second \"@\" (a userinfo cannot contain one; escape it as %40)"
	}
	if msg := hostProblem(p.host); msg != "" {
		return msg
	}
	for i := 0; i < len(p.port); i++ {
		if c := p.port[i]; c < '0' || c > '9' {
			return fmt.Sprintf("the port %q is not digits", p.port)
		}
	}
	return ""
}

// hostProblem says why host (raw, with the brackets of an IP literal) is not
// an RFC 3986 host, or "". An empty host is the caller's business.
func hostProblem(host string) string {
	if strings.HasPrefix(host, "[") {
		if !strings.HasSuffix(host, "]") || len(host) < 2 {
			return fmt.Sprintf("the host %q opens a bracket it does not close", host)
		}
		if !ipLiteral(host[1 : len(host)-1]) {
			return fmt.Sprintf("the host %q is not an IP literal (an IPv6 address, or IPvFuture such as [v1.x])", host)
		}
		return ""
	}
	switch {
	case strings.ContainsAny(host, "[]"):
		return "it has a bracket outside an IP literal (escape it as %5B or %5D)"
	case strings.IndexByte(host, ':') >= 0:
		return fmt.Sprintf("the host %q has a \":\" (a port is a single \":\" and digits)", host)
	case strings.IndexByte(host, '%') >= 0 && !utf8.ValidString(percentDecode(host)):
		return fmt.Sprintf("the host %q has escapes that are not UTF-8 text", host)
	}
	return ""
}

// ipLiteral reports whether s (between the brackets) is an IPv6 address,
// with an RFC 6874 zone ("%25" ZoneID) or not, or an IPvFuture address:
// "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
func ipLiteral(s string) bool {
	if len(s) > 0 && (s[0] == 'v' || s[0] == 'V') {
		hex, rest, ok := strings.Cut(s[1:], ".")
		if !ok || hex == "" || rest == "" {
			return false
		}
		for i := 0; i < len(hex); i++ {
			if !isHex(hex[i]) {
				return false
			}
		}
		for i := 0; i < len(rest); i++ {
			if c := rest[i]; !isUnreserved(c) && !isSubDelim(c) && c != ':' {
				return false
			}
		}
		return true
	}
	addr, zone, hasZone := strings.Cut(s, "%25")
	if hasZone && zone == "" {
		return false
	}
	ip, err := netip.ParseAddr(addr)
	return err == nil && ip.Is6() && ip.Zone() == ""
}

func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

// percentDecode decodes the %xx escapes of s (which badURIChars has checked).
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			b.WriteByte(byte(v))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
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
// percent-encoded dots are decoded, so "%2e%2E" counts like "..". An encoded
// slash or backslash (%2F, %5C) splits segments too: a server that decodes
// the path before resolving it reads "/%2e%2e%2fx.json" as "/../x.json".
// Any other escape makes the segment something else.
func dotSegment(path string) (string, bool) {
	if strings.IndexByte(path, '%') >= 0 {
		for _, esc := range []string{"%2e", "%2E", "%2f", "%2F", "%5c", "%5C"} {
			c := "."
			if esc[1] != '2' || esc[2] == 'f' || esc[2] == 'F' {
				c = "/"
			}
			path = strings.ReplaceAll(path, esc, c)
		}
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
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
	// Upper-case letters count outside escapes only: the hex digits of %FF
	// are the normal form, not upper case in the name.
	var probs []string
	if hostHasUpper(host) {
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

// hostHasUpper reports an upper-case ASCII letter in host outside its
// percent-escapes.
func hostHasUpper(host string) bool {
	for i := 0; i < len(host); i++ {
		switch c := host[i]; {
		case c == '%':
			i += 2
		case 'A' <= c && c <= 'Z':
			return true
		}
	}
	return false
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
	if !mayBeIP(h) {
		return "" // a name: only DNS could tell
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

// mayBeIP reports whether host could be an IP literal in any spelling: an
// IPv6 address has a ':', and every IPv4 form (legacy ones included) starts
// with a digit. Names are told apart without the cost of a failed parse.
func mayBeIP(host string) bool {
	return host != "" && ('0' <= host[0] && host[0] <= '9' || strings.IndexByte(host, ':') >= 0)
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

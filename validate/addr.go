package validate

import "net/netip"

// specialPrefixes are the RFC 6890 special-purpose blocks (and their later
// additions) that an authorization server must refuse to fetch from, because
// they reach the server's own host, its private network, or nothing at all.
//
// Blocks the IANA registry marks "globally reachable" (AS112, AMT, PCP
// anycast) are left out: a public host may legitimately live there. The
// deprecated 6to4 relay anycast block is kept, as nothing serves from it.
// IPv4-mapped IPv6 addresses never reach this table: [IsSpecialAddr] unmaps
// them first, so ::ffff:127.0.0.1 is judged as 127.0.0.1.
var specialPrefixes = [...]netip.Prefix{
	// IPv4.
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("10.0.0.0/8"),      // private
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared address space
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata endpoints
	netip.MustParsePrefix("172.16.0.0/12"),   // private
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // private
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the limited broadcast address

	// IPv6.
	netip.MustParsePrefix("::/8"),           // unspecified, loopback, deprecated IPv4-compatible
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("2001::/23"),      // IETF protocol assignments, Teredo, benchmarking
	netip.MustParsePrefix("2001:db8::/32"),  // documentation
	netip.MustParsePrefix("3fff::/20"),      // documentation (RFC 9637)
	netip.MustParsePrefix("5f00::/16"),      // segment routing SIDs (RFC 9602)
	netip.MustParsePrefix("fc00::/7"),       // unique local
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("fec0::/10"),      // deprecated site-local
	netip.MustParsePrefix("ff00::/8"),       // multicast
}

// Translation prefixes that carry an IPv4 address inside an IPv6 one: a
// gateway turns them back into that IPv4 address, so 64:ff9b::7f00:1 reaches
// 127.0.0.1 and must be judged as such.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052, IPv4 in the last 32 bits
	sixToFour   = netip.MustParsePrefix("2002::/16")    // RFC 3056, IPv4 in bits 16-47
)

// IsSpecialAddr reports whether ip is a loopback, private, link-local, CGNAT,
// documentation or other RFC 6890 special-use address, one that a server
// fetching a client_id URL must not connect to. IPv4-mapped IPv6 addresses
// are unmapped first, an IPv6 zone is ignored, and an IPv4 address embedded
// in a NAT64 or 6to4 address is judged on its own. The zero Addr is reported
// as special, since it names no host that could be safely reached.
func IsSpecialAddr(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	// netip.Prefix.Contains is false for any address with a zone, which would
	// let fe80::1%eth0 through.
	ip = ip.WithZone("").Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip):
			return IsSpecialAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return IsSpecialAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range specialPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// isLoopbackHost reports whether host (as url.URL.Hostname returns it, so
// without brackets) is loopback in the sense of RULES.md §3: the name
// "localhost", an address in 127.0.0.0/8, or ::1.
//
// Only these three forms count, read literally: "app.localhost",
// "::ffff:127.0.0.1" and "::1%lo" reach the same host, but a server checking
// redirect URIs against MCP's "localhost or HTTPS" will not know that, so
// calling them loopback would hide a redirect-http it is going to refuse.
func isLoopbackHost(host string) bool {
	if equalFoldASCII(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	return ip.Is4() && ip.IsLoopback() || ip == netip.IPv6Loopback()
}

// equalFoldASCII reports whether a and b are equal ignoring ASCII case; host
// names are ASCII here, and strings.EqualFold's Unicode folding (K and the
// Kelvin sign) is not what a server does.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

package config

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// Loopback is the [client.loopback] table: the loopback redirect URIs that
// build renders and appends to redirect_uris, so that a native client's
// callbacks work at servers that match exactly and at those that relax the
// port (RFC 8252 §7.3) alike.
type Loopback struct {
	// Hosts are the loopback hosts, in order: "127.0.0.1" (the default,
	// RFC 8252 §8.3), another 127.0.0.0/8 address, "localhost" or "[::1]".
	Hosts []string
	// Ports are the fixed ports the client may bind, in order.
	Ports []int
	// Path is the callback path; default "/callback".
	Path string
	// Portless also lists each host without a port, which servers that
	// follow RFC 8252 match with any port.
	Portless bool
}

// The defaults of [client.loopback].
const (
	DefaultLoopbackHost = "127.0.0.1"
	DefaultLoopbackPath = "/callback"
)

func decodeLoopback(t map[string]any, at toml.Key, p *problems) *Loopback {
	if t == nil {
		return nil
	}
	var lb Loopback
	fields{
		{"hosts", func(p *problems, kp toml.Key, v any) {
			lb.Hosts = strs(p, kp, v)
			for _, h := range lb.Hosts {
				if msg := badLoopbackHost(h); msg != "" {
					p.add(kp, "%s", msg)
				}
			}
		}},
		{"ports", func(p *problems, kp toml.Key, v any) { lb.Ports = ports(p, kp, v) }},
		{"path", func(p *problems, kp toml.Key, v any) {
			lb.Path = str(p, kp, v)
			if msg := badLoopbackPath(lb.Path); msg != "" {
				p.add(kp, "%s", msg)
			}
		}},
		{"portless", flag(&lb.Portless)},
	}.decode(t, at, p, "")
	return &lb
}

// badLoopbackHost says why h is not a loopback host as a redirect URI
// writes it, or "".
func badLoopbackHost(h string) string {
	switch h {
	case "localhost", "[::1]":
		return ""
	case "::1":
		return `"::1" must be written "[::1]", as in a URI`
	}
	if a, err := netip.ParseAddr(h); err == nil && a.Is4() && a.IsLoopback() {
		return ""
	}
	return fmt.Sprintf("%q is not a loopback host; use \"127.0.0.1\", \"localhost\" or \"[::1]\"", h)
}

// badLoopbackPath says why path cannot be a loopback callback path, or "".
func badLoopbackPath(path string) string {
	switch {
	case !strings.HasPrefix(path, "/"):
		return fmt.Sprintf("%q must start with \"/\", e.g. %q", path, DefaultLoopbackPath)
	case strings.IndexFunc(path, unicode.IsSpace) >= 0:
		return fmt.Sprintf("%q must not contain whitespace", path)
	case strings.ContainsAny(path, "#*"):
		return fmt.Sprintf("%q must not contain \"#\" or \"*\": a redirect URI has no fragment, and servers compare it as a string", path)
	}
	return ""
}

// ports converts an array of port numbers, reporting a wrong type or a
// number outside 1-65535.
func ports(p *problems, kp toml.Key, v any) []int {
	return array(p, kp, v, "port numbers", func(i int, e any) (int, bool) {
		n, ok := e.(int64)
		switch {
		case !ok:
			p.add(kp, "must be an array of port numbers; element %d is %s", i, typeName(e))
			return 0, false
		case n < 1 || n > 65535:
			p.add(kp, "port %d is not in 1-65535 (element %d); for a port-less URI set portless = true", n, i)
			return 0, false
		}
		return int(n), true
	})
}

// URIs renders the loopback redirect URIs in a fixed order: for each host
// in order, each port in order, then the port-less form when Portless is
// set. Duplicates are left out. A nil Loopback renders none.
func (lb *Loopback) URIs() []string {
	if lb == nil {
		return nil
	}
	hosts := lb.Hosts
	if len(hosts) == 0 {
		hosts = []string{DefaultLoopbackHost}
	}
	path := lb.Path
	if path == "" {
		path = DefaultLoopbackPath
	}
	var out []string
	add := func(u string) {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, h := range hosts {
		for _, port := range lb.Ports {
			add(fmt.Sprintf("http://%s:%d%s", h, port, path))
		}
		if lb.Portless {
			add("http://" + h + path)
		}
	}
	return out
}

func (lb *Loopback) clone() *Loopback {
	if lb == nil {
		return nil
	}
	c := *lb
	c.Hosts = slices.Clone(lb.Hosts)
	c.Ports = slices.Clone(lb.Ports)
	return &c
}

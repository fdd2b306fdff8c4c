package config

import (
	"fmt"
	"strings"
	"unicode"
)

// SplitURL splits a client_id URL such as
// "https://app.example.com/oauth/client.json" into the host and path that
// cimd.toml stores. It requires the https scheme and a path other than "/",
// and refuses what host + path cannot express (a query, a fragment, user
// info), so that the computed client_id is byte for byte the URL given.
func SplitURL(raw string) (host, path string, err error) {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		return "", "", fmt.Errorf("url %q: must start with https://", raw)
	}
	if strings.ContainsAny(rest, "?#") {
		return "", "", fmt.Errorf("url %q: must not have a query or fragment", raw)
	}
	if strings.IndexFunc(rest, unicode.IsSpace) >= 0 {
		return "", "", fmt.Errorf("url %q: must not contain whitespace", raw)
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return "", "", fmt.Errorf("url %q: needs a path, e.g. https://%s/oauth/client.json", raw, rest)
	}
	host, path = rest[:i], rest[i:]
	switch {
	case host == "":
		return "", "", fmt.Errorf("url %q: has no host", raw)
	case strings.Contains(host, "@"):
		return "", "", fmt.Errorf("url %q: must not contain user info", raw)
	case path == "/":
		return "", "", fmt.Errorf("url %q: needs a path other than /, e.g. https://%s/oauth/client.json", raw, host)
	}
	return host, path, nil
}

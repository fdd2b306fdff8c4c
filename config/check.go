package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/BurntSushi/toml"
)

// issue is a problem with a value of one merged [Config], at a key relative
// to the config's root; [Load] decides whether it belongs to the top level or
// to the environment that set it.
type issue struct {
	key toml.Key
	msg string
}

// check reports every problem with c's values, and fills c.Client.Jwks
// from c.Client.JwksFile. Empty optional values are fine: defaults come later.
func check(c *Config) []issue {
	var out []issue
	bad := func(msg string, k ...string) { out = append(out, issue{toml.Key(k), msg}) }

	switch h := c.Host; {
	case h == "":
		bad(`is required: the host that serves the document, e.g. "app.example.com"`, "host")
	case strings.Contains(h, "://") || strings.HasPrefix(strings.ToLower(h), "http:") ||
		strings.HasPrefix(strings.ToLower(h), "https:"):
		bad(fmt.Sprintf("%q must be a host name without a scheme: https:// is implied", h), "host")
	case strings.Contains(h, "/"):
		bad(fmt.Sprintf("%q must be a host name only; put the path in path", h), "host")
	case strings.IndexFunc(h, unicode.IsSpace) >= 0:
		bad(fmt.Sprintf("%q must not contain whitespace", h), "host")
	}
	switch p := c.Path; {
	case p == "":
		bad(`is required: the document's path on host, e.g. "/oauth/client.json"`, "path")
	case !strings.HasPrefix(p, "/"):
		bad(fmt.Sprintf("%q must start with \"/\"", p), "path")
	case strings.IndexFunc(p, unicode.IsSpace) >= 0:
		bad(fmt.Sprintf("%q must not contain whitespace", p), "path")
	}

	for _, h := range c.Build.Headers {
		if h != "netlify" {
			bad(fmt.Sprintf("unknown header file kind %q; the only one is \"netlify\" (_headers, also read by Cloudflare Pages)", h), "build", "headers")
		}
	}

	switch c.Publish.Target {
	case "":
	case "s3":
		if c.Publish.S3.Bucket == "" {
			bad(`is required when publish.target is "s3"`, "publish", "s3", "bucket")
		}
	case "dir":
		if c.Publish.Dir.Root == "" {
			bad(`is required when publish.target is "dir"`, "publish", "dir", "root")
		}
	default:
		bad(fmt.Sprintf("must be \"s3\" or \"dir\", not %q", c.Publish.Target), "publish", "target")
	}

	switch c.Validate.Profile {
	case "", "mcp", "cimd":
	default:
		bad(fmt.Sprintf("must be \"mcp\" or \"cimd\", not %q", c.Validate.Profile), "validate", "profile")
	}

	// A missing CA file is a config error with its line, not a failed fetch.
	if f := c.Validate.CACert; f != "" {
		if _, err := os.Stat(c.Abs(f)); err != nil {
			bad(fmt.Sprintf("cannot read %s: %v", f, errors.Unwrap(err)), "validate", "cacert")
		}
	}

	if lb := c.Client.Loopback; lb != nil && len(lb.Ports) == 0 && !lb.Portless {
		bad("renders no redirect URI: list the fixed ports the client binds in ports, or set portless = true", "client", "loopback")
	}

	c.Client.Jwks = nil
	if f := c.Client.JwksFile; f != "" {
		set, err := readJWKS(c.Abs(f))
		if err != nil {
			bad(err.Error(), "client", "jwks_file")
		}
		c.Client.Jwks = set
	}
	return out
}

package config

import (
	"errors"
	"fmt"
	"net/url"
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

	checkHost(c, bad)

	for _, h := range c.Build.Headers {
		switch h {
		case "netlify", "vercel", "firebase":
		default:
			bad(fmt.Sprintf("unknown header file kind %q; want \"netlify\" (_headers, also read by Cloudflare Pages), \"vercel\" (vercel.json) or \"firebase\" (firebase.json)", h), "build", "headers")
		}
	}

	checkPublish(c, bad)

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

	if c.Client.Keys.Set {
		checkKeys(c, bad)
	}

	for i, s := range c.Check.Servers {
		if err := checkServerURL(s); err != nil {
			bad(fmt.Sprintf("element %d: %v", i, err), "check", "servers")
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

// complain reports msg about the key k.
type complain func(msg string, k ...string)

// checkHost checks host and path, which make the document's URL.
func checkHost(c *Config, bad complain) {
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
	if err := CheckPath(c.Path); err != nil {
		bad(err.Error(), "path")
	}
}

// checkPublish checks [publish]'s target and the settings it needs.
func checkPublish(c *Config, bad complain) {
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

	switch c.Publish.Dir.Site {
	case "", "github-pages":
	default:
		bad(fmt.Sprintf("unknown site %q; the only one is \"github-pages\" (writes .nojekyll when the path is under a dot-directory); leave it out for any other host", c.Publish.Dir.Site), "publish", "dir", "site")
	}
}

// checkKeys checks [client.keys] and the [client] fields it sets itself.
func checkKeys(c *Config, bad complain) {
	k := c.Client.Keys
	switch k.Alg {
	case "", "ES256", "RS256", "EdDSA":
	default:
		bad(fmt.Sprintf("must be \"ES256\" (the default), \"RS256\" or \"EdDSA\", not %q", k.Alg), "client", "keys", "alg")
	}
	switch k.Publish {
	case "", "jwks_uri", "inline":
	default:
		bad(fmt.Sprintf("must be \"jwks_uri\" (the default: jwks.json beside the document) or \"inline\", not %q", k.Publish), "client", "keys", "publish")
	}
	if msg := c.KeysDirProblem(); msg != "" {
		bad(msg, "client", "keys", "private_dir")
	}
	if m := c.Client.TokenEndpointAuthMethod; m != "" && m != "private_key_jwt" {
		bad(fmt.Sprintf("is %q, but [client.keys] is for private_key_jwt: set that, or leave it out", m), "client", "token_endpoint_auth_method")
	}
	if c.Client.JwksFile != "" {
		bad("cannot be used with [client.keys], which publishes the keys it keeps; remove one", "client", "jwks_file")
	}
	if c.Client.JwksURI != "" {
		bad("is set by [client.keys] (publish = \"jwks_uri\" serves jwks.json beside the document); remove it", "client", "jwks_uri")
	}
}

// checkServerURL refuses a [check] servers entry that cannot be a server:
// it must be an absolute http(s) URL with a host, without userinfo or
// fragment.
func checkServerURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return fmt.Errorf("%q must be an MCP server URL or an issuer, an absolute https URL such as \"https://mcp.example.com/mcp\"", s)
	case u.User != nil:
		return fmt.Errorf("%q must not carry credentials (user@)", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("%q must not have a fragment (#...)", s)
	}
	return nil
}

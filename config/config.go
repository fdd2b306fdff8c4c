// Package config reads cimd.toml: it decodes the file, refuses unknown keys and
// wrong types with their position, merges [env.NAME] tables over the top level,
// and checks every value before anything is built.
package config

import (
	"path/filepath"
	"time"
)

// Config is the settings of one environment after [env.NAME] has been merged
// over the top level.
type Config struct {
	// Env is the environment name, "" for the top level.
	Env string `toml:"-"`
	// File is the path of the cimd.toml it came from, as given by the user.
	File string `toml:"-"`
	// Dir is the directory of File; relative paths in the file are resolved
	// against it.
	Dir string `toml:"-"`

	Host     string   `toml:"host"`
	Path     string   `toml:"path"`
	Client   Client   `toml:"client"`
	Build    Build    `toml:"build"`
	Publish  Publish  `toml:"publish"`
	Validate Validate `toml:"validate"`

	// ownOut and ownRoot say whether an environment sets [build] out and
	// [publish.dir] root itself rather than inheriting the top level's; they
	// decide the layout (see [Config.OutDir]).
	ownOut, ownRoot bool
}

// ClientID returns the document's URL, which is its client_id.
func (c *Config) ClientID() string { return "https://" + c.Host + c.Path }

// OutDir returns the directory build writes c's files under, so that the
// document is <OutDir>/<path>. The one layout rule, the same for --env NAME
// and --all-envs: the top level writes under its out (flagOut, when given,
// relative to the working directory; else [build] out, relative to the config
// file); a named environment writes under <out>/<NAME> when it inherits the
// top level's out (or flagOut is given), and under its own out when its
// [env.NAME] table sets one. Two environments can still meet in one file (an
// environment's own out equal to another's); callers refuse that.
func (c *Config) OutDir(flagOut string) string {
	switch {
	case flagOut != "":
		if c.Env != "" {
			return filepath.Join(flagOut, c.Env)
		}
		return flagOut
	case c.Env != "" && !c.ownOut:
		return filepath.Join(c.Abs(c.Build.Out), c.Env)
	}
	return c.Abs(c.Build.Out)
}

// DirRoot returns the directory a dir publish writes c's document under, so
// that it is <DirRoot>/<path>, by the rule of [Config.OutDir]: [publish.dir]
// root for the top level and for an environment that sets its own, and
// <root>/<NAME> for an environment that inherits the top level's. It is ""
// when no root is set.
func (c *Config) DirRoot() string {
	root := c.Abs(c.Publish.Dir.Root)
	if root != "" && c.Env != "" && !c.ownRoot {
		root = filepath.Join(root, c.Env)
	}
	return root
}

// Client is the [client] table: RFC 7591 client metadata, without client_id.
// Absent string fields are "", absent lists are nil.
type Client struct {
	ClientName              string   `toml:"client_name"`
	RedirectURIs            []string `toml:"redirect_uris"`
	ClientURI               string   `toml:"client_uri"`
	LogoURI                 string   `toml:"logo_uri"`
	TosURI                  string   `toml:"tos_uri"`
	PolicyURI               string   `toml:"policy_uri"`
	JwksURI                 string   `toml:"jwks_uri"`
	Scope                   string   `toml:"scope"`
	TokenEndpointAuthMethod string   `toml:"token_endpoint_auth_method"` // default "none"
	GrantTypes              []string `toml:"grant_types"`                // default ["authorization_code"]
	ResponseTypes           []string `toml:"response_types"`             // default ["code"]
	ApplicationType         string   `toml:"application_type"`
	// TokenEndpointAuthMethodsSupported lists the methods the client can
	// use (RULES.md doc-auth-methods); written only when set.
	TokenEndpointAuthMethodsSupported []string       `toml:"token_endpoint_auth_methods_supported"`
	Contacts                          []string       `toml:"contacts"`
	SoftwareID                        string         `toml:"software_id"`
	SoftwareVersion                   string         `toml:"software_version"`
	JwksFile                          string         `toml:"jwks_file"`
	Extra                             map[string]any `toml:"extra"`
	Keys                              Keys           `toml:"keys"`

	// Jwks is the JWK Set read from JwksFile (public keys only), or nil.
	Jwks map[string]any `toml:"-"`
	// TokenEndpointAuthSigningAlg is set by build from [client.keys].
	TokenEndpointAuthSigningAlg string `toml:"-"`
}

// Keys is the [client.keys] table: the key pairs of a client that
// authenticates with private_key_jwt (see package keys).
type Keys struct {
	// Set says the table is written, in the top level or the environment:
	// only then does build publish a JWK Set.
	Set        bool   `toml:"-"`
	PrivateDir string `toml:"private_dir"` // default ".cimd/keys", relative to Dir
	Alg        string `toml:"alg"`         // "ES256" (default), "RS256" or "EdDSA"
	Publish    string `toml:"publish"`     // "jwks_uri" (default: jwks.json beside the document) or "inline"
}

// Build is the [build] table.
type Build struct {
	Out     string   `toml:"out"`     // default "public", relative to Dir
	Headers []string `toml:"headers"` // "netlify"
}

// Publish is the [publish] table.
type Publish struct {
	Target       string   `toml:"target"`        // "s3" or "dir"
	CacheControl string   `toml:"cache_control"` // default "public, max-age=3600"
	Timeout      Duration `toml:"timeout"`       // bounds each S3 and CloudFront call; default 10s
	S3           S3       `toml:"s3"`
	Dir          Dir      `toml:"dir"`
}

// S3 is the [publish.s3] table.
type S3 struct {
	Bucket                   string `toml:"bucket"`
	Prefix                   string `toml:"prefix"`
	Region                   string `toml:"region"`
	Endpoint                 string `toml:"endpoint"`
	PathStyle                *bool  `toml:"path_style"` // nil: true when an endpoint is set
	Profile                  string `toml:"profile"`
	CloudFrontDistributionID string `toml:"cloudfront_distribution_id"`
	ACL                      string `toml:"acl"` // none unless set
}

// Dir is the [publish.dir] table.
type Dir struct {
	Root string `toml:"root"` // relative to Config.Dir
}

// Validate is the [validate] table.
type Validate struct {
	Profile      string   `toml:"profile"` // "mcp" (default) or "cimd"
	Timeout      Duration `toml:"timeout"` // default 10s
	Wait         Duration `toml:"wait"`    // publish's verify only (2m when unset); validate waits only with --wait
	AllowPrivate bool     `toml:"allow_private"`
	CACert       string   `toml:"cacert"` // relative to Config.Dir
}

// Duration is a time.Duration written as a Go duration string ("10s", "2m").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

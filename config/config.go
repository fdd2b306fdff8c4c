// Package config reads cimd.toml: it decodes the file, refuses unknown keys and
// wrong types with their position, merges [env.NAME] tables over the top level,
// and checks every value before anything is built. The defaults of every
// key are here too (defaults.go), in one place.
package config

import (
	"path/filepath"
	"time"
)

// Config is the settings of one environment after [env.NAME] has been merged
// over the top level.
type Config struct {
	// Env is the environment name, "" for the top level.
	Env string
	// File is the path of the cimd.toml it came from, as given by the user.
	File string
	// Dir is the directory of File; relative paths in the file are resolved
	// against it.
	Dir string

	Host     string
	Path     string
	Client   Client
	Build    Build
	Publish  Publish
	Validate Validate
	Check    Check

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

// Name is how the environment is named in messages: "top level", or "env
// NAME".
func (c *Config) Name() string {
	if c.Env == "" {
		return "top level"
	}
	return "env " + c.Env
}

// Client is the [client] table: RFC 7591 client metadata, without client_id.
// Absent string fields are "", absent lists are nil.
type Client struct {
	ClientName              string
	RedirectURIs            []string
	ClientURI               string
	LogoURI                 string
	TosURI                  string
	PolicyURI               string
	JwksURI                 string
	Scope                   string
	TokenEndpointAuthMethod string   // default "none"
	GrantTypes              []string // default ["authorization_code"]
	ResponseTypes           []string // default ["code"]
	ApplicationType         string
	// TokenEndpointAuthMethodsSupported lists the methods the client can
	// use (RULES.md doc-auth-methods); written only when set.
	TokenEndpointAuthMethodsSupported []string
	Contacts                          []string
	SoftwareID                        string
	SoftwareVersion                   string
	JwksFile                          string
	Extra                             map[string]any
	Keys                              Keys
	Loopback                          *Loopback // nil without [client.loopback]

	// Jwks is the JWK Set read from JwksFile (public keys only), or nil.
	Jwks map[string]any
	// TokenEndpointAuthSigningAlg is set by build from [client.keys].
	TokenEndpointAuthSigningAlg string
}

// Keys is the [client.keys] table: the key pairs of a client that
// authenticates with private_key_jwt (see package keys).
type Keys struct {
	// Set says the table is written, in the top level or the environment:
	// only then does build publish a JWK Set.
	Set        bool
	PrivateDir string // default ".cimd/keys", relative to Dir
	Alg        string // "ES256" (default), "RS256" or "EdDSA"
	Publish    string // "jwks_uri" (default: jwks.json beside the document) or "inline"
}

// Build is the [build] table.
type Build struct {
	Out     string   // default "public", relative to Dir
	Headers []string // "netlify"
}

// Publish is the [publish] table.
type Publish struct {
	Target       string   // "s3" or "dir"
	CacheControl string   // default "public, max-age=3600"
	Timeout      Duration // bounds each S3 and CloudFront call; default 10s
	S3           S3
	Dir          Dir
}

// S3 is the [publish.s3] table.
type S3 struct {
	Bucket                   string
	Prefix                   string
	Region                   string
	Endpoint                 string
	PathStyle                *bool // nil: true when an endpoint is set
	Profile                  string
	CloudFrontDistributionID string
	ACL                      string // none unless set
}

// Dir is the [publish.dir] table.
type Dir struct {
	Root string // relative to Config.Dir
}

// Validate is the [validate] table.
type Validate struct {
	Profile      string   // "mcp" (default) or "cimd"
	Timeout      Duration // default 10s
	Wait         Duration // publish's verify only (2m when unset); validate waits only with --wait
	AllowPrivate bool
	CACert       string // relative to Config.Dir
	// Servers are the SERVERS.md profiles the client must work with; the
	// names are checked by the command, which knows the profiles.
	Servers []string
}

// Check is the [check] table: what 'cimd check-server' checks in config
// mode.
type Check struct {
	// Servers are the MCP server URLs or authorization server issuers the
	// client must work with, each an absolute http(s) URL.
	Servers []string
}

// Duration is a time.Duration written in cimd.toml as a Go duration string
// ("10s", "2m"); the decoder parses it.
type Duration struct{ time.Duration }

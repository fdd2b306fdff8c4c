// Package config reads cimd.toml: it decodes the file, refuses unknown keys and
// wrong types with their position, merges [env.NAME] tables over the top level,
// and checks every value before anything is built.
package config

import "time"

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
}

// ClientID returns the document's URL, which is its client_id.
func (c *Config) ClientID() string { return "https://" + c.Host + c.Path }

// Client is the [client] table: RFC 7591 client metadata, without client_id.
// Absent string fields are "", absent lists are nil.
type Client struct {
	ClientName              string         `toml:"client_name"`
	RedirectURIs            []string       `toml:"redirect_uris"`
	ClientURI               string         `toml:"client_uri"`
	LogoURI                 string         `toml:"logo_uri"`
	TosURI                  string         `toml:"tos_uri"`
	PolicyURI               string         `toml:"policy_uri"`
	JwksURI                 string         `toml:"jwks_uri"`
	Scope                   string         `toml:"scope"`
	TokenEndpointAuthMethod string         `toml:"token_endpoint_auth_method"` // default "none"
	GrantTypes              []string       `toml:"grant_types"`                // default ["authorization_code"]
	ResponseTypes           []string       `toml:"response_types"`             // default ["code"]
	ApplicationType         string         `toml:"application_type"`
	Contacts                []string       `toml:"contacts"`
	SoftwareID              string         `toml:"software_id"`
	SoftwareVersion         string         `toml:"software_version"`
	JwksFile                string         `toml:"jwks_file"`
	Extra                   map[string]any `toml:"extra"`
	Loopback                *Loopback      `toml:"loopback"` // nil without [client.loopback]

	// Jwks is the JWK Set read from JwksFile (public keys only), or nil.
	Jwks map[string]any `toml:"-"`
}

// Build is the [build] table.
type Build struct {
	Out     string   `toml:"out"`     // default "public", relative to Dir
	Headers []string `toml:"headers"` // "netlify"
}

// Publish is the [publish] table.
type Publish struct {
	Target       string `toml:"target"`        // "s3" or "dir"
	CacheControl string `toml:"cache_control"` // default "public, max-age=3600"
	S3           S3     `toml:"s3"`
	Dir          Dir    `toml:"dir"`
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
	Wait         Duration `toml:"wait"`    // default 0 for validate; publish verify uses 2m when unset
	AllowPrivate bool     `toml:"allow_private"`
	CACert       string   `toml:"cacert"` // relative to Config.Dir
	// Servers are the SERVERS.md profiles the client must work with; the
	// names are checked by the command, which knows the profiles.
	Servers []string `toml:"servers"`
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

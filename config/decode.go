package config

import (
	"maps"
	"slices"
	"time"

	"github.com/BurntSushi/toml"
)

// The decoder maps a parsed TOML table onto [Config] by hand rather than with
// toml.Decode into the struct: toml.Decode stops at the first wrong type,
// while a user fixing a config wants every problem in one run. The same walk
// finds unknown keys, which is what md.Undecoded would report.

// registered reports whether name is a document member that [Client] writes
// itself (or that must never be written); [client.extra] must not repeat it,
// or the document would carry a member twice.
func registered(name string) bool {
	switch name {
	case "client_id", "client_name", "redirect_uris", "client_uri", "logo_uri", "tos_uri",
		"policy_uri", "contacts", "scope", "grant_types", "response_types",
		"token_endpoint_auth_method", "application_type", "jwks_uri", "jwks",
		"software_id", "software_version", "client_secret", "client_secret_expires_at":
		return true
	}
	return false
}

// key returns at extended by name, without aliasing at's array.
func key(at toml.Key, name ...string) toml.Key {
	return append(slices.Clip(at), name...)
}

// decodeConfig maps table t, found at path at in the file, onto a Config.
// The env table is left to the caller.
func decodeConfig(t map[string]any, at toml.Key, p *problems) Config {
	var c Config
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kp := t[k], key(at, k)
		switch k {
		case "host":
			c.Host = str(p, kp, v)
		case "path":
			c.Path = str(p, kp, v)
		case "client":
			c.Client = decodeClient(table(p, kp, v), kp, p)
		case "build":
			c.Build = decodeBuild(table(p, kp, v), kp, p)
		case "publish":
			c.Publish = decodePublish(table(p, kp, v), kp, p)
		case "validate":
			c.Validate = decodeValidate(table(p, kp, v), kp, p)
		case "env":
			if len(at) > 0 {
				p.add(kp, "environments cannot be nested")
			}
		default:
			unknown(p, kp, "host", "path", "client", "build", "publish", "validate", "env")
		}
	}
	return c
}

func decodeClient(t map[string]any, at toml.Key, p *problems) Client {
	var c Client
	texts := map[string]*string{
		"client_name": &c.ClientName, "client_uri": &c.ClientURI, "logo_uri": &c.LogoURI,
		"tos_uri": &c.TosURI, "policy_uri": &c.PolicyURI, "jwks_uri": &c.JwksURI,
		"scope": &c.Scope, "token_endpoint_auth_method": &c.TokenEndpointAuthMethod,
		"application_type": &c.ApplicationType, "software_id": &c.SoftwareID,
		"software_version": &c.SoftwareVersion, "jwks_file": &c.JwksFile,
	}
	lists := map[string]*[]string{
		"redirect_uris": &c.RedirectURIs, "grant_types": &c.GrantTypes,
		"response_types": &c.ResponseTypes, "contacts": &c.Contacts,
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kp := t[k], key(at, k)
		if s, ok := texts[k]; ok {
			*s = str(p, kp, v)
			continue
		}
		if l, ok := lists[k]; ok {
			*l = strs(p, kp, v)
			continue
		}
		switch k {
		case "extra":
			c.Extra = table(p, kp, v)
			for _, name := range slices.Sorted(maps.Keys(c.Extra)) {
				if registered(name) {
					misplaced(p, key(kp, name), name)
				}
			}
		case "loopback":
			c.Loopback = decodeLoopback(table(p, kp, v), kp, p)
		case "client_id", "client_secret", "client_secret_expires_at", "jwks":
			misplaced(p, kp, k)
		default:
			known := append(slices.Collect(maps.Keys(texts)), slices.Collect(maps.Keys(lists))...)
			hint := suggest(k, append(known, "extra", "loopback"))
			if hint == "" {
				hint = " (other metadata goes in [client.extra])"
			}
			p.add(kp, "unknown key%s", hint)
		}
	}
	return c
}

// misplaced reports a registered member that cannot be set where it is.
func misplaced(p *problems, kp toml.Key, name string) {
	switch name {
	case "client_id":
		p.add(kp, "client_id is computed from host + path; remove it")
	case "client_secret", "client_secret_expires_at":
		p.add(kp, "a CIMD must not contain a secret; remove it")
	case "jwks":
		p.add(kp, "set jwks_file in [client] to a JWK Set file instead")
	default:
		p.add(kp, "%s is a registered field; set it in [client], not [client.extra]", name)
	}
}

func decodeBuild(t map[string]any, at toml.Key, p *problems) Build {
	var b Build
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kp := t[k], key(at, k)
		switch k {
		case "out":
			b.Out = str(p, kp, v)
		case "headers":
			b.Headers = strs(p, kp, v)
		default:
			unknown(p, kp, "out", "headers")
		}
	}
	return b
}

func decodePublish(t map[string]any, at toml.Key, p *problems) Publish {
	var pub Publish
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kp := t[k], key(at, k)
		switch k {
		case "target":
			pub.Target = str(p, kp, v)
		case "cache_control":
			pub.CacheControl = str(p, kp, v)
		case "s3":
			pub.S3 = decodeS3(table(p, kp, v), kp, p)
		case "dir":
			dir := table(p, kp, v)
			for _, dk := range slices.Sorted(maps.Keys(dir)) {
				if dk != "root" {
					unknown(p, key(kp, dk), "root")
				}
			}
			pub.Dir.Root = str(p, key(kp, "root"), dir["root"])
		default:
			unknown(p, kp, "target", "cache_control", "s3", "dir")
		}
	}
	return pub
}

func decodeS3(t map[string]any, at toml.Key, p *problems) S3 {
	var s S3
	fields := map[string]*string{
		"bucket": &s.Bucket, "prefix": &s.Prefix, "region": &s.Region,
		"endpoint": &s.Endpoint, "profile": &s.Profile,
		"cloudfront_distribution_id": &s.CloudFrontDistributionID, "acl": &s.ACL,
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kp := t[k], key(at, k)
		if f, ok := fields[k]; ok {
			*f = str(p, kp, v)
			continue
		}
		if k == "path_style" {
			b := boolean(p, kp, v)
			s.PathStyle = &b
			continue
		}
		unknown(p, kp, append(slices.Collect(maps.Keys(fields)), "path_style")...)
	}
	return s
}

func decodeValidate(t map[string]any, at toml.Key, p *problems) Validate {
	var val Validate
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kp := t[k], key(at, k)
		switch k {
		case "profile":
			val.Profile = str(p, kp, v)
		case "timeout":
			val.Timeout = duration(p, kp, v)
		case "wait":
			val.Wait = duration(p, kp, v)
		case "allow_private":
			val.AllowPrivate = boolean(p, kp, v)
		case "cacert":
			val.CACert = str(p, kp, v)
		case "servers":
			val.Servers = strs(p, kp, v)
		default:
			unknown(p, kp, "profile", "timeout", "wait", "allow_private", "cacert", "servers")
		}
	}
	return val
}

// unknown reports the unknown key kp, suggesting the known key it is
// probably a typo of.
func unknown(p *problems, kp toml.Key, known ...string) {
	p.add(kp, "unknown key%s", suggest(kp[len(kp)-1], known))
}

// suggest returns "; did you mean K?" for the known key K closest to name,
// when one is close enough to be a typo, or "".
func suggest(name string, known []string) string {
	best := ""
	for _, k := range slices.Sorted(slices.Values(known)) {
		if d := distance(name, k); d <= max(1, len(k)/4) && (best == "" || d < distance(name, best)) {
			best = k
		}
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + best + "?"
}

// distance is the Levenshtein distance between a and b, in bytes: key
// names are ASCII.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// str, strs, boolean, duration and table convert one value, reporting a
// wrong type and returning the zero value for it. A nil v (key absent) is
// the zero value without a problem.

func str(p *problems, kp toml.Key, v any) string {
	s, ok := v.(string)
	if !ok && v != nil {
		p.add(kp, "must be a string, not %s", typeName(v))
	}
	return s
}

func strs(p *problems, kp toml.Key, v any) []string {
	a, ok := v.([]any)
	if !ok {
		if v != nil {
			p.add(kp, "must be an array of strings, not %s", typeName(v))
		}
		return nil
	}
	out := make([]string, 0, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			p.add(kp, "must be an array of strings; element %d is %s", i, typeName(e))
			return nil
		}
		out = append(out, s)
	}
	return out
}

func boolean(p *problems, kp toml.Key, v any) bool {
	b, ok := v.(bool)
	if !ok && v != nil {
		p.add(kp, "must be true or false, not %s", typeName(v))
	}
	return b
}

func duration(p *problems, kp toml.Key, v any) Duration {
	s, ok := v.(string)
	if !ok {
		if v != nil {
			p.add(kp, "must be a duration string like \"10s\", not %s", typeName(v))
		}
		return Duration{}
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		p.add(kp, "invalid duration %q: use a Go duration like \"10s\" or \"2m\"", s)
	case d < 0:
		p.add(kp, "duration %q must not be negative", s)
	}
	return Duration{d}
}

func table(p *problems, kp toml.Key, v any) map[string]any {
	t, ok := v.(map[string]any)
	if !ok && v != nil {
		p.add(kp, "must be a table, not %s", typeName(v))
	}
	return t
}

// typeName names a decoded TOML value's type the way the TOML spec does.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a datetime"
	case []any:
		return "an array"
	case []map[string]any:
		return "an array of tables"
	case map[string]any:
		return "a table"
	}
	return "an unsupported value"
}

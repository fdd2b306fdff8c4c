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
		"software_id", "software_version", "client_secret", "client_secret_expires_at",
		"token_endpoint_auth_methods_supported":
		return true
	}
	return false
}

// key returns at extended by name, without aliasing at's array.
func key(at toml.Key, name ...string) toml.Key {
	return append(slices.Clip(at), name...)
}

// A fields is one TOML table's keys, each with what decoding its value does.
// The one table drives both the decoding and the list of known keys that
// an unknown key's typo hint is chosen from. It is a list, not a map: it is
// built for every table decoded, ten thousand times for as many environments,
// and a dozen entries are found faster by looking than by hashing.
type fields []field

type field struct {
	name   string
	decode func(p *problems, kp toml.Key, v any)
}

// decode applies fs to every key of t (found at path at), in sorted order,
// and reports each key fs does not have. hidden keys are decoded but never
// suggested; otherwise is the hint when no known key is close.
func (fs fields) decode(t map[string]any, at toml.Key, p *problems, otherwise string, hidden ...string) {
	var buf [16]string
	names := buf[:0]
	for k := range t {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v, kp := t[k], key(at, k)
		if i := slices.IndexFunc(fs, func(f field) bool { return f.name == k }); i >= 0 {
			fs[i].decode(p, kp, v)
			continue
		}
		var known []string
		for _, f := range fs {
			if !slices.Contains(hidden, f.name) {
				known = append(known, f.name)
			}
		}
		hint := suggest(k, known)
		if hint == "" {
			hint = otherwise
		}
		p.add(kp, "unknown key%s", hint)
	}
}

// text, list, flag and dur are the fields entries of the plain value types.
func text(s *string) func(*problems, toml.Key, any) {
	return func(p *problems, kp toml.Key, v any) { *s = str(p, kp, v) }
}

func list(l *[]string) func(*problems, toml.Key, any) {
	return func(p *problems, kp toml.Key, v any) { *l = strs(p, kp, v) }
}

func flag(b *bool) func(*problems, toml.Key, any) {
	return func(p *problems, kp toml.Key, v any) { *b = boolean(p, kp, v) }
}

func dur(d *Duration) func(*problems, toml.Key, any) {
	return func(p *problems, kp toml.Key, v any) { *d = duration(p, kp, v) }
}

// sub is the fields entry of a nested table, decoded by dec.
func sub[T any](dst *T, dec func(map[string]any, toml.Key, *problems) T) func(*problems, toml.Key, any) {
	return func(p *problems, kp toml.Key, v any) { *dst = dec(table(p, kp, v), kp, p) }
}

// decodeConfig maps table t, found at path at in the file, onto a Config.
// The env table is left to the caller.
func decodeConfig(t map[string]any, at toml.Key, p *problems) Config {
	var c Config
	fields{
		{"host", text(&c.Host)},
		{"path", text(&c.Path)},
		{"client", sub(&c.Client, decodeClient)},
		{"build", sub(&c.Build, decodeBuild)},
		{"publish", sub(&c.Publish, decodePublish)},
		{"validate", sub(&c.Validate, decodeValidate)},
		{"check", sub(&c.Check, decodeCheck)},
		{"env", func(p *problems, kp toml.Key, _ any) {
			if len(at) > 0 {
				p.add(kp, "environments cannot be nested")
			}
		}},
		// [[suppress]] is read by Load, at the top level only.
		{"suppress", func(p *problems, kp toml.Key, _ any) {
			if len(at) > 0 {
				p.add(kp, "[[suppress]] goes at the top level, where it applies to every environment")
			}
		}},
	}.decode(t, at, p, "")
	return c
}

func decodeClient(t map[string]any, at toml.Key, p *problems) Client {
	var c Client
	misplace := func(p *problems, kp toml.Key, _ any) { misplaced(p, kp, kp[len(kp)-1]) }
	fields{
		{"client_name", text(&c.ClientName)}, {"client_uri", text(&c.ClientURI)}, {"logo_uri", text(&c.LogoURI)},
		{"tos_uri", text(&c.TosURI)}, {"policy_uri", text(&c.PolicyURI)}, {"jwks_uri", text(&c.JwksURI)},
		{"scope", text(&c.Scope)}, {"token_endpoint_auth_method", text(&c.TokenEndpointAuthMethod)},
		{"application_type", text(&c.ApplicationType)}, {"software_id", text(&c.SoftwareID)},
		{"software_version", text(&c.SoftwareVersion)}, {"jwks_file", text(&c.JwksFile)},
		{"redirect_uris", list(&c.RedirectURIs)}, {"grant_types", list(&c.GrantTypes)},
		{"response_types", list(&c.ResponseTypes)}, {"contacts", list(&c.Contacts)},
		{"token_endpoint_auth_methods_supported", list(&c.TokenEndpointAuthMethodsSupported)},
		{"extra", func(p *problems, kp toml.Key, v any) {
			c.Extra = table(p, kp, v)
			for _, name := range slices.Sorted(maps.Keys(c.Extra)) {
				if registered(name) {
					misplaced(p, key(kp, name), name)
				}
			}
		}},
		{"keys", func(p *problems, kp toml.Key, v any) { c.Keys = decodeKeys(table(p, kp, v), kp, p) }},
		{"loopback", func(p *problems, kp toml.Key, v any) { c.Loopback = decodeLoopback(table(p, kp, v), kp, p) }},
		{"client_id", misplace}, {"client_secret", misplace}, {"client_secret_expires_at", misplace}, {"jwks", misplace},
	}.decode(t, at, p, " (other metadata goes in [client.extra])",
		"client_id", "client_secret", "client_secret_expires_at", "jwks")
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

func decodeKeys(t map[string]any, at toml.Key, p *problems) Keys {
	k := Keys{Set: t != nil}
	fields{{"private_dir", text(&k.PrivateDir)}, {"alg", text(&k.Alg)}, {"publish", text(&k.Publish)}}.decode(t, at, p, "")
	return k
}

func decodeBuild(t map[string]any, at toml.Key, p *problems) Build {
	var b Build
	fields{{"out", text(&b.Out)}, {"headers", list(&b.Headers)}}.decode(t, at, p, "")
	return b
}

func decodePublish(t map[string]any, at toml.Key, p *problems) Publish {
	var pub Publish
	fields{
		{"target", text(&pub.Target)},
		{"cache_control", text(&pub.CacheControl)},
		{"timeout", dur(&pub.Timeout)},
		{"s3", sub(&pub.S3, decodeS3)},
		{"dir", sub(&pub.Dir, decodeDir)},
	}.decode(t, at, p, "")
	return pub
}

func decodeS3(t map[string]any, at toml.Key, p *problems) S3 {
	var s S3
	fields{
		{"bucket", text(&s.Bucket)}, {"prefix", text(&s.Prefix)}, {"region", text(&s.Region)},
		{"endpoint", text(&s.Endpoint)}, {"profile", text(&s.Profile)},
		{"cloudfront_distribution_id", text(&s.CloudFrontDistributionID)}, {"acl", text(&s.ACL)},
		{"path_style", func(p *problems, kp toml.Key, v any) {
			b := boolean(p, kp, v)
			s.PathStyle = &b
		}},
	}.decode(t, at, p, "")
	return s
}

func decodeDir(t map[string]any, at toml.Key, p *problems) Dir {
	var d Dir
	fields{{"root", text(&d.Root)}, {"site", text(&d.Site)}}.decode(t, at, p, "")
	return d
}

func decodeValidate(t map[string]any, at toml.Key, p *problems) Validate {
	var val Validate
	fields{
		{"profile", text(&val.Profile)},
		{"timeout", dur(&val.Timeout)},
		{"wait", dur(&val.Wait)},
		{"allow_private", flag(&val.AllowPrivate)},
		{"cacert", text(&val.CACert)},
		{"servers", list(&val.Servers)},
	}.decode(t, at, p, "")
	return val
}

func decodeCheck(t map[string]any, at toml.Key, p *problems) Check {
	var c Check
	fields{{"servers", list(&c.Servers)}}.decode(t, at, p, "")
	return c
}

// suggest returns "; did you mean K?" for the known key K closest to name,
// when one is close enough to be a typo, or "".
func suggest(name string, known []string) string {
	best, bestD := "", 0
	for _, k := range slices.Sorted(slices.Values(known)) {
		if d := EditDistance(name, k); d <= max(1, len(k)/4) && (best == "" || d < bestD) {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return "; did you mean " + best + "?"
}

// EditDistance is the Levenshtein distance between a and b, in bytes: key
// names and command names are ASCII. It picks the typo hints of unknown
// keys, and main's "did you mean" for commands.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
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
	return array(p, kp, v, "strings", func(i int, e any) (string, bool) {
		s, ok := e.(string)
		if !ok {
			p.add(kp, "must be an array of strings; element %d is %s", i, typeName(e))
		}
		return s, ok
	})
}

// array converts a TOML array of what, one element at a time by elem,
// which reports the element it refuses; nil when v is no array or an
// element is refused.
func array[T any](p *problems, kp toml.Key, v any, what string, elem func(i int, e any) (T, bool)) []T {
	a, ok := v.([]any)
	if !ok {
		if v != nil {
			p.add(kp, "must be an array of %s, not %s", what, typeName(v))
		}
		return nil
	}
	out := make([]T, 0, len(a))
	for i, e := range a {
		x, ok := elem(i, e)
		if !ok {
			return nil
		}
		out = append(out, x)
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

package build

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/cimd-dev/cimd/config"
)

// Document renders c's client metadata as the document's bytes: client_id
// first, then client_name and redirect_uris, the other registered fields in
// a fixed order, and the [client.extra] members last with their names
// sorted. Absent fields are left out, except token_endpoint_auth_method,
// which is always written (default "none"): RFC 7591 reads an absent one as
// client_secret_basic, which a CIMD must not use. grant_types and
// response_types default to ["authorization_code"] and ["code"].
//
// redirect_uris is the listed entries followed by those [client.loopback]
// renders ([RedirectURIs]); a document those push over [Budget] is an error.
//
// The same config always gives the same bytes, so a rebuild that changes
// nothing uploads nothing and live-drift compares like with like.
func Document(c *config.Config) ([]byte, error) {
	cl := c.Client
	if ks, err := Keys(c); err != nil {
		return nil, err
	} else if ks != nil {
		if err := ks.apply(&cl); err != nil {
			return nil, err
		}
	}
	// The defaults are written out rather than left implied: servers differ
	// on what they assume for an absent field.
	if cl.GrantTypes == nil {
		cl.GrantTypes = []string{"authorization_code"}
	}
	if cl.ResponseTypes == nil {
		cl.ResponseTypes = []string{"code"}
	}
	if cl.TokenEndpointAuthMethod == "" {
		cl.TokenEndpointAuthMethod = "none"
	}
	var ms []Member
	for _, m := range []Member{
		{"client_id", c.ClientID()},
		{"client_name", cl.ClientName},
		{"redirect_uris", RedirectURIs(cl)},
		{"client_uri", cl.ClientURI},
		{"logo_uri", cl.LogoURI},
		{"tos_uri", cl.TosURI},
		{"policy_uri", cl.PolicyURI},
		{"contacts", cl.Contacts},
		{"scope", cl.Scope},
		{"grant_types", cl.GrantTypes},
		{"response_types", cl.ResponseTypes},
		{"token_endpoint_auth_method", cl.TokenEndpointAuthMethod},
		{"token_endpoint_auth_signing_alg", cl.TokenEndpointAuthSigningAlg},
		{"token_endpoint_auth_methods_supported", cl.TokenEndpointAuthMethodsSupported},
		{"application_type", cl.ApplicationType},
		{"jwks_uri", cl.JwksURI},
		{"jwks", cl.Jwks},
		{"software_id", cl.SoftwareID},
		{"software_version", cl.SoftwareVersion},
	} {
		if present(m.Value) {
			ms = append(ms, m)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cl.Extra)) {
		ms = append(ms, Member{name, fromTOML(cl.Extra[name])})
	}
	b, err := Marshal(ms)
	if err != nil {
		return nil, fmt.Errorf("render document: %w", err)
	}
	if err := checkBudget(c, b); err != nil {
		return nil, err
	}
	return b, nil
}

// present reports whether a registered field is set: a non-empty string, a
// non-nil list (an empty one is written as []) or a non-nil JWK Set.
func present(v any) bool {
	switch x := v.(type) {
	case string:
		return x != ""
	case []string:
		return x != nil
	case map[string]any:
		return x != nil
	}
	return true
}

// fromTOML turns a TOML value from [client.extra] into what JSON should
// carry. Only datetimes need it: encoding/json would write a TOML local date
// as a midnight UTC timestamp, where the user wrote "2025-01-31".
func fromTOML(v any) any {
	switch x := v.(type) {
	case time.Time:
		switch x.Location().String() {
		case "date-local":
			return x.Format(time.DateOnly)
		case "time-local":
			return x.Format("15:04:05.999999999")
		case "datetime-local":
			return x.Format("2006-01-02T15:04:05.999999999")
		}
		return x.Format(time.RFC3339Nano)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromTOML(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromTOML(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fromTOML(e)
		}
		return out
	}
	return v
}

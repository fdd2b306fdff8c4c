package validate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// dropKey in a patch deletes the key from the profile base document.
type dropKey struct{}

var drop dropKey

// profileDoc is a document that every server profile accepts at testURL,
// with one https redirect on the client_id's origin and no loopback one.
func profileDoc() map[string]any {
	return map[string]any{
		"client_id":                  testURL,
		"client_name":                "Example App",
		"redirect_uris":              []any{"https://app.example.com/callback"},
		"token_endpoint_auth_method": "none",
		"grant_types":                []any{"authorization_code"},
		"response_types":             []any{"code"},
	}
}

// okHTTP is a response every profile accepts.
func okHTTP() *HTTPInfo {
	return &HTTPInfo{Status: 200, ContentType: "application/json", CacheControl: "public, max-age=86400", Bytes: 1000}
}

// in is one input to a constraint: the URL (testURL when ""), a patch over
// profileDoc, and changes to okHTTP.
type in struct {
	url   string
	patch map[string]any
	http  func(*HTTPInfo)
}

func (c in) String() string {
	b, _ := json.Marshal(c.patch)
	return fmt.Sprintf("url=%q patch=%s", c.url, b)
}

func (c in) subject() *subject {
	doc := profileDoc()
	for k, v := range c.patch {
		if v == drop {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	// Through JSON, so the document holds what Check would decode.
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(b, &decoded); err != nil {
		panic(err)
	}
	h := okHTTP()
	if c.http != nil {
		c.http(h)
	}
	return newSubject(cmpOr(c.url, testURL), decoded, h)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func u(url string) in                   { return in{url: url} }
func p(kv ...any) in                    { return in{patch: patch(kv...)} }
func h(f func(*HTTPInfo)) in            { return in{http: f} }
func redirects(uris ...string) in       { return p("redirect_uris", list(uris...)) }
func bytesN(n int) func(*HTTPInfo)      { return func(x *HTTPInfo) { x.Bytes = n } }
func cacheCtl(v string) func(*HTTPInfo) { return func(x *HTTPInfo) { x.CacheControl = v } }
func ctype(v string) func(*HTTPInfo)    { return func(x *HTTPInfo) { x.ContentType = v } }

func list(s ...string) []any {
	a := make([]any, len(s))
	for i, v := range s {
		a[i] = v
	}
	return a
}

func patch(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// rowCase lists inputs on which a row fires and inputs on which it stays
// quiet. The key is the row's name: server/code/kind (source).
type rowCase struct {
	fires, quiet []in
}

const (
	loopPortless = "http://127.0.0.1/callback"
	loopFixed    = "http://127.0.0.1:33418/callback"
)

var ecJWK = map[string]any{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "alg": "ES256"}

func withKey(k map[string]any, kv ...any) map[string]any {
	out := maps.Clone(k)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == drop {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func jwks(keys ...any) map[string]any { return map[string]any{"keys": keys} }

var long121 = "https://app.example.com/" + strings.Repeat("a", 121-len("https://app.example.com/"))
var long120 = long121[:120]

var rowCases = map[string]rowCase{
	// auth0
	"auth0/server-url-query/refuses (a)": {
		fires: []in{u(testURL + "?v=1"), u(testURL + "?")},
		quiet: []in{u(testURL)},
	},
	"auth0/server-url-length/refuses (a)": {
		fires: []in{u(long121)},
		quiet: []in{u(long120)},
	},
	"auth0/server-url-path/refuses (a)": {
		fires: []in{u("https://app.example.com/")},
		quiet: []in{u(testURL), u("https://app.example.com")},
	},
	"auth0/server-url-host/refuses (a)": {
		fires: []in{u("https://localhost/c.json"), u("https://127.0.0.1/c.json"), u("https://[::1]/c.json"), u("https://app.example.com:0/c.json")},
		quiet: []in{u(testURL), u("https://app.example.com:8443/c.json"), u("https://10.0.0.1/c.json")},
	},
	"auth0/server-jwks/refuses (a, pv:auth0-docs-012)": {
		fires: []in{p("jwks", jwks(ecJWK)), p("token_endpoint_auth_method", "private_key_jwt")},
		quiet: []in{p("token_endpoint_auth_method", "private_key_jwt", "jwks_uri", "https://app.example.com/jwks.json")},
	},
	"auth0/server-doc-size/degrades (a)": {
		fires: []in{h(bytesN(5001)), h(bytesN(5120))},
		quiet: []in{h(bytesN(5000)), h(bytesN(5121))},
	},
	"auth0/server-redirect-match/degrades (c)": {
		fires: []in{redirects(loopPortless), redirects(loopPortless, "http://localhost:33418/callback")},
		quiet: []in{redirects(loopPortless, loopFixed), redirects(loopFixed)},
	},
	"auth0/server-redirect-uri/degrades (e)": {
		fires: []in{redirects("http://localhost:*/cb")},
		quiet: []in{redirects("https://app.example.com/*"), redirects(loopFixed)},
	},
	"auth0/server-application-type/degrades (d)": {
		fires: []in{redirects(loopFixed), p("redirect_uris", list(loopFixed), "application_type", "web")},
		quiet: []in{p("redirect_uris", list(loopFixed), "application_type", "native"), p("application_type", "web")},
	},

	// cognito
	"cognito/server-auth-method/refuses (a)": {
		fires: []in{p("token_endpoint_auth_method", "private_key_jwt", "token_endpoint_auth_methods_supported", list("none", "private_key_jwt"))},
		quiet: []in{p("token_endpoint_auth_method", "none"), p("token_endpoint_auth_method", drop)},
	},
	"cognito/server-grant-types/degrades (a)": {
		fires: []in{p("grant_types", list("authorization_code", "client_credentials")), p("grant_types", list("client_credentials"))},
		quiet: []in{p("grant_types", list("authorization_code", "refresh_token")), p("grant_types", drop)},
	},
	"cognito/server-cache/degrades (b)": {
		fires: []in{h(cacheCtl("public, max-age=3600")), h(cacheCtl("")), h(cacheCtl("no-cache")), h(cacheCtl("max-age=31556953"))},
		quiet: []in{h(cacheCtl("max-age=86400")), h(cacheCtl("max-age=31556952"))},
	},
	"cognito/server-url-length/degrades (c)": {
		fires: []in{u("https://a.b/" + strings.Repeat("x", 250)), u("https://a.b")},
		quiet: []in{u(testURL), u(("https://a.b/" + strings.Repeat("x", 256))[:256])},
	},

	// keycloak
	"keycloak/server-url-query/refuses (a, pv:keycloak-021)": {
		fires: []in{u(testURL + "?a=b"), u(testURL + "?")},
		quiet: []in{u(testURL)},
	},
	"keycloak/server-doc-size/refuses (a, pv:keycloak-014)": {
		fires: []in{h(bytesN(5001)), h(bytesN(6000))},
		quiet: []in{h(bytesN(5000))},
	},
	"keycloak/server-grant-types/refuses (pv:keycloak-013)": {
		fires: []in{p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer")),
			p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"), "token_endpoint_auth_method", drop)},
		quiet: []in{p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"), "token_endpoint_auth_method", "private_key_jwt"),
			p("grant_types", list("authorization_code", "refresh_token"))},
	},
	"keycloak/server-field-value/refuses (a, pv:keycloak-006…008)": {
		fires: []in{p("logo_uri", "https://127.0.0.1/logo.png"), p("jwks_uri", "https://10.1.2.3/jwks"), p("tos_uri", "https://localhost/tos"), p("policy_uri", "https://[fe80::1]/p")},
		quiet: []in{p("logo_uri", "https://app.example.com/logo.png", "client_uri", "https://app.example.com")},
	},
	"keycloak/server-redirect-match/degrades (a)": {
		fires: []in{redirects(loopPortless)},
		quiet: []in{redirects(loopPortless, loopFixed), redirects("https://app.example.com/cb")},
	},
	"keycloak/server-forbidden-field/degrades (d, pv:keycloak-011)": {
		fires: []in{p("code_challenge_methods_used", list("S256"))},
		quiet: []in{p("client_uri", "https://app.example.com", "token_endpoint_auth_methods_supported", list("none"))},
	},
	"keycloak/server-same-origin/degrades (a)": {
		fires: []in{redirects("https://other.org/cb")},
		quiet: []in{redirects("https://login.example.com/cb", loopFixed)},
	},

	// cloudflare
	"cloudflare/server-required-field/refuses (a, pv:…-012, -013)": {
		fires: []in{p("client_name", drop), p("client_name", "  "), p("client_name", 5.0)},
		quiet: []in{p("client_name", "X")},
	},
	"cloudflare/server-required-field/refuses (a, pv:…-019, -020)": {
		fires: []in{p("redirect_uris", drop), p("redirect_uris", list())},
		quiet: []in{redirects(loopPortless)},
	},
	"cloudflare/server-auth-method/refuses (a, c, pv:…-010)": {
		fires: []in{p("token_endpoint_auth_method", "private_key_jwt"), p("token_endpoint_auth_method", "private_key_jwt", "token_endpoint_auth_methods_supported", list("private_key_jwt"))},
		quiet: []in{p("token_endpoint_auth_method", "private_key_jwt", "token_endpoint_auth_methods_supported", list("none", "private_key_jwt")), p()},
	},
	"cloudflare/server-field-value/refuses (a, pv:…-016)": {
		fires: []in{p("token_endpoint_auth_methods_supported", list("private_key_jwt")),
			p("token_endpoint_auth_signing_alg", "HS256", "token_endpoint_auth_signing_alg_values_supported", list("RS256"))},
		quiet: []in{p("token_endpoint_auth_methods_supported", list("none", "private_key_jwt"), "token_endpoint_auth_signing_alg", "RS256", "token_endpoint_auth_signing_alg_values_supported", list("RS256")),
			p("token_endpoint_auth_signing_alg", "RS256")},
	},
	"cloudflare/server-grant-types/refuses (a, pv:…-021)": {
		fires: []in{p("response_types", list("token")), p("grant_types", list("urn:ietf:params:oauth:grant-type:device_code"))},
		quiet: []in{p("grant_types", list("authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"))},
	},
	"cloudflare/server-redirect-uri/refuses (a)": {
		fires: []in{redirects("mailto:a@example.com"), redirects("blob:https://app.example.com/x"), redirects("javascript:alert(1)"), redirects("https://app.example.com/\u0001")},
		quiet: []in{redirects(loopFixed, "https://app.example.com/cb", "com.example.app:/cb")},
	},
	"cloudflare/server-redirect-match/degrades (a)": {
		fires: []in{redirects("http://localhost:*/cb")},
		quiet: []in{redirects(loopPortless)},
	},

	// better-auth
	"better-auth/server-auth-method/refuses (b, pv:…-094)": {
		fires: []in{p("token_endpoint_auth_method", "tls_client_auth"), p("token_endpoint_auth_method", "urn:example:method")},
		quiet: []in{p("token_endpoint_auth_method", "private_key_jwt"), p("token_endpoint_auth_method", drop)},
	},
	"better-auth/server-jwks/refuses (pv:…-080…092)": {
		fires: []in{p("jwks", list()), p("jwks", jwks()), p("jwks", jwks(map[string]any{"kty": "oct", "k": "x"})),
			p("jwks", jwks(withKey(ecJWK, "crv", drop))), p("jwks", jwks(withKey(ecJWK, "alg", "RS256"))),
			p("jwks", jwks(withKey(ecJWK, "alg", "ES384"))), p("jwks", jwks(map[string]any{"kty": "OKP", "crv": "Ed448", "x": "abc"})),
			p("jwks", jwks(map[string]any{"kty": "RSA", "n": "abc", "e": "AQAB", "alg": "HS256"})),
			p("jwks_uri", "https://u@app.example.com/jwks"), p("jwks_uri", "https://app.example.com/jwks#k")},
		quiet: []in{p("jwks", jwks(ecJWK)), p("jwks", jwks(map[string]any{"kty": "RSA", "n": "abc", "e": "AQAB", "alg": "RS256"}, map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "abc"})),
			p("jwks_uri", "https://app.example.com/jwks")},
	},
	"better-auth/server-required-field/refuses (pv:…-059, -095, -096)": {
		fires: []in{p("redirect_uris", list()), p("redirect_uris", drop)},
		quiet: []in{p("redirect_uris", drop, "grant_types", list("client_credentials"), "response_types", list()), p()},
	},
	"better-auth/server-redirect-uri/refuses (pv:…-097…104)": {
		fires: []in{redirects("com.example.app://host/cb"), redirects("com.example.app:cb"), redirects("com.example.app:///cb"),
			redirects("com..example:/cb"), redirects("ftp://app.example.com/cb"), redirects("myapp:/cb")},
		quiet: []in{redirects("com.example.app:/cb", loopFixed, "https://app.example.com/cb")},
	},
	"better-auth/server-application-type/refuses (pv:…-141)": {
		fires: []in{p("application_type", "web", "redirect_uris", list(loopFixed))},
		quiet: []in{p("application_type", drop, "redirect_uris", list(loopFixed)), p("application_type", "web")},
	},
	"better-auth/server-grant-types/refuses (pv:…-108)": {
		fires: []in{p("response_types", list("code", "token"))},
		quiet: []in{p("response_types", list("code")), p("response_types", drop)},
	},
	"better-auth/server-field-value/refuses (pv:…-054…057)": {
		fires: []in{p("application_type", "spa"), p("application_type", 1.0), p("contacts", "a@example.com"), p("scope", list("read")), p("dpop_bound_access_tokens", "true")},
		quiet: []in{p("application_type", "native", "contacts", list("a@example.com"), "scope", "read", "dpop_bound_access_tokens", true)},
	},
	"better-auth/server-field-value/refuses (pv:…-112…125)": {
		fires: []in{p("client_uri", "https://u:p@app.example.com"), p("logo_uri", "javascript:alert(1)"), p("tos_uri", "https://169.254.169.254/tos"),
			p("policy_uri", "https://metadata.google.internal/p"), p("client_uri", "http://localhost/")},
		quiet: []in{p("client_uri", "https://app.example.com", "logo_uri", "https://cdn.example.net/logo.png")},
	},
	"better-auth/server-forbidden-field/refuses (pv:…-068…074, -126, -127)": {
		fires: []in{p("skip_consent", true), p("backchannel_logout_uri", "https://app.example.com/bcl"), p("clientSecret", "x")},
		quiet: []in{p("software_id", "x", "frontchannel_logout_uri", "https://app.example.com/fcl")},
	},
	"better-auth/server-required-field/degrades (pv:…-050…052, c)": {
		fires: []in{p("client_name", drop), p("client_name", "")},
		quiet: []in{p("client_name", "Example")},
	},
	"better-auth/server-same-origin/degrades (b, pv:…-111)": {
		fires: []in{redirects("https://other.example.com/cb"), p("client_uri", "https://example.com"), p("post_logout_redirect_uris", list("https://x.example.org/bye"))},
		quiet: []in{p("redirect_uris", list("https://app.example.com/cb", loopFixed, "http://localhost/cb"), "client_uri", "https://app.example.com:443/")},
	},
	"better-auth/server-grant-types/degrades (b)": {
		fires: []in{p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:device_code")), p("grant_types", list("refresh_token"))},
		quiet: []in{p("grant_types", list("authorization_code", "refresh_token")), p("grant_types", drop)},
	},
	"better-auth/server-redirect-match/degrades (d)": {
		fires: []in{redirects("http://localhost/callback")},
		quiet: []in{redirects(loopPortless), redirects("http://localhost/callback", "http://localhost:8080/callback")},
	},

	// oidc-provider
	"oidc-provider/server-field-value/refuses (a, pv:…-046, -047)": {
		fires: []in{p("client_uri", "http://app.example.com"), p("logo_uri", "data:image/png;base64,AA")},
		quiet: []in{p("client_uri", "https://app.example.com", "logo_uri", "HTTPS://app.example.com/l.png")},
	},
	"oidc-provider/server-grant-types/refuses (pv:…-056…060)": {
		fires: []in{p("grant_types", list("urn:ietf:params:oauth:grant-type:device_code")), p("grant_types", list("client_credentials"))},
		quiet: []in{p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:device_code")), p("grant_types", drop)},
	},
	"oidc-provider/server-redirect-match/degrades (c)": {
		fires: []in{redirects(loopPortless), p("redirect_uris", list(loopPortless), "application_type", "web")},
		quiet: []in{p("redirect_uris", list(loopPortless), "application_type", "native"), redirects(loopPortless, loopFixed)},
	},
	"oidc-provider/server-auth-method/info (a)": {
		fires: []in{p()},
		quiet: []in{p("token_endpoint_auth_method", drop)},
	},

	// fastmcp
	"fastmcp/server-url-path/refuses (a, pv:fastmcp-016, -017)": {
		fires: []in{u("https://app.example.com/"), u("https://app.example.com")},
		quiet: []in{u(testURL)},
	},
	"fastmcp/server-url-host/refuses (peers.md §0)": {
		fires: []in{u("https://App.Example.com/oauth/client.json")},
		quiet: []in{u(testURL)},
	},
	"fastmcp/server-auth-method/refuses (a, pv:fastmcp-004…006)": {
		fires: []in{p("token_endpoint_auth_method", "tls_client_auth")},
		quiet: []in{p("token_endpoint_auth_method", "private_key_jwt"), p()},
	},
	"fastmcp/server-required-field/refuses (a, pv:fastmcp-007…011)": {
		fires: []in{p("redirect_uris", drop), p("redirect_uris", list()), redirects(""), redirects("/callback"), redirects("https:///cb"), redirects("http:cb")},
		quiet: []in{redirects("urn:ietf:wg:oauth:2.0:oob", loopFixed, "com.example.app:/cb")},
	},
	"fastmcp/server-redirect-uri/degrades (a)": {
		fires: []in{redirects("com.example.app:/cb")},
		quiet: []in{redirects("com.example.app://cb/x", loopFixed, "urn:ietf:wg:oauth:2.0:oob")},
	},
	"fastmcp/server-redirect-match/degrades (c)": {
		fires: []in{redirects(loopPortless)},
		quiet: []in{redirects(loopFixed)},
	},

	// giantswarm
	"giantswarm/server-url-query/refuses (a, pv:…-010, -011)": {
		fires: []in{u(testURL + "?x=1")},
		quiet: []in{u(testURL), u(testURL + "?")},
	},
	"giantswarm/server-content-type/refuses (a)": {
		fires: []in{h(ctype("application/cimd+json")), h(ctype("")), h(ctype("application/json; charset=latin1"))},
		quiet: []in{h(ctype("application/json")), h(ctype("Application/JSON; charset=UTF-8"))},
	},
	"giantswarm/server-redirect-uri/refuses (a, pv:…-023…026)": {
		fires: []in{redirects("com.example.app:/cb"), redirects("http://localhost:*/cb")},
		quiet: []in{redirects(loopFixed, "https://app.example.com/cb")},
	},
	"giantswarm/server-required-field/refuses (a)": {
		fires: []in{p("redirect_uris", list())},
		quiet: []in{redirects(loopFixed)},
	},

	// toolhive
	"toolhive/server-url-path/refuses (peers.md §2)": {
		fires: []in{u("https://app.example.com/")},
		quiet: []in{u(testURL)},
	},
	"toolhive/server-auth-method/refuses (c)": {
		fires: []in{p("token_endpoint_auth_method", "private_key_jwt")},
		quiet: []in{p("token_endpoint_auth_method", "private_key_jwt", "token_endpoint_auth_methods_supported", list("none", "private_key_jwt"))},
	},
	"toolhive/server-grant-types/refuses (b)": {
		fires: []in{p("grant_types", list("refresh_token")), p("response_types", list("token"))},
		quiet: []in{p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:device_code"))},
	},
	"toolhive/server-grant-types/degrades (b)": {
		fires: []in{p("grant_types", list("authorization_code", "urn:ietf:params:oauth:grant-type:device_code"))},
		quiet: []in{p("grant_types", list("authorization_code", "refresh_token"))},
	},

	// logto
	"logto/server-url-length/refuses (a)": {
		fires: []in{u(testURL + "/" + strings.Repeat("é", 2048))},
		quiet: []in{u(("https://app.example.com/" + strings.Repeat("é", 2048))[:2048])},
	},
	"logto/server-redirect-uri/refuses (a)": {
		fires: []in{redirects("http://localhost:*/cb"), redirects("*://app.example.com/cb"), redirects("myapp://*/cb")},
		quiet: []in{redirects("https://*.example.com/cb", "https://app.example.com/cb/*")},
	},

	// smaller profiles
	"pingfederate/server-redirect-uri/refuses (a)": {
		fires: []in{redirects(loopFixed), redirects("http://localhost/cb"), redirects("http://[::1]:9/cb")},
		quiet: []in{redirects("https://app.example.com/cb", "com.example.app:/cb")},
	},
	"servicenow/server-auth-method/refuses (a)": {
		fires: []in{p("token_endpoint_auth_method", "private_key_jwt", "token_endpoint_auth_methods_supported", list("none"))},
		quiet: []in{p()},
	},
	"servicenow/server-grant-types/degrades (a)": {
		fires: []in{p("grant_types", list("authorization_code", "client_credentials")), p("response_types", list("code", "id_token"))},
		quiet: []in{p("grant_types", list("authorization_code", "refresh_token"))},
	},
	"servicenow/server-redirect-match/degrades (a)": {
		fires: []in{redirects(loopPortless)},
		quiet: []in{redirects(loopFixed)},
	},
	"servicenow/server-required-field/refuses (a)": {
		fires: []in{p("redirect_uris", drop)},
		quiet: []in{p()},
	},
	"oracle/server-jwks/degrades (a)": {
		fires: []in{p("jwks", jwks(ecJWK))},
		quiet: []in{p("jwks_uri", "https://app.example.com/jwks")},
	},
	"entra/server-grant-types/refuses (a)": {
		fires: []in{p("grant_types", list("client_credentials"))},
		quiet: []in{p("grant_types", list("authorization_code", "client_credentials")), p("grant_types", drop)},
	},
	"entra/server-auth-method/degrades (a)": {
		fires: []in{p("token_endpoint_auth_method", "private_key_jwt")},
		quiet: []in{p()},
	},
	"clerk/server-required-field/refuses (a)": {
		fires: []in{p("client_name", drop), p("redirect_uris", []any{5.0})},
		quiet: []in{p()},
	},
	"tolgee/server-url-query/refuses (a)": {
		fires: []in{u(testURL + "?x")},
		quiet: []in{u(testURL)},
	},
	"django-oauth-toolkit/server-auth-method/refuses (a)": {
		fires: []in{p("token_endpoint_auth_method", "private_key_jwt", "token_endpoint_auth_methods_supported", list("none", "private_key_jwt"))},
		quiet: []in{p()},
	},
	"qlik/server-grant-types/refuses (a)": {
		fires: []in{p("grant_types", list("client_credentials"))},
		quiet: []in{p("grant_types", list("client_credentials", "authorization_code"))},
	},
}

// undecidable are the rows that cannot be judged from the URL, the document
// and the response, so they have no check.
var undecidable = []string{
	"auth0/server-jwks/refuses (a)",            // needs a fetch of jwks_uri
	"logto/server-forbidden-field/refuses (a)", // the key names were not read
	"logto/server-field-value/refuses (a)",     // depends on the tenant's key
}

func kindName(k Kind) string {
	return [...]string{"refuses", "degrades", "info"}[k]
}

func rowName(sv *Server, row *Constraint) string {
	return fmt.Sprintf("%s/%s/%s (%s)", sv.Name, row.Code, kindName(row.Kind), row.Source)
}

// TestProfileRows runs every constraint on inputs where it must fire and
// inputs where it must stay quiet, and checks that every row has both.
func TestProfileRows(t *testing.T) {
	seen := map[string]bool{}
	for i := range servers {
		sv := &servers[i]
		for j := range sv.Rows {
			row := &sv.Rows[j]
			name := rowName(sv, row)
			if seen[name] {
				t.Errorf("two rows are named %s", name)
			}
			seen[name] = true
			c, ok := rowCases[name]
			if row.always {
				if row.check != nil || row.Kind != Note || !slices.ContainsFunc(sv.notes, func(f Finding) bool { return f.Rule == row.Code }) {
					t.Errorf("%s is always reported, so it must be a note without a check, among the server's notes", name)
				}
				continue
			}
			if row.check == nil {
				if !slices.Contains(undecidable, name) {
					t.Errorf("%s has no check and is not listed as undecidable", name)
				}
				continue
			}
			if !ok || len(c.fires) == 0 || (len(c.quiet) == 0 && row.Kind != Note) {
				t.Errorf("%s: no firing and quiet cases", name)
				continue
			}
			t.Run(name, func(t *testing.T) {
				for _, x := range c.fires {
					if got := row.check(x.subject()); len(got) == 0 {
						t.Errorf("%s on %v = nothing; want it to fire", name, x)
					}
				}
				for _, x := range c.quiet {
					if got := row.check(x.subject()); len(got) != 0 {
						t.Errorf("%s on %v = %v; want it quiet", name, x, got)
					}
				}
			})
		}
	}
	for name := range rowCases {
		if !seen[name] {
			t.Errorf("rowCases has %s, which is no row", name)
		}
	}
}

// TestProfileRowsQuietOnGoodDocument: the plain document of profileDoc,
// served well, breaks no constraint of any server.
func TestProfileRowsQuietOnGoodDocument(t *testing.T) {
	s := in{}.subject()
	for i := range servers {
		sv := &servers[i]
		for j := range sv.Rows {
			row := &sv.Rows[j]
			if row.check == nil || row.Kind == Note {
				continue
			}
			if got := row.check(s); len(got) != 0 {
				t.Errorf("%s on the profile base document = %v; want quiet", rowName(sv, row), got)
			}
		}
	}
}

// TestProfileData checks the rules SERVERS.md sets for its own tables.
func TestProfileData(t *testing.T) {
	codes := []string{"server-admission", "server-url-query", "server-url-length", "server-url-path", "server-url-host",
		"server-doc-size", "server-content-type", "server-auth-method", "server-jwks", "server-grant-types",
		"server-required-field", "server-field-value", "server-forbidden-field", "server-redirect-uri",
		"server-redirect-match", "server-application-type", "server-same-origin", "server-cache"}
	want := []string{"auth0", "cognito", "keycloak", "cloudflare", "better-auth", "oidc-provider", "fastmcp",
		"giantswarm", "toolhive", "logto", "pingfederate", "servicenow", "oracle", "entra", "clerk", "tolgee",
		"django-oauth-toolkit", "gravitee", "qlik", "janssen", "stytch", "workos", "scalekit", "descope"}
	if got := ServerNames(); !slices.Equal(got, want) {
		t.Errorf("ServerNames() = %v; want SERVERS.md order %v", got, want)
	}
	for i := range servers {
		sv := &servers[i]
		if sv.Admission == "" && len(sv.Rows) == 0 {
			t.Errorf("%s has neither an admission note nor a constraint", sv.Name)
		}
		for _, row := range sv.Rows {
			if !slices.Contains(codes, row.Code) {
				t.Errorf("%s: code %q is not one of SERVERS.md's", rowName(sv, &row), row.Code)
			}
			if row.Inferred && row.Kind == Refuses {
				t.Errorf("%s is inferred but refuses; an inferred row is never more than degrades", rowName(sv, &row))
			}
			if row.Source == "" || row.Reason == "" {
				t.Errorf("%s lacks a source or a reason", rowName(sv, &row))
			}
			if row.Base != "" && ruleIndex(row.Base) == len(ruleOrder) && !strings.HasPrefix(row.Base, "http-") {
				t.Errorf("%s: base rule %q is not in RULES.md", rowName(sv, &row), row.Base)
			}
		}
	}
}

func TestMemberIndex(t *testing.T) {
	for i, m := range keptMembers {
		if got := memberIndex(m); got != i {
			t.Errorf("memberIndex(%q) = %d; want %d", m, got, i)
		}
	}
	if memberIndex("client_nam") != -1 || memberIndex("") != -1 {
		t.Error("memberIndex finds a member that is not kept")
	}
}

package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

// jwk shorthands for the jwks rows.
var (
	rsaPublic = map[string]any{"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZptN", "e": "AQAB", "kid": "a"}
	ecPublic  = map[string]any{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
)

// with is a copy of m with key set to v.
func with(m map[string]any, key string, v any) map[string]any {
	c := map[string]any{key: v}
	for k, x := range m {
		if k != key {
			c[k] = x
		}
	}
	return c
}

func keys(k ...any) map[string]any {
	if k == nil {
		k = []any{} // an empty set, not null
	}
	return map[string]any{"keys": k}
}

var documentCases = []ruleCase{
	fire("doc-encoding", testURL, "\xef\xbb\xbf"+docJSON()).without("doc-not-json"),
	fire("doc-encoding", testURL, strings.Replace(docJSON(), "Example App", "Caf\xe9", 1)),
	fire("doc-encoding", testURL, "\xff\xfe{\x00}\x00"),
	quiet("doc-encoding", testURL, docJSON("client_name", "Café ☕ 日本")),
	quiet("doc-encoding", testURL, docJSON("client_name", "\ufeffleading BOM inside a string")),

	fire("doc-not-json", testURL, ""),
	fire("doc-not-json", testURL, "{"),
	fire("doc-not-json", testURL, `{"client_id": "x",}`),
	fire("doc-not-json", testURL, `{'client_id': 'x'}`),
	fire("doc-not-json", testURL, docJSON()+" trailing"),
	fire("doc-not-json", testURL, docJSON()+docJSON()),
	quiet("doc-not-json", testURL, "\n\t "+docJSON()+"\n\n"),

	fire("doc-not-object", testURL, "[]").without("doc-client-id-missing"),
	fire("doc-not-object", testURL, `"https://app.example.com/oauth/client.json"`),
	fire("doc-not-object", testURL, "null"),
	fire("doc-not-object", testURL, "42"),
	quiet("doc-not-object", testURL, "{}"),

	fire("doc-duplicate-key", testURL, `{"client_id": "x", "client_id": "https://app.example.com/oauth/client.json"}`).at("client_id"),
	fire("doc-duplicate-key", testURL, `{"jwks": {"keys": [{"kty": "RSA", "kty": "EC"}]}}`).at("jwks.keys[0].kty"),
	fire("doc-duplicate-key", testURL, `{"a": {"x.y": 1, "x.y": 2}}`).at(`a["x.y"]`),
	fire("doc-duplicate-key", testURL, `{"a": {"odd key": 1, "odd key": 2}}`).at(`a.odd key`),
	quiet("doc-duplicate-key", testURL, `{"a": {"x": 1}, "b": {"x": 1}, "c": [{"x": 1}, {"x": 2}], "x": 3}`),
	quiet("doc-duplicate-key", testURL, `{"redirect_uris": ["https://a.example/cb", "https://a.example/cb"]}`),
	quiet("doc-duplicate-key", testURL, `{"client_name": "x", "Client_Name": "y"}`),

	fire("doc-client-id-missing", testURL, docJSON("client_id", absent)).at("client_id").without("doc-client-id-mismatch"),
	fire("doc-client-id-missing", testURL, docJSON("client_id", 42)),
	fire("doc-client-id-missing", testURL, docJSON("client_id", nil)),
	quiet("doc-client-id-missing", testURL, docJSON()),

	fire("doc-client-id-mismatch", testURL, docJSON("client_id", testURL+"/")).at("client_id"),
	fire("doc-client-id-mismatch", testURL, docJSON("client_id", "https://App.example.com/oauth/client.json")),
	fire("doc-client-id-mismatch", testURL, docJSON("client_id", "https://app.example.com:443/oauth/client.json")),
	fire("doc-client-id-mismatch", testURL, docJSON("client_id", "http://app.example.com/oauth/client.json")),
	fire("doc-client-id-mismatch", testURL, docJSON("client_id", testURL+"?")),
	fire("doc-client-id-mismatch", testURL, docJSON("client_id", "https://other.example/oauth/client.json")),
	fire("doc-client-id-mismatch", "https://app.example.com/oauth/client.json/", docJSON()),
	quiet("doc-client-id-mismatch", testURL, docJSON()),

	fire("doc-client-secret", testURL, docJSON("client_secret", "s3cret")).at("client_secret"),
	fire("doc-client-secret", testURL, docJSON("client_secret_expires_at", 0)).at("client_secret_expires_at"),
	fire("doc-client-secret", testURL, docJSON("client_secret", nil)),
	quiet("doc-client-secret", testURL, docJSON("client_id_issued_at", 1700000000)),

	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "client_secret_basic")).at("token_endpoint_auth_method"),
	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "client_secret_post")),
	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "client_secret_jwt")),
	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "None")),
	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "")),
	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "basic auth")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "none")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks_uri", "https://app.example.com/jwks.json")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "tls_client_auth")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "self_signed_tls_client_auth")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "urn:example:params:oauth:client-assertion")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", 7)), // doc-field-type's

	fire("doc-auth-method-missing", testURL, docJSON("token_endpoint_auth_method", absent)).severity(Warning).at("token_endpoint_auth_method"),
	quiet("doc-auth-method-missing", testURL, docJSON()),
	quiet("doc-auth-method-missing", testURL, docJSON("token_endpoint_auth_method", nil)),

	fire("doc-private-key", testURL, docJSON("jwks", keys(rsaPublic, map[string]any{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}))).at("jwks.keys[1]"),
	fire("doc-private-key", testURL, docJSON("jwks", keys(map[string]any{"kty": "oct", "k": "c2VjcmV0"}))).at("jwks.keys[0]"),
	fire("doc-private-key", testURL, docJSON("jwks", keys(map[string]any{"kty": "oct"}))),
	fire("doc-private-key", testURL, docJSON("jwks", keys(map[string]any{"kty": "RSA", "p": "x", "q": "y", "dp": "1", "dq": "2", "qi": "3", "oth": []any{}}))),
	fire("doc-private-key", testURL, docJSON("jwks", keys(map[string]any{"kty": "EC", "d": "x"}, "not an object"))),
	quiet("doc-private-key", testURL, docJSON("jwks", keys(rsaPublic, ecPublic))),
	quiet("doc-private-key", testURL, docJSON("jwks", map[string]any{"keys": []any{rsaPublic}, "d": "not in a key"})),

	fire("doc-jwks-conflict", testURL, docJSON("jwks", keys(rsaPublic), "jwks_uri", "https://app.example.com/jwks.json")),
	quiet("doc-jwks-conflict", testURL, docJSON("jwks_uri", "https://app.example.com/jwks.json")),
	quiet("doc-jwks-conflict", testURL, docJSON("jwks", keys(rsaPublic))),

	fire("doc-jwks-missing", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt")),
	quiet("doc-jwks-missing", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks_uri", "https://app.example.com/jwks.json")),
	quiet("doc-jwks-missing", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks", keys(ecPublic))),
	quiet("doc-jwks-missing", testURL, docJSON("token_endpoint_auth_method", "none")),

	fire("doc-jwks-invalid", testURL, docJSON("jwks", map[string]any{})).at("jwks"),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", map[string]any{"keys": map[string]any{}})).at("jwks.keys"),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(rsaPublic, 1))).at("jwks.keys[1]"),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"n": "x", "e": "AQAB"}))).at("jwks.keys[0]"),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": ""}))),
	quiet("doc-jwks-invalid", testURL, docJSON("jwks", keys(rsaPublic, ecPublic))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": "RSA", "e": "AQAB"}))).at("jwks.keys[0]").severity(Error),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": "EC", "crv": "P-256", "x": "f83O"}))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": "OKP", "x": "11qY"}))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": "RSA", "n": 1, "e": "AQAB"}))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(with(rsaPublic, "alg", "ES256")))).at("jwks.keys[0]"),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(with(ecPublic, "alg", "ES384")))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(with(ecPublic, "alg", "none")))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(with(ecPublic, "alg", 256)))),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": "OKP", "crv": "X25519", "x": "11qY", "alg": "EdDSA"}))),
	fire("doc-jwks-invalid", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks", keys())).at("jwks.keys").severity(Error),
	fire("doc-jwks-invalid", testURL, docJSON("jwks", keys(rsaPublic, with(ecPublic, "kid", "a")))).at("jwks.keys[1]").severity(Warning),
	quiet("doc-jwks-invalid", testURL, docJSON("jwks", keys(with(rsaPublic, "alg", "PS256"), with(ecPublic, "alg", "ES256"),
		map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "11qY", "alg": "EdDSA"}, map[string]any{"kty": "OKP", "crv": "X25519", "x": "11qY", "alg": "ECDH-ES"}))),
	quiet("doc-jwks-invalid", testURL, docJSON("jwks", keys(map[string]any{"kty": "future-type"}))),
	quiet("doc-jwks-invalid", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks", keys(ecPublic))),
	quiet("doc-jwks-invalid", testURL, docJSON("jwks", keys())),
	// A jwks that is not an object is doc-field-type's alone.
	quiet("doc-jwks-invalid", testURL, docJSON("jwks", "https://app.example.com/jwks.json")),
	quiet("doc-jwks-invalid", testURL, docJSON("jwks", []any{rsaPublic})),

	fire("doc-client-name-missing", testURL, docJSON("client_name", absent)).severity(Error).at("client_name"),
	fire("doc-client-name-missing", testURL, docJSON("client_name", "")).severity(Error),
	fire("doc-client-name-missing", testURL, docJSON("client_name", "   ")),
	fire("doc-client-name-missing", testURL, docJSON("client_name", absent)).profile(ProfileCIMD).severity(Warning),
	quiet("doc-client-name-missing", testURL, docJSON("client_name", "X")),
	quiet("doc-client-name-missing", testURL, docJSON("client_name", 5)), // doc-field-type's

	fire("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", absent)).severity(Error).at("redirect_uris"),
	fire("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", []string{})).severity(Error),
	fire("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", []string{})).profile(ProfileCIMD).severity(Error),
	fire("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", absent, "grant_types", absent)).profile(ProfileCIMD).severity(Error),
	fire("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", absent, "grant_types", []string{"client_credentials"}, "response_types", []string{})).profile(ProfileCIMD).severity(Warning),
	fire("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", absent, "grant_types", []string{"client_credentials"}, "response_types", []string{})).severity(Error),
	quiet("doc-redirect-uris-missing", testURL, docJSON()),
	quiet("doc-redirect-uris-missing", testURL, docJSON("redirect_uris", nil)), // doc-field-type's

	fire("doc-field-type", testURL, docJSON("redirect_uris", "https://app.example.com/callback")).at("redirect_uris"),
	fire("doc-field-type", testURL, docJSON("redirect_uris", nil)).at("redirect_uris"),
	fire("doc-field-type", testURL, docJSON("redirect_uris", []any{"https://app.example.com/callback", 7})).at("redirect_uris[1]"),
	fire("doc-field-type", testURL, docJSON("grant_types", "authorization_code")).at("grant_types"),
	fire("doc-field-type", testURL, docJSON("response_types", []any{[]any{"code"}})).at("response_types[0]"),
	fire("doc-field-type", testURL, docJSON("contacts", "ops@example.com")).at("contacts"),
	fire("doc-field-type", testURL, docJSON("client_name", 42)).at("client_name"),
	fire("doc-field-type", testURL, docJSON("client_uri", []any{"https://app.example.com/"})).at("client_uri"),
	fire("doc-field-type", testURL, docJSON("scope", []any{"read"})).at("scope"),
	fire("doc-field-type", testURL, docJSON("software_version", 1.2)).at("software_version"),
	fire("doc-field-type", testURL, docJSON("token_endpoint_auth_method", nil)).at("token_endpoint_auth_method"),
	fire("doc-field-type", testURL, docJSON("application_type", true)).at("application_type"),
	fire("doc-field-type", testURL, docJSON("software_statement", map[string]any{})).at("software_statement"),
	fire("doc-field-type", testURL, docJSON("jwks_uri", 1)).at("jwks_uri"),
	fire("doc-field-type", testURL, docJSON("client_name#de", 1)).at("client_name#de"),
	fire("doc-field-type", testURL, docJSON("jwks", "https://app.example.com/jwks.json")).at("jwks").without("doc-jwks-invalid"),
	fire("doc-field-type", testURL, docJSON("jwks", []any{rsaPublic})).at("jwks").without("doc-jwks-invalid"),
	quiet("doc-field-type", testURL, docJSON("contacts", []string{"ops@example.com"}, "software_id", "abc", "software_statement", "eyJ.x.y")),
	quiet("doc-field-type", testURL, docJSON("redirect_uris", []string{})),
	quiet("doc-field-type", testURL, docJSON("default_max_age", 3600, "logo_uri", "https://app.example.com/l.png")),
	fire("doc-field-type", testURL, docJSON("post_logout_redirect_uris", "https://app.example.com/bye")).at("post_logout_redirect_uris"),
	fire("doc-field-type", testURL, docJSON("post_logout_redirect_uris", []any{1})).at("post_logout_redirect_uris[0]"),
	fire("doc-field-type", testURL, docJSON("token_endpoint_auth_methods_supported", []any{"none", nil})).at("token_endpoint_auth_methods_supported[1]"),
	fire("doc-field-type", testURL, docJSON("dpop_bound_access_tokens", "true")).at("dpop_bound_access_tokens"),
	fire("doc-field-type", testURL, docJSON("require_auth_time", 1)).at("require_auth_time"),
	fire("doc-field-type", testURL, docJSON("default_max_age", "3600")).at("default_max_age"),
	quiet("doc-field-type", testURL, docJSON("post_logout_redirect_uris", []string{"https://app.example.com/bye"}, "token_endpoint_auth_methods_supported", []string{"none"},
		"dpop_bound_access_tokens", true, "require_auth_time", false, "default_max_age", 0)),

	fire("doc-unsafe-uri", testURL, docJSON("client_uri", "javascript:alert(1)")).at("client_uri").without("doc-uri-not-https"),
	fire("doc-unsafe-uri", testURL, docJSON("logo_uri", "data:image/png;base64,iVBORw0KGgo=")).at("logo_uri").without("doc-uri-not-https"),
	fire("doc-unsafe-uri", testURL, docJSON("tos_uri", "file:///etc/passwd")).at("tos_uri"),
	fire("doc-unsafe-uri", testURL, docJSON("policy_uri", "VBScript:msgbox")).at("policy_uri"),
	fire("doc-unsafe-uri", testURL, docJSON("jwks_uri", "jwks.json")).at("jwks_uri").without("doc-uri-not-https"),
	fire("doc-unsafe-uri", testURL, docJSON("client_uri", "app.example.com")).without("doc-uri-not-https"),
	fire("doc-unsafe-uri", testURL, docJSON("client_uri", "")),
	fire("doc-unsafe-uri", testURL, docJSON("client_uri", "mailto:ops@example.com")).without("doc-uri-not-https"),
	fire("doc-unsafe-uri", testURL, docJSON("policy_uri", "https://app.example.com/privacy policy")),
	fire("doc-unsafe-uri", testURL, docJSON("client_uri", "https://app.example.com/", "client_uri#fr", "javascript:x")).at("client_uri#fr"),
	quiet("doc-unsafe-uri", testURL, docJSON("client_uri", "https://app.example.com/", "logo_uri", "https://cdn.example.com/logo.png")),
	quiet("doc-unsafe-uri", testURL, docJSON("client_uri", "http://app.example.com/")),
	quiet("doc-unsafe-uri", testURL, docJSON("client_uri", 5)), // doc-field-type's
	quiet("doc-unsafe-uri", testURL, docJSON("redirect_uris", []string{"javascript:alert(1)"})),

	fire("doc-uri-not-https", testURL, docJSON("client_uri", "http://app.example.com/")).at("client_uri").severity(Warning),
	fire("doc-uri-not-https", testURL, docJSON("logo_uri", "ftp://app.example.com/logo.png")).severity(Warning),
	fire("doc-uri-not-https", testURL, docJSON("jwks_uri", "http://app.example.com/jwks.json")).at("jwks_uri").severity(Error),
	fire("doc-uri-not-https", testURL, docJSON("tos_uri", "https://app.example.com/tos", "tos_uri#de", "http://app.example.com/agb")).at("tos_uri#de").severity(Warning),
	quiet("doc-uri-not-https", testURL, docJSON("client_uri", "https://app.example.com/", "jwks_uri", "https://app.example.com/jwks.json")),
	quiet("doc-uri-not-https", testURL, docJSON("client_uri", "HTTPS://app.example.com/")),
	quiet("doc-uri-not-https", testURL, docJSON("software_id", "http://not-a-url-field.example/")),

	fire("doc-scope", testURL, docJSON("scope", "")).at("scope"),
	fire("doc-scope", testURL, docJSON("scope", "read  write")),
	fire("doc-scope", testURL, docJSON("scope", " read")),
	fire("doc-scope", testURL, docJSON("scope", "read ")),
	fire("doc-scope", testURL, docJSON("scope", `read "write"`)),
	fire("doc-scope", testURL, docJSON("scope", `read\write`)),
	fire("doc-scope", testURL, docJSON("scope", "read\twrite")),
	fire("doc-scope", testURL, docJSON("scope", "lesen schreiben café")),
	fire("doc-scope", testURL, docJSON("scope", "read,write\n")),
	quiet("doc-scope", testURL, docJSON("scope", "read write")),
	quiet("doc-scope", testURL, docJSON("scope", "openid mcp:tools files/read https://api.example.com/x!#$%&'()*+,-.;<=>?@[]^_`{|}~")),
	quiet("doc-scope", testURL, docJSON()),

	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"authorization_code", "password"})).at("grant_types[1]").severity(Warning),
	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"implicit"}, "response_types", []string{"token"})).at("grant_types[0]"),
	fire("doc-grant-types", testURL, docJSON("response_types", []string{"token"})).at("response_types"),
	fire("doc-grant-types", testURL, docJSON("response_types", []string{"code", "token"})).at("grant_types"),
	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"refresh_token"})).at("grant_types"),
	fire("doc-grant-types", testURL, docJSON("grant_types", absent, "response_types", []string{"id_token"})).at("response_types"),
	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"authorization_code", "implicit"}, "response_types", []string{"code"})).at("response_types"),
	quiet("doc-grant-types", testURL, docJSON()),
	quiet("doc-grant-types", testURL, docJSON("grant_types", absent, "response_types", absent)),
	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"})).at("grant_types[2]").severity(Warning),
	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"authorization_code", "client_credentials"})).at("grant_types[1]"),
	fire("doc-grant-types", testURL, docJSON("grant_types", []any{5, "implicit"}, "response_types", []string{"token"})).at("grant_types[1]"),
	quiet("doc-grant-types", testURL, docJSON("grant_types", []string{"authorization_code", "refresh_token"})),
	fire("doc-grant-types", testURL, docJSON("grant_types", []string{"authorization_code", "client_credentials"}, "token_endpoint_auth_method", "private_key_jwt", "jwks_uri", "https://app.example.com/jwks.json")).at("grant_types[1]"),
	quiet("doc-grant-types", testURL, docJSON("response_types", []string{"code id_token"})),
	quiet("doc-grant-types", testURL, docJSON("grant_types", "authorization_code")), // doc-field-type's

	fire("doc-server-metadata-field", testURL, docJSON("issuer", "https://auth.example.com")).at("issuer").without("doc-unknown-field"),
	quiet("doc-server-metadata-field", testURL, docJSON("token_endpoint_auth_methods_supported", []string{"none"})),
	fire("doc-server-metadata-field", testURL, docJSON("grant_types_supported", []string{"authorization_code"})),
	fire("doc-server-metadata-field", testURL, docJSON("authorization_endpoint", "https://auth.example.com/authorize")),
	fire("doc-server-metadata-field", testURL, docJSON("client_id_metadata_document_supported", true)),
	quiet("doc-server-metadata-field", testURL, docJSON("jwks_uri", "https://app.example.com/jwks.json")),
	quiet("doc-server-metadata-field", testURL, docJSON("scope", "read", "client_supported_flows", absent)),

	fire("doc-auth-methods", testURL, docJSON("token_endpoint_auth_methods_supported", []string{"none", "client_secret_basic"})).at("token_endpoint_auth_methods_supported[1]").severity(Error).without("doc-server-metadata-field", "doc-unknown-field"),
	fire("doc-auth-methods", testURL, docJSON("token_endpoint_auth_methods_supported", []string{"private_key_jwt"})).at("token_endpoint_auth_methods_supported").severity(Warning),
	fire("doc-auth-methods", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks_uri", "https://app.example.com/jwks.json", "token_endpoint_auth_methods_supported", []string{"none"})).severity(Warning),
	fire("doc-field-type", testURL, docJSON("token_endpoint_auth_methods_supported", "none")).at("token_endpoint_auth_methods_supported").without("doc-auth-methods"),
	quiet("doc-auth-methods", testURL, docJSON("token_endpoint_auth_methods_supported", []string{"none"})),
	quiet("doc-auth-methods", testURL, docJSON("token_endpoint_auth_method", "private_key_jwt", "jwks_uri", "https://app.example.com/jwks.json", "token_endpoint_auth_methods_supported", []string{"private_key_jwt", "none"})),
	quiet("doc-auth-methods", testURL, docJSON("token_endpoint_auth_methods_supported", []any{"none", 5})), // doc-field-type's

	fire("doc-i18n", testURL, docJSON("client_name#en_US", "x")).at("client_name#en_US").severity(Warning).without("doc-unknown-field"),
	fire("doc-i18n", testURL, docJSON("client_name#", "x")),
	fire("doc-i18n", testURL, docJSON("client_name#not a tag", "x")),
	fire("doc-i18n", testURL, docJSON("client_name#toolongsubtag", "x")),
	// Well-formed but unregistered: RULES.md asks for well-formedness only.
	quiet("doc-i18n", testURL, docJSON("client_name#xx", "x")),
	quiet("doc-i18n", testURL, docJSON("client_name#english", "x")),
	fire("doc-i18n", testURL, docJSON("client_name#aaa-bbb-ccc-ddd-eee", "x")),
	quiet("doc-i18n", testURL, docJSON("client_name#aaa-bbb-ccc-ddd", "x", "client_name#de-1996", "y", "client_name#en-a-bbb-x-priv", "z", "client_name#i-klingon", "w", "client_name#x-whatever", "v")),
	fire("doc-i18n", testURL, docJSON("client_name#de-a", "x")),
	fire("doc-i18n", testURL, docJSON("client_name#en-x", "x")),
	fire("doc-i18n", testURL, docJSON("scope#fr", "lire")).at("scope#fr").without("doc-unknown-field"),
	fire("doc-i18n", testURL, docJSON("#en", "x")),
	fire("doc-i18n", testURL, docJSON("client_uri#de", "https://app.example.com/de")).at("client_uri#de"),
	quiet("doc-i18n", testURL, docJSON("client_name#de", "Beispiel", "client_name#zh-Hant-TW", "範例", "client_name#pt-BR", "Exemplo")),
	quiet("doc-i18n", testURL, docJSON("client_uri", "https://app.example.com/", "client_uri#DE", "https://app.example.com/de")),

	fire("doc-application-type", testURL, docJSON("redirect_uris", []string{"http://127.0.0.1:8080/callback"})).at("application_type").severity(Warning),
	fire("doc-application-type", testURL, docJSON("redirect_uris", []string{"http://[::1]:8080/callback"}, "application_type", "web")),
	fire("doc-application-type", testURL, docJSON("redirect_uris", []string{"https://app.example.com/cb", "http://localhost:*/callback"})),
	quiet("doc-application-type", testURL, docJSON("redirect_uris", []string{"http://127.0.0.1:8080/callback"}, "application_type", "native")),
	quiet("doc-application-type", testURL, docJSON()),
	quiet("doc-application-type", testURL, docJSON("redirect_uris", []string{"com.example.app://localhost/cb"})),
	fire("doc-application-type", testURL, docJSON("application_type", "spa")).at("application_type").severity(Warning),
	fire("doc-application-type", testURL, docJSON("application_type", "desktop", "redirect_uris", []string{"http://127.0.0.1:8080/callback"})),
	fire("doc-application-type", testURL, docJSON("application_type", "Native")),
	quiet("doc-application-type", testURL, docJSON("application_type", "web")),
	quiet("doc-application-type", testURL, docJSON("application_type", "native")),

	fire("doc-unknown-field", testURL, docJSON("client_logo", "https://app.example.com/l.png")).at("client_logo").severity(Info),
	fire("doc-unknown-field", testURL, docJSON("Client_Name", "typo")),
	fire("doc-unknown-field", testURL, docJSON("resource", "https://mcp.example.com")),
	quiet("doc-unknown-field", testURL, docJSON("application_type", "web", "software_statement", "eyJ.x.y", "post_logout_redirect_uris", []string{}, "client_id_issued_at", 1)),
	quiet("doc-unknown-field", testURL, docJSON("dpop_bound_access_tokens", true, "require_pushed_authorization_requests", false)),
	quiet("doc-unknown-field", testURL, docJSON("digest_algorithm", "SHA-256", "claims_redirect_uris", []string{}, "nfv_token_signed_response_alg", "RS256",
		"nfv_token_encrypted_response_alg", "RSA-OAEP", "nfv_token_encrypted_response_enc", "A128GCM", "token_endpoint_auth_methods_supported", []string{"none"})),

	fire("doc-uri-private-address", testURL, docJSON("jwks_uri", "https://127.0.0.1/jwks.json")).at("jwks_uri").severity(Error),
	fire("doc-uri-private-address", testURL, docJSON("logo_uri", "https://localhost/logo.png")).at("logo_uri").severity(Warning),
	fire("doc-uri-private-address", testURL, docJSON("client_uri", "https://[::1]/")).severity(Warning),
	fire("doc-uri-private-address", testURL, docJSON("tos_uri", "https://10.0.0.8/tos", "tos_uri#de", "https://192.168.1.1/agb")).at("tos_uri#de"),
	fire("doc-uri-private-address", testURL, docJSON("policy_uri", "http://169.254.169.254/latest")).without("doc-unsafe-uri"),
	quiet("doc-uri-private-address", testURL, docJSON("jwks_uri", "https://app.example.com/jwks.json", "logo_uri", "https://8.8.8.8/logo.png")),
	quiet("doc-uri-private-address", testURL, docJSON("client_uri", "javascript://127.0.0.1/")), // doc-unsafe-uri's
	quiet("doc-uri-private-address", testURL, docJSON("jwks_uri", "https://127.0.0.1/jwks.json")).allowPrivate(),
	quiet("doc-uri-private-address", testURL, docJSON("redirect_uris", []string{"http://127.0.0.1:8080/cb"}, "application_type", "native")),

	fire("doc-case-variant-key", testURL, docJSON("Client_Name", "Other")).at("client_name").severity(Warning).without("doc-duplicate-key"),
	fire("doc-case-variant-key", testURL, `{"jwks": {"keys": [{"kty": "EC", "KTY": "RSA"}]}}`).at("jwks.keys[0].KTY"),
	fire("doc-case-variant-key", testURL, `{"a": 1, "A": 2, "a": 3}`).at("A"),
	quiet("doc-case-variant-key", testURL, docJSON("client_name#de", "x", "client_name#DE", absent)),
	quiet("doc-case-variant-key", testURL, `{"a": {"K": 1}, "k": {"k": 1}}`),
	quiet("doc-case-variant-key", testURL, `{"client_name": "x", "client_name": "y"}`),

	fire("doc-lone-surrogate", testURL, `{"client_name": "x", "a\ud800": 1}`).at("a\ufffd").severity(Error),
	fire("doc-lone-surrogate", testURL, `{"client_name": "ab\udc00"}`).at("client_name").severity(Warning),
	fire("doc-lone-surrogate", testURL, `{"client_name": "\ud800\u0041"}`).severity(Warning),
	fire("doc-lone-surrogate", testURL, `{"contacts": ["ok", "\udbff"]}`).at("contacts[1]"),
	fire("doc-lone-surrogate", testURL, `{"x": "\ud83d\ud83d\ude00"}`).at("x"),
	quiet("doc-lone-surrogate", testURL, `{"client_name": "\ud83d\ude00 \u00e9"}`),
	quiet("doc-lone-surrogate", testURL, `{"client_name": "\\ud800"}`),
}

func TestDocumentRules(t *testing.T) { runCases(t, documentCases) }

// TestBodyErrorsStopDocumentRules checks that an undecodable body gets only
// the rule that says so, and no document.
func TestBodyErrorsStopDocumentRules(t *testing.T) {
	for _, body := range []string{"", "\xef\xbb\xbf{}", "{\"a\":\"\xff\"}", "{", "[]", "null", `"x"`} {
		got, doc := CheckDocument(testURL, []byte(body), Options{})
		if len(got) != 1 || doc != nil {
			t.Errorf("CheckDocument(%q) = %v, %v; want one body finding and no document", body, got, doc)
		}
	}
}

func TestNotJSONPosition(t *testing.T) {
	tests := []struct {
		body string
		want string
	}{
		{"{\n  \"client_id\": \"x\",\n}", "line 3, column 1"},
		{"{\"a\": tru}", "line 1, column 10"},
		{"{\n  \"name\": \"Café\" x}", "line 2, column 18"},
		{"{\"a\": 1", "line 1, column 8"},
		{"{\"a\":1} {}", "line 1, column 9"},
	}
	for _, tt := range tests {
		got, _ := CheckDocument(testURL, []byte(tt.body), Options{})
		f := find(got, "doc-not-json", "")
		if f == nil || !strings.Contains(f.Message, tt.want) {
			t.Errorf("CheckDocument(%q) = %v; want doc-not-json saying %q", tt.body, got, tt.want)
		}
	}
}

func TestEncodingPosition(t *testing.T) {
	body := "{\n \"client_name\": \"a\xffb\"}"
	got, _ := CheckDocument(testURL, []byte(body), Options{})
	if f := find(got, "doc-encoding", ""); f == nil || !strings.Contains(f.Message, "line 2, column 19") {
		t.Errorf("CheckDocument(%q) = %v; want doc-encoding at line 2, column 19", body, got)
	}
}

func TestClientIDMismatchNamesTheDifference(t *testing.T) {
	tests := []struct {
		clientID string
		want     []string // substrings of the message
	}{
		{testURL + "/", []string{"a trailing slash"}},
		{"https://APP.example.com/oauth/client.json", []string{"letter case"}},
		{"HTTPS://app.example.com/oauth/client.json", []string{"letter case"}},
		{"https://app.example.com:443/oauth/client.json", []string{"an explicit port"}},
		{"http://app.example.com/oauth/client.json", []string{"the scheme"}},
		{testURL + "?v=2", []string{"the query"}},
		{"https://app.example.com:443/OAuth/client.json/", []string{"an explicit port", "a trailing slash", "letter case"}},
	}
	for _, tt := range tests {
		got, _ := CheckDocument(testURL, []byte(docJSON("client_id", tt.clientID)), Options{})
		f := find(got, "doc-client-id-mismatch", "client_id")
		if f == nil {
			t.Errorf("CheckDocument(client_id %q) = %v; want doc-client-id-mismatch", tt.clientID, got)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(f.Message, w) {
				t.Errorf("CheckDocument(client_id %q) message = %q; want it to name %q", tt.clientID, f.Message, w)
			}
		}
	}
	// A difference the rule does not name gets no misleading partial list.
	got, _ := CheckDocument(testURL, []byte(docJSON("client_id", "https://app.example.com/other.json/")), Options{})
	if f := find(got, "doc-client-id-mismatch", ""); f == nil || strings.Contains(f.Message, "differ by") {
		t.Errorf("CheckDocument(client_id other path) = %v; want doc-client-id-mismatch without a named difference", got)
	}
}

func TestDocumentIsReturned(t *testing.T) {
	_, doc := CheckDocument(testURL, []byte(`{"client_id": "x", "client_id": "y", "n": 1}`), Options{})
	if doc == nil || doc["client_id"] != "y" || doc["n"] != json.Number("1") {
		t.Errorf("CheckDocument(duplicate keys) document = %v; want the decoded object, last value winning", doc)
	}
}

func TestEmptyURLSkipsComparisons(t *testing.T) {
	body := docJSON("client_id", "https://app.example.com/x", "redirect_uris", []string{"https://elsewhere.example/cb"})
	got, _ := CheckDocument("", []byte(body), Options{})
	for _, rule := range []string{"doc-client-id-mismatch", "redirect-cross-origin"} {
		if find(got, rule, "") != nil {
			t.Errorf("CheckDocument(\"\", %s) = %v; want no %s without a URL", body, got, rule)
		}
	}
}

package validate

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// servers are the authorization server profiles of SERVERS.md, in its order,
// one Constraint per row of its tables, each with the row's source. The
// sources are the letters of each profile's "Sources" line; pv:ID names a
// case of the server's own test suite.
var servers = prepare([...]Server{
	{
		Name: "auth0", Title: "Auth0",
		Sources: map[string]string{
			"a": "auth0 CIMD validation rules", "b": "auth0 register applications with CIMD",
			"c": "github/copilot-cli#4793", "d": "anthropics/claude-code#37747",
			"e": "an Auth0 statement on port wildcards", "f": "modelcontextprotocol/csharp-sdk#1612",
		},
		Admission: "a tenant admin imports it as a third-party application (manual refresh), or it registers at /authorize (dynamic, pre-GA); always third_party_security_mode strict, tenant Rules make CIMD logins fail",
		Match:     MatchExact,
		Cache:     CacheBounds{Known: true, Never: true, Note: "manual clients are never re-read until an admin refreshes them; dynamic ones on demand"},
		Rows: []Constraint{
			{Code: "server-url-query", Kind: Refuses, Base: "url-query", Source: "a",
				Reason: "query strings are not permitted", when: fURLQuery, check: urlQuery(false)},
			{Code: "server-url-length", Kind: Refuses, Base: "url-length", Source: "a",
				Reason: "a client_id may be at most 120 bytes", when: fURLLength, check: urlLongerThan(120)},
			{Code: "server-url-path", Kind: Refuses, Base: "url-root-path", Source: "a",
				Reason: "the path must go beyond the root", when: fURLRoot, check: urlPath("/")},
			{Code: "server-url-host", Kind: Refuses, Base: "url-private-address", Source: "a",
				Reason: "the host must not be localhost, 127.0.0.1 or ::1 (also with --allow-private), and the port not 0", when: fURLHost, check: auth0Host},
			{Code: "server-jwks", Kind: Refuses, Source: "a, pv:auth0-docs-012",
				Reason: "inline jwks is invalid_client_metadata, and private_key_jwt needs jwks_uri", when: fJWKS | fMethodPKJ, check: auth0JWKS},
			{Code: "server-jwks", Kind: Refuses, Live: true, Source: "a",
				Reason: "the JWKS at jwks_uri must be at most 12 KB, public keys only (no d), and not answered by a redirect"},
			{Code: "server-doc-size", Kind: Degrades, Base: "http-size", Live: true, Source: "a",
				Reason: "the limit is \"5KB\", which Auth0 does not define further: keep the document at most 5000 bytes", when: fHTTP, check: liveBytesOver(5000, MaxBytes)},
			{Code: "server-redirect-match", Kind: Degrades, Base: "redirect-loopback-portless", Source: "c",
				Reason: "a loopback entry without a fixed-port twin: the ephemeral port the client binds gets \"Callback URL mismatch\"", when: fPortless, check: portless},
			{Code: "server-redirect-uri", Kind: Degrades, Base: "redirect-wildcard", Source: "e",
				Reason: "\"we do not currently allow wildcards for ports\"", when: fStar, check: wildcardPort},
			{Code: "server-application-type", Kind: Degrades, Base: "doc-application-type", Source: "d", Inferred: true,
				Reason: "loopback redirects without application_type \"native\"", when: fNotNative, check: loopbackNotNative},
		},
	},
	{
		Name: "cognito", Title: "Amazon Cognito",
		Sources: map[string]string{
			"a": "Cognito developer guide, client ID metadata documents", "b": "Cognito API reference, CIMDPolicyType",
			"c": "spec.md U11",
		},
		Admission: "a CIMD policy maps HTTPS URL patterns of client_ids to exactly one app client",
		Match:     MatchUnknown,
		Cache: CacheBounds{Known: true, UsesMaxAge: true, Min: 86400 * time.Second, Max: 31556952 * time.Second,
			Default: 86400 * time.Second, OutOfBounds: true,
			Note: "max-age only within 86400-31556952 s, else the policy's CacheDuration (default 86400 s)"},
		Rows: []Constraint{
			{Code: "server-auth-method", Kind: Refuses, Source: "a",
				Reason: "the client must be public (token_endpoint_auth_method \"none\"): no private_key_jwt, no confidential clients", when: fMethodNotNone, check: methodNot("none", false)},
			{Code: "server-grant-types", Kind: Degrades, Source: "a",
				Reason: "grants are intersected with the app client's, and client_credentials is unsupported (refused when it is the only grant)", when: fGrants, check: grantListed("client_credentials")},
			{Code: "server-cache", Kind: Degrades, Base: "http-cache-control", Live: true, Source: "b",
				Reason: "a max-age outside 86400-31556952 s is ignored for the policy's CacheDuration (default 86400 s): changes reach Cognito after a day or more", when: fHTTP, check: cognitoCache},
			{Code: "server-url-length", Kind: Degrades, Base: "url-length", Source: "c", Inferred: true,
				Reason: "a client_id must be 12-256 characters", when: fURLLength, check: cognitoLength},
		},
	},
	{
		Name: "keycloak", Title: "Keycloak (experimental --features=cimd since 26.6.0)",
		Sources: map[string]string{
			"a": "Keycloak AbstractClientIdMetadataDocumentExecutor.java", "b": "Keycloak ClientIdMetadataDocumentTest.java",
			"c": "keycloak#49730", "d": "keycloak PR #51235", "e": "keycloak#45284",
		},
		Admission: "a client policy (the CIMD executor, a client-id-uri condition and trusted domains) lists its host; otherwise \"Invalid Client ID: domain not allowed.\"",
		Match:     MatchExact,
		Cache: CacheBounds{Known: true, UsesMaxAge: true, Min: 300 * time.Second, Max: 259200 * time.Second, Default: 300 * time.Second,
			Note: "s-maxage over max-age, clamped to 300-259200 s"},
		Rows: []Constraint{
			{Code: "server-url-query", Kind: Refuses, Base: "url-query", Source: "a, pv:keycloak-021",
				Reason: "\"Invalid Client ID: query included.\"", when: fURLQuery, check: urlQuery(false)},
			{Code: "server-doc-size", Kind: Refuses, Base: "http-size", Live: true, Source: "a, pv:keycloak-014",
				Reason: "the body may be at most 5000 bytes (upperLimitMetadataBytes)", when: fHTTP, check: liveBytesOver(5000, 1<<62)},
			{Code: "server-grant-types", Kind: Refuses, Source: "pv:keycloak-013",
				Reason: "a public client (token_endpoint_auth_method \"none\" or absent) may not use the confidential-only grant urn:ietf:params:oauth:grant-type:jwt-bearer", when: fGrants, check: keycloakConfidentialGrant},
			{Code: "server-field-value", Kind: Refuses, Base: "url-private-address", Source: "a, pv:keycloak-006…008",
				Reason: "logo_uri, client_uri, tos_uri, policy_uri and jwks_uri must be on a public host, not loopback, private or link-local", when: fMemberHost, check: privateURIs("logo_uri", "client_uri", "tos_uri", "policy_uri", "jwks_uri")},
			{Code: "server-redirect-match", Kind: Degrades, Base: "redirect-loopback-portless", Source: "a",
				Reason: "the requested redirect_uri must be a member of the list: no loopback port relaxation", when: fPortless, check: portless},
			{Code: "server-forbidden-field", Kind: Degrades, Base: "doc-unknown-field", Source: "d, pv:keycloak-011",
				Reason: "builds before PR #51235 fail to parse a document with unknown keys (they are ignored since)", when: fUnknown, check: unknownKeys},
			{Code: "server-same-origin", Kind: Degrades, Base: "redirect-cross-origin", Source: "a",
				Reason: "with the optional restrictSameDomain, the client_id and every redirect host must be under one trusted domain", when: fCrossDomain, check: keycloakSameDomain},
			{Code: "server-required-field", Kind: Note, Source: "a",
				Reason: "a policy may also require fields of its choice (requiredProperties)", always: true},
		},
	},
	{
		Name: "cloudflare", Title: "Cloudflare workers-oauth-provider (opt-in)",
		Sources: map[string]string{
			"a": "workers-oauth-provider src/oauth-client-metadata.ts", "b": "workers-oauth-provider oauth-cimd tests",
			"c": "workers-oauth-provider#293", "d": "workers-oauth-provider PR #158",
			"e": "workers-oauth-provider PR #302", "f": "peers.md §2",
		},
		Admission: "the provider opts in (clientIdMetadataDocumentEnabled, with global_fetch_strictly_public)",
		Match:     MatchLoopbackAnyPort,
		Cache: CacheBounds{Known: true, UsesMaxAge: true, Max: 604800 * time.Second,
			Note: "s-maxage, else max-age, capped at 604800 s; without one, or with no-cache, no-store or private, not cached"},
		Rows: []Constraint{
			{Code: "server-required-field", Kind: Refuses, Base: "doc-client-name-missing", Source: "a, pv:…-012, -013",
				Reason: "client_name must be present and not blank, under either RULES profile", when: fNameBlank, check: clientNameMissing},
			{Code: "server-required-field", Kind: Refuses, Base: "doc-redirect-uris-missing", Source: "a, pv:…-019, -020",
				Reason: "redirect_uris must be present and not empty", when: fNoRedirects, check: redirectsMissing(false)},
			{Code: "server-auth-method", Kind: Refuses, Source: "a, c, pv:…-010",
				Reason: "the client must authenticate with \"none\": another declared method passes only when token_endpoint_auth_methods_supported lists \"none\"", when: fMethodNotNone, check: methodNot("none", true)},
			{Code: "server-field-value", Kind: Refuses, Source: "a, pv:…-016",
				Reason: "token_endpoint_auth_method must be in the document's token_endpoint_auth_methods_supported, and token_endpoint_auth_signing_alg in token_endpoint_auth_signing_alg_values_supported", when: fAuthLists, check: ownListsAgree},
			{Code: "server-grant-types", Kind: Refuses, Base: "doc-grant-types", Source: "a, pv:…-021",
				Reason: "after dropping unsupported grant and response types, authorization_code and code must come together", when: fGrants | fResponses, check: afterFilter(false)},
			{Code: "server-redirect-uri", Kind: Refuses, Base: "redirect-unsafe-scheme", Source: "a",
				Reason: "javascript:, data:, file:, vbscript:, mailto: and blob: entries and control characters are refused", when: fOddRedirect | fControl, check: cloudflareScheme},
			{Code: "server-redirect-match", Kind: Degrades, Base: "redirect-wildcard", Source: "a", Inferred: true,
				Reason: "\"*\" is compared literally, so the entry never matches", when: fStar, check: wildcardAnywhere},
		},
	},
	{
		Name: "better-auth", Title: "Better Auth @better-auth/cimd plugin (draft-02)",
		Sources: map[string]string{
			"a": "better-auth cimd tests", "b": "better-auth validate-metadata-document.ts",
			"c": "better-auth CIMD plugin docs", "d": "better-auth#10937", "e": "peers.md §2",
		},
		Match: MatchLoopbackIPOnly,
		Cache: CacheBounds{Known: true, UsesMaxAge: true, Max: 3600 * time.Second, Note: "RFC 9111, capped at 3600 s, ETag/304"},
		Rows: []Constraint{
			{Code: "server-auth-method", Kind: Refuses, Base: "doc-auth-method-secret", Source: "b, pv:…-094",
				Reason: "only \"none\" and \"private_key_jwt\" are accepted (not tls_client_auth, self_signed_tls_client_auth or URI methods)", when: fMethodNotNone, check: methodIn("none", "private_key_jwt")},
			{Code: "server-jwks", Kind: Refuses, Base: "doc-jwks-invalid", Source: "pv:…-080…092",
				Reason: "jwks must be a JWK Set of usable public keys (no empty keys, no oct keys, curve parameters present, alg fitting kty and crv, no Ed448), and jwks_uri without userinfo or fragment", when: fJWKS | fJWKSURI, check: betterAuthJWKS},
			{Code: "server-required-field", Kind: Refuses, Base: "doc-redirect-uris-missing", Source: "pv:…-059, -095, -096",
				Reason: "redirect_uris must not be empty, and may be absent only for grants that need no redirect", when: fNoRedirects, check: redirectsMissing(true)},
			{Code: "server-redirect-uri", Kind: Refuses, Base: "redirect-custom-scheme", Source: "pv:…-097…104",
				Reason: "an entry must be http(s) or a reverse-domain private-use URI with a single slash (com.example.app:/cb)", when: fOddRedirect, check: betterAuthScheme},
			{Code: "server-application-type", Kind: Refuses, Base: "doc-application-type", Source: "pv:…-141",
				Reason: "application_type \"web\" with a loopback redirect", when: fWeb, check: webWithLoopback},
			{Code: "server-grant-types", Kind: Refuses, Base: "doc-grant-types", Source: "pv:…-108",
				Reason: "response_types must not contain \"token\"", when: fResponses, check: responseListed("token")},
			{Code: "server-field-value", Kind: Refuses, Base: "doc-field-type", Source: "pv:…-054…057",
				Reason: "application_type must be \"web\" or \"native\", contacts an array, scope a string, dpop_bound_access_tokens a boolean", when: fTypes, check: betterAuthTypes},
			{Code: "server-field-value", Kind: Refuses, Base: "url-private-address", Source: "pv:…-112…125",
				Reason: "client_uri, logo_uri, tos_uri and policy_uri must have no userinfo, no javascript: scheme, and no private, loopback or cloud-metadata host", when: fMemberHost, check: betterAuthURIs},
			{Code: "server-forbidden-field", Kind: Refuses, Base: "doc-unknown-field", Source: "pv:…-068…074, -126, -127",
				Reason: "server-control members (such as skip_consent, disabled, require_pkce, clientSecret, user_id, client_id_issued_at) and backchannel logout members are refused", when: fForbidden, check: forbiddenMembers},
			{Code: "server-required-field", Kind: Degrades, Base: "doc-client-name-missing", Source: "pv:…-050…052, c",
				Reason: "a non-blank client_name is required when the server sets metadataProfile \"mcp-2026-07-28\"", when: fNameBlank, check: clientNameMissing},
			{Code: "server-same-origin", Kind: Degrades, Base: "redirect-cross-origin", Source: "b, pv:…-111",
				Reason: "some builds require redirect_uris, post_logout_redirect_uris and client_uri on the client_id's origin (localhost redirects exempt)", when: fCrossOrigin, check: betterAuthOrigin},
			{Code: "server-grant-types", Kind: Degrades, Base: "doc-grant-types", Source: "b",
				Reason: "some builds refuse grants other than authorization_code and refresh_token, or require authorization_code when grant_types is given", when: fGrants, check: betterAuthGrants},
			{Code: "server-redirect-match", Kind: Degrades, Base: "redirect-localhost-name", Source: "d",
				Reason: "port relaxation covers IP literals only, so a port-less http://localhost entry matches no real port", when: fPortless, check: portlessLocalhost},
		},
	},
	{
		Name: "oidc-provider", Title: "panva/node-oidc-provider (features.clientIdMetadataDocument)",
		Sources: map[string]string{
			"a": "oidc-provider lib/helpers/client_id_metadata_document.js", "b": "oidc-provider CIMD tests",
			"c": "a deployer's patch comment",
		},
		Admission: "the deployment's allowFetch and allowClient hooks allow it",
		Match:     MatchNativeLoopback,
		Cache:     CacheBounds{Note: "max-age, else Expires, else cacheDuration.min, clamped to cacheDuration (defaults not read)"},
		Rows: []Constraint{
			{Code: "server-field-value", Kind: Refuses, Base: "doc-uri-not-https", Source: "a, pv:…-046, -047",
				Reason: "web-URI properties (client_uri, logo_uri, tos_uri, policy_uri, ...) must be https:", when: fNotHTTPSMember, check: notHTTPS("client_uri", "logo_uri", "tos_uri", "policy_uri", "initiate_login_uri", "jwks_uri", "sector_identifier_uri")},
			{Code: "server-grant-types", Kind: Refuses, Source: "pv:…-056…060",
				Reason: "at least one listed grant must be enabled on the provider (authorization_code or refresh_token unless the device or client-credentials features are on)", when: fGrants, check: oidcGrants},
			{Code: "server-redirect-match", Kind: Degrades, Base: "redirect-loopback-portless", Source: "c", Inferred: true,
				Reason: "loopback ports relax only for application_type \"native\"; the default \"web\" matches exactly", when: fPortless, check: portlessUnlessNative},
			{Code: "server-auth-method", Kind: Note, Source: "a", Inferred: true,
				Reason: "accepted methods follow the provider's clientAuthMethods setting", when: fMethod, check: methodDeclared},
		},
	},
	{
		Name: "fastmcp", Title: "FastMCP OAuthProxy (enable_cimd=True by default)",
		Sources: map[string]string{
			"a": "FastMCP server/auth/cimd.py", "b": "FastMCP tests", "c": "FastMCP PR #3589", "peers.md §0": "peers.md §0",
		},
		Admission: "the proxy's allowed_client_redirect_uris also allow its redirect",
		Match:     MatchFastMCP,
		Cache:     CacheBounds{Known: true, UsesMaxAge: true, Default: 3600 * time.Second, Note: "max-age over Expires, default 3600 s, no cap"},
		Rows: []Constraint{
			{Code: "server-url-path", Kind: Refuses, Base: "url-root-path", Source: "a, pv:fastmcp-016, -017",
				Reason: "the path must not be \"/\" or empty", when: fURLRoot, check: urlPath("/", "")},
			{Code: "server-url-host", Kind: Refuses, Base: "url-not-normalized", Source: "peers.md §0",
				Reason: "an upper-case host: the document's client_id is normalised and the URL is not, so the pair never matches", when: fURLHost, check: upperHost},
			{Code: "server-auth-method", Kind: Refuses, Base: "doc-auth-method-secret", Source: "a, pv:fastmcp-004…006",
				Reason: "only \"none\" and \"private_key_jwt\" are accepted (tls_client_auth is refused)", when: fMethodNotNone, check: methodIn("none", "private_key_jwt")},
			{Code: "server-required-field", Kind: Refuses, Base: "doc-redirect-uris-missing", Source: "a, pv:fastmcp-007…011",
				Reason: "redirect_uris must be a non-empty list of URIs with a scheme and a host (urn: exempt)", when: fNoRedirects | fOddRedirect, check: fastmcpRedirects},
			{Code: "server-redirect-uri", Kind: Degrades, Base: "redirect-custom-scheme", Source: "a", Inferred: true,
				Reason: "a private-use URI such as com.example.app:/cb has no host", when: fOddRedirect, check: fastmcpNoHost},
			{Code: "server-redirect-match", Kind: Degrades, Base: "redirect-loopback-portless", Source: "c",
				Reason: "FastMCP 3.1.1 and older match a port-less loopback entry exactly, so the random port the client binds does not match", when: fPortless, check: portless},
		},
	},
	{
		Name: "giantswarm", Title: "giantswarm/mcp-oauth",
		Sources: map[string]string{"a": "mcp-oauth server/cimd.go", "b": "mcp-oauth server/cimd_test.go"},
		Match:   MatchUnknown,
		Cache: CacheBounds{Known: true, UsesMaxAge: true, Max: 3600 * time.Second, Default: 300 * time.Second,
			Note: "max-age, default 300 s, capped at 3600 s; failures cached for 300 s or more"},
		Rows: []Constraint{
			{Code: "server-url-query", Kind: Refuses, Base: "url-query", Source: "a, pv:…-010, -011",
				Reason: "a client_id with a non-empty query is not recognised as a URL client_id", when: fURLQuery, check: urlQuery(true)},
			{Code: "server-content-type", Kind: Refuses, Base: "http-content-type", Live: true, Source: "a",
				Reason: "the Content-Type must be exactly application/json (no +json type, no missing header, no charset other than UTF-8)", when: fHTTP, check: exactJSONType},
			{Code: "server-redirect-uri", Kind: Refuses, Base: "redirect-custom-scheme", Source: "a, pv:…-023…026",
				Reason: "entries must parse with Go's net/url and be http or https", when: fOddRedirect | fNotPlain, check: goURLHTTP},
			{Code: "server-required-field", Kind: Refuses, Base: "doc-redirect-uris-missing", Source: "a",
				Reason: "at least one redirect URI is required", when: fNoRedirects, check: redirectsMissing(false)},
		},
	},
	{
		Name: "toolhive", Title: "stacklok/toolhive embedded authorization server",
		Sources: map[string]string{
			"a": "toolhive pkg/oauthproto/cimd/fetch.go", "b": "toolhive#6290, PR #6297", "c": "toolhive#6278, PR #6400",
			"d": "toolhive registration.LoopbackClient", "peers.md §2": "peers.md §2",
		},
		Admission: "authServerConfig.cimd.enabled is set",
		Match:     MatchLoopbackAnyPort,
		Rows: []Constraint{
			{Code: "server-url-path", Kind: Refuses, Base: "url-root-path", Source: "peers.md §2",
				Reason: "the path must not be the root", when: fURLRoot, check: urlPath("/")},
			{Code: "server-auth-method", Kind: Refuses, Source: "c",
				Reason: "the client must authenticate with \"none\": another declared method passes only when token_endpoint_auth_methods_supported lists \"none\" (since PR #6400; refused before)", when: fMethodNotNone, check: methodNot("none", true)},
			{Code: "server-grant-types", Kind: Refuses, Base: "doc-grant-types", Source: "b",
				Reason: "after filtering, authorization_code and code must remain", when: fGrants | fResponses, check: afterFilter(true)},
			{Code: "server-grant-types", Kind: Degrades, Base: "doc-grant-types", Source: "b",
				Reason: "builds before PR #6297 refuse any grant other than authorization_code and refresh_token (such as VS Code's device_code)", when: fGrants, check: grantsBeyond("authorization_code", "refresh_token")},
		},
	},
	{
		Name: "logto", Title: "Logto (behind the dev-features flag)",
		Sources:   map[string]string{"a": "logto packages/core/src/oidc/cimd", "b": "logto PRs #9378, #9382, #9406"},
		Admission: "the dev-features flag, the tenant's CIMD configuration and SSRF protection are all on; a tenant-wide permission ceiling applies",
		Match:     MatchLogto,
		Cache:     CacheBounds{Known: true, Fixed: 86400 * time.Second, Note: "a cached document may be up to 24 hours old"},
		Rows: []Constraint{
			{Code: "server-url-length", Kind: Refuses, Base: "url-length", Source: "a",
				Reason: "a client_id may be at most 2048 characters", when: fURLLength, check: logtoLength},
			{Code: "server-redirect-uri", Kind: Refuses, Base: "redirect-wildcard", Source: "a",
				Reason: "a \"*\" entry must be a valid Logto wildcard pattern (http or https, \"*\" in the host or path only)", when: fStar, check: logtoWildcard},
			{Code: "server-forbidden-field", Kind: Refuses, Source: "a",
				Reason: "Logto's private client metadata keys (extraClientMetadataKeys; the names were not read)"},
			{Code: "server-field-value", Kind: Refuses, Source: "a",
				Reason: "an id_token_signed_response_alg the tenant's key cannot sign"},
		},
	},
	{
		Name: "pingfederate", Title: "PingFederate",
		Sources:   map[string]string{"a": "PingFederate 13.1, configuring CIMD policies"},
		Admission: "a CIMD policy's metadata URL pattern matches it (and sets its grants, DPoP and token settings)",
		Match:     MatchUnknown,
		Rows: []Constraint{
			{Code: "server-redirect-uri", Kind: Refuses, Source: "a",
				Reason: "loopback redirects (localhost, 127.0.0.1, ::1) are blocked unless the policy sets \"Allow Loopback Redirect URIs\"", when: fLoopback, check: anyLoopback},
		},
	},
	{
		Name: "servicenow", Title: "ServiceNow",
		Sources:   map[string]string{"a": "ServiceNow docs, CIMD inbound"},
		Admission: "an admin registers it; in \"Static\" mode it is never re-read",
		Match:     MatchExact,
		Cache:     CacheBounds{Known: true, Fixed: 3600 * time.Second, Note: "a per-client lifespan (default 3600 s); \"Static\" never re-reads"},
		Rows: []Constraint{
			{Code: "server-auth-method", Kind: Refuses, Source: "a",
				Reason: "public clients only (token_endpoint_auth_method \"none\", no private_key_jwt)", when: fMethodNotNone, check: methodNot("none", false)},
			{Code: "server-grant-types", Kind: Degrades, Source: "a",
				Reason: "authorization code with PKCE and response type code only (whether others are filtered is not stated)", when: fGrants | fResponses, check: servicenowGrants},
			{Code: "server-redirect-match", Kind: Degrades, Source: "a",
				Reason: "\"the instance exact-matches the request\"", when: fPortless, check: portless},
			{Code: "server-required-field", Kind: Refuses, Base: "doc-redirect-uris-missing", Source: "a",
				Reason: "client_id, redirect_uris and a JSON content type are required", when: fNoRedirects, check: redirectsMissing(false)},
		},
	},
	{
		Name: "oracle", Title: "Oracle Cloud Infrastructure Identity",
		Sources:   map[string]string{"a": "OCI Identity release notes, client ID metadata documents"},
		Admission: "its identity domain lists the metadata location as trusted, and a resource app admits it",
		Match:     MatchLoopbackAnyPort,
		Rows: []Constraint{
			{Code: "server-jwks", Kind: Degrades, Source: "a", Inferred: true,
				Reason: "a confidential client's keys must be at a JWKS endpoint (jwks_uri), not inline", when: fJWKS, check: inlineJWKS},
		},
	},
	{
		Name: "entra", Title: "Microsoft Entra Agent ID (public preview)",
		Sources:   map[string]string{"a": "Microsoft Entra Agent ID, client ID metadata documents"},
		Admission: "a tenant admin adds it and grants delegated permissions where user consent is unavailable; it becomes an agent identity",
		Match:     MatchUnknown,
		Rows: []Constraint{
			{Code: "server-grant-types", Kind: Refuses, Source: "a",
				Reason: "\"CIMD clients can't use the client credentials grant\"", when: fGrants, check: onlyGrant("client_credentials")},
			{Code: "server-auth-method", Kind: Degrades, Source: "a", Inferred: true,
				Reason: "browser code flow with PKCE for public clients; private_key_jwt is not described", when: fMethodPKJ, check: methodIs("private_key_jwt")},
		},
	},
	{
		Name: "clerk", Title: "Clerk (beta)",
		Sources:   map[string]string{"a": "Clerk docs, client ID metadata documents"},
		Admission: "the instance allows this client, or all unknown clients",
		Match:     MatchUnknown,
		Rows: []Constraint{
			{Code: "server-required-field", Kind: Refuses, Source: "a",
				Reason: "client_name and at least one redirect URI are required, under either RULES profile", when: fNameBlank | fNoRedirects, check: clerkRequired},
		},
	},
	{
		Name: "tolgee", Title: "Tolgee",
		Sources: map[string]string{"a": "tolgee-platform docs/oauth"},
		Match:   MatchUnknown,
		Cache:   CacheBounds{Known: true, Fixed: 900 * time.Second, Note: "re-checked every 5 minutes, each client at most every 15 minutes"},
		Rows: []Constraint{
			{Code: "server-url-query", Kind: Refuses, Base: "url-query", Source: "a",
				Reason: "a client_id must not have a query", when: fURLQuery, check: urlQuery(false)},
			{Code: "server-cache", Kind: Note, Source: "a",
				Reason: "re-checks every 5 minutes (each client at most every 15): a changed redirect set deletes grants, a 404 retires the client after 60 minutes, an unreadable document forces re-consent after 7 days", always: true},
		},
	},
	{
		Name: "django-oauth-toolkit", Title: "django-oauth-toolkit",
		Sources:   map[string]string{"a": "django-oauth-toolkit#1857, PR #1852"},
		Admission: "the deployment sets CIMD_ENABLED (default False)",
		Match:     MatchUnknown,
		Rows: []Constraint{
			{Code: "server-auth-method", Kind: Refuses, Source: "a",
				Reason: "only \"none\" is accepted, and token_endpoint_auth_methods_supported is ignored", when: fMethodNotNone, check: methodNot("none", false)},
		},
	},
	{
		Name: "gravitee", Title: "Gravitee Access Management 4.12",
		Sources:   map[string]string{"a": "Gravitee AM docs, CIMD"},
		Admission: "an allowed domain lists its host; the document is merged with a template application",
		Match:     MatchUnknown,
		Cache:     CacheBounds{Known: true, Fixed: 86400 * time.Second, Note: "a TTL of 3600 s in the docs (a reviewer says 86400 s)"},
		Rows: []Constraint{
			{Code: "server-cache", Kind: Note, Source: "a",
				Reason: "keeps the document for a TTL of 3600 s by its docs (86400 s by a reviewer), whatever Cache-Control says", always: true},
		},
	},
	{
		Name: "qlik", Title: "Qlik Cloud",
		Sources:   map[string]string{"a": "qlik.dev, OAuth client ID metadata documents"},
		Admission: "a tenant admin approves it in a consent form",
		Match:     MatchUnknown,
		Rows: []Constraint{
			{Code: "server-grant-types", Kind: Refuses, Source: "a",
				Reason: "client_credentials as the only grant is refused", when: fGrants, check: onlyGrant("client_credentials")},
		},
	},
	{
		Name: "janssen", Title: "Janssen",
		Sources:   map[string]string{"a": "docs.jans.io CIMD"},
		Admission: "the CIMD flag is on and a domain control admits its host",
		Match:     MatchUnknown,
		Cache:     CacheBounds{Known: true, UsesMaxAge: true, Note: "the client is kept for a TTL taken from Cache-Control"},
	},
	{Name: "stytch", Title: "Stytch", Admission: "CIMD is enabled in the dashboard or with Terraform", Match: MatchUnknown},
	{Name: "workos", Title: "WorkOS", Admission: "WorkOS support enables CIMD on WorkOS Connect (\"contact us\")", Match: MatchUnknown},
	{Name: "scalekit", Title: "Scalekit", Admission: "CIMD is enabled for the environment (it offers DCR and CIMD)", Match: MatchUnknown},
	{Name: "descope", Title: "Descope", Admission: "CIMD is turned on (it is off by default) and its domain is approved", Match: MatchUnknown},
})

// The checks. Each returns a hit per breach; most rows need one.

// one is a single hit, in the subject's scratch buffer.
func (s *subject) one(field, detail string) []hit {
	return append(s.scratch(), hit{field: field, detail: detail})
}

func urlQuery(nonEmpty bool) func(*subject) []hit {
	return func(s *subject) []hit {
		if s.p.hasQuery && (!nonEmpty || s.p.query != "") {
			return s.one("", "")
		}
		return nil
	}
}

func urlLongerThan(n int) func(*subject) []hit {
	return func(s *subject) []hit {
		if len(s.url) > n {
			return s.one("", "the client_id is "+strconv.Itoa(len(s.url))+" bytes")
		}
		return nil
	}
}

func cognitoLength(s *subject) []hit {
	if n := utf8.RuneCountInString(s.url); n < 12 || n > 256 {
		return s.one("", "the client_id is "+strconv.Itoa(n)+" characters")
	}
	return nil
}

func logtoLength(s *subject) []hit {
	if n := utf8.RuneCountInString(s.url); n > 2048 {
		return s.one("", "the client_id is "+strconv.Itoa(n)+" characters")
	}
	return nil
}

func urlPath(paths ...string) func(*subject) []hit {
	return func(s *subject) []hit {
		if s.p.hasAuthority && slices.Contains(paths, s.p.path) {
			return s.one("", "")
		}
		return nil
	}
}

func auth0Host(s *subject) []hit {
	h := strings.ToLower(s.host)
	if h == "localhost" || h == "127.0.0.1" || h == "::1" {
		return s.one("", "the host is "+s.host)
	}
	if s.p.hasPort && s.p.port == "0" {
		return s.one("", "the port is 0")
	}
	return nil
}

func upperHost(s *subject) []hit {
	if strings.ToLower(s.host) != s.host {
		return s.one("", "the host "+quote(s.host)+" has upper-case letters")
	}
	return nil
}

func auth0JWKS(s *subject) []hit {
	if s.has("jwks") {
		return s.one("jwks", "the document has inline jwks")
	}
	if s.method() == "private_key_jwt" && !s.has("jwks_uri") {
		return s.one("token_endpoint_auth_method", "private_key_jwt without jwks_uri")
	}
	return nil
}

func inlineJWKS(s *subject) []hit {
	if s.has("jwks") {
		return s.one("jwks", "")
	}
	return nil
}

// liveBytesOver fires for a response of more than lo and at most hi bytes.
func liveBytesOver(lo, hi int) func(*subject) []hit {
	return func(s *subject) []hit {
		if n := s.http.Bytes; n > lo && n <= hi {
			return s.one("", "the body is "+strconv.Itoa(n)+" bytes")
		}
		return nil
	}
}

func cognitoCache(s *subject) []hit {
	d, ok := MaxAge(s.http.CacheControl)
	if ok && d >= 86400*time.Second && d <= 31556952*time.Second {
		return nil
	}
	what := "there is no max-age"
	if ok {
		what = "max-age is " + strconv.FormatInt(int64(d/time.Second), 10) + " s"
	}
	return s.one("", what)
}

func exactJSONType(s *subject) []hit {
	ct := strings.TrimSpace(s.http.ContentType)
	typ, params, _ := strings.Cut(ct, ";")
	if !strings.EqualFold(strings.TrimSpace(typ), "application/json") {
		return s.one("", "the response is served as "+quote(ct))
	}
	for _, p := range strings.Split(params, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(name, "charset") && !strings.EqualFold(strings.Trim(val, `"`), "utf-8") {
			return s.one("", "the charset is "+quote(val))
		}
	}
	return nil
}

func portless(s *subject) []hit          { return s.portlessLoopback(false) }
func portlessLocalhost(s *subject) []hit { return s.portlessLoopback(true) }

func portlessUnlessNative(s *subject) []hit {
	if at := s.appType; at == "native" {
		return nil
	}
	return s.portlessLoopback(false)
}

func wildcardPort(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if strings.Contains(r.p.port, "*") {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

func wildcardAnywhere(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.star {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

func anyLoopback(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.loopback {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

func hasLoopback(s *subject) bool {
	return slices.ContainsFunc(s.redirects, func(r redirect) bool { return r.loopback })
}

func loopbackNotNative(s *subject) []hit {
	if at := s.appType; hasLoopback(s) && at != "native" {
		return s.one("application_type", "")
	}
	return nil
}

func webWithLoopback(s *subject) []hit {
	if at := s.appType; at == "web" && hasLoopback(s) {
		return s.one("application_type", "")
	}
	return nil
}

// methodNot fires when a declared method is not want; with rescue, a list
// token_endpoint_auth_methods_supported that holds want lets it pass.
func methodNot(want string, rescue bool) func(*subject) []hit {
	return func(s *subject) []hit {
		m, ok := s.methodStr, s.methodOK
		if !ok || m == want || (rescue && s.listsNone()) {
			return nil
		}
		return s.one("token_endpoint_auth_method", "the method is "+quote(m))
	}
}

func methodIn(allowed ...string) func(*subject) []hit {
	return func(s *subject) []hit {
		if m, ok := s.methodStr, s.methodOK; ok && !slices.Contains(allowed, m) {
			return s.one("token_endpoint_auth_method", "the method is "+quote(m))
		}
		return nil
	}
}

func methodIs(m string) func(*subject) []hit {
	return func(s *subject) []hit {
		if s.method() == m {
			return s.one("token_endpoint_auth_method", "")
		}
		return nil
	}
}

// methodHit is shared: a hit is never changed once made.
var methodHit = []hit{{field: "token_endpoint_auth_method"}}

func methodDeclared(s *subject) []hit {
	if s.methodOK {
		return methodHit
	}
	return nil
}

func ownListsAgree(s *subject) []hit {
	out := s.scratch()
	if isList, has := s.lists("token_endpoint_auth_methods_supported", s.methodStr); isList {
		if m, ok := s.methodStr, s.methodOK; ok && !has {
			out = append(out, hit{field: "token_endpoint_auth_method", detail: quote(m) + " is not in token_endpoint_auth_methods_supported"})
		}
	}
	a, isStr := s.str("token_endpoint_auth_signing_alg")
	if isList, has := s.lists("token_endpoint_auth_signing_alg_values_supported", a); isList {
		if isStr && !has {
			out = append(out, hit{field: "token_endpoint_auth_signing_alg", detail: quote(a) + " is not in token_endpoint_auth_signing_alg_values_supported"})
		}
	}
	return out
}

func grantListed(g string) func(*subject) []hit {
	return func(s *subject) []hit {
		if slices.Contains(s.grants(), g) {
			return s.one("grant_types", "")
		}
		return nil
	}
}

func onlyGrant(g string) func(*subject) []hit {
	return func(s *subject) []hit {
		if gs := s.grants(); len(gs) > 0 && !slices.ContainsFunc(gs, func(x string) bool { return x != g }) {
			return s.one("grant_types", "")
		}
		return nil
	}
}

func responseListed(r string) func(*subject) []hit {
	return func(s *subject) []hit {
		if slices.Contains(s.responses(), r) {
			return s.one("response_types", "")
		}
		return nil
	}
}

func grantsBeyond(allowed ...string) func(*subject) []hit {
	return func(s *subject) []hit {
		for _, g := range s.grants() {
			if !slices.Contains(allowed, g) {
				return s.one("grant_types", "the grant "+quote(g))
			}
		}
		return nil
	}
}

// afterFilter drops the grants and response types a server does not support
// (only authorization_code, refresh_token and code survive) and fires when
// authorization_code and code do not come together; with both, when either
// is missing.
func afterFilter(both bool) func(*subject) []hit {
	return func(s *subject) []hit {
		ac := slices.Contains(s.grants(), "authorization_code")
		code := slices.Contains(s.responses(), "code")
		if ac != code || (both && !ac) {
			return s.one("grant_types", "")
		}
		return nil
	}
}

func keycloakConfidentialGrant(s *subject) []hit {
	if m := s.method(); m != "" && m != "none" {
		return nil
	}
	if slices.Contains(s.grants(), "urn:ietf:params:oauth:grant-type:jwt-bearer") {
		return s.one("grant_types", "")
	}
	return nil
}

func oidcGrants(s *subject) []hit {
	if gs := s.grants(); !slices.Contains(gs, "authorization_code") && !slices.Contains(gs, "refresh_token") {
		return s.one("grant_types", "")
	}
	return nil
}

func servicenowGrants(s *subject) []hit {
	for _, g := range s.grants() {
		if g != "authorization_code" && g != "refresh_token" {
			return s.one("grant_types", "the grant "+quote(g))
		}
	}
	for _, r := range s.responses() {
		if r != "code" {
			return s.one("response_types", "the response type "+quote(r))
		}
	}
	return nil
}

func betterAuthGrants(s *subject) []hit {
	gs, ok := s.grantBuf, s.grantsGiven
	if !ok {
		return nil
	}
	if !slices.Contains(gs, "authorization_code") {
		return s.one("grant_types", "grant_types lacks authorization_code")
	}
	for _, g := range gs {
		if g != "authorization_code" && g != "refresh_token" {
			return s.one("grant_types", "the grant "+quote(g))
		}
	}
	return nil
}

func clientNameMissing(s *subject) []hit {
	if n, _ := s.str("client_name"); strings.TrimSpace(n) == "" {
		return s.one("client_name", "")
	}
	return nil
}

// redirectsMissing fires for an absent or empty redirect_uris; with
// grantsExempt, an absent one is fine when no grant needs a redirect.
func redirectsMissing(grantsExempt bool) func(*subject) []hit {
	return func(s *subject) []hit {
		v, ok := s.get("redirect_uris")
		if !ok {
			gs := s.grants()
			if grantsExempt && !slices.Contains(gs, "authorization_code") && !slices.Contains(gs, "implicit") {
				return nil
			}
			return s.one("redirect_uris", "redirect_uris is absent")
		}
		if a, isList := v.([]any); !isList || len(a) == 0 {
			return s.one("redirect_uris", "redirect_uris is empty")
		}
		return nil
	}
}

func clerkRequired(s *subject) []hit {
	out := clientNameMissing(s)
	if len(s.redirects) == 0 {
		out = append(out, hit{field: "redirect_uris", detail: "there is no redirect URI"})
	}
	return out
}

func fastmcpRedirects(s *subject) []hit {
	if h := redirectsMissing(false)(s); h != nil {
		return h
	}
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.scheme == "urn" {
			continue
		}
		if strings.TrimSpace(r.raw) == "" || r.p.scheme == "" || (r.p.hasAuthority && r.p.host == "") ||
			(!r.p.hasAuthority && (r.scheme == "http" || r.scheme == "https")) {
			out = append(out, rhit(r, " lacks a scheme or a host"))
		}
	}
	return out
}

func fastmcpNoHost(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.scheme != "" && r.scheme != "http" && r.scheme != "https" && r.scheme != "urn" && (!r.p.hasAuthority || r.p.host == "") {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

func cloudflareScheme(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		switch {
		case cloudflareUnsafe(r.scheme):
			out = append(out, rhit(r, " uses the scheme "+r.scheme+":"))
		case r.control:
			out = append(out, rhit(r, " has a control character"))
		}
	}
	return out
}

func betterAuthScheme(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.scheme == "http" || r.scheme == "https" {
			continue
		}
		rest := r.raw[min(len(r.raw), len(r.p.scheme)+1):]
		if !strictReverseDomain(r.p.scheme) || !strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "//") {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

// strictReverseDomain reports whether scheme is a reverse domain name: at least
// two non-empty labels of letters, digits and '-'.
func strictReverseDomain(scheme string) bool {
	labels := strings.Split(scheme, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || strings.Trim(strings.ToLower(l), "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

// cloudflareUnsafe: unsafeSchemes, and mailto: and blob:.
func cloudflareUnsafe(scheme string) bool {
	switch scheme {
	case "javascript", "data", "file", "vbscript", "mailto", "blob":
		return true
	}
	return false
}

func goURLHTTP(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.scheme != "http" && r.scheme != "https" {
			out = append(out, rhit(r, " is not http or https"))
		} else if !r.plain {
			if _, err := url.Parse(r.raw); err == nil {
				continue
			}
			out = append(out, rhit(r, " does not parse"))
		}
	}
	return out
}

// plainByte marks the bytes a plain redirect entry is made of (see
// redirect.plain).
var plainByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~/?=&:", byte(c)) >= 0
	}
	return t
}()

func logtoWildcard(s *subject) []hit {
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if !r.star {
			continue
		}
		if (r.scheme != "http" && r.scheme != "https") || strings.Contains(r.p.scheme, "*") ||
			strings.Contains(r.p.port, "*") || r.p.hasUserinfo || r.p.hasQuery && strings.Contains(r.p.query, "*") ||
			r.p.hasFragment {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

func privateURIs(keys ...string) func(*subject) []hit {
	return func(s *subject) []hit {
		out := s.scratch()
		for i := range s.uris {
			m := &s.uris[i]
			k := uriMembers[i]
			if !m.ok || !slices.Contains(keys, k) {
				continue
			}
			p := m.p
			if h := trimBrackets(p.host); p.hasAuthority && maybePrivate(h) && privateHost(h) != "" {
				out = append(out, hit{field: k, detail: "the host of " + k + " is " + privateHost(h)})
			}
		}
		return out
	}
}

// metadataNames are cloud instance-metadata host names.
var metadataNames = []string{"metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal"}

func betterAuthURIs(s *subject) []hit {
	out := s.scratch()
	for i := range s.uris {
		m := &s.uris[i]
		k := uriMembers[i]
		if !m.ok || k == "jwks_uri" {
			continue
		}
		p := m.p
		h := lowerASCII(strings.TrimSuffix(trimBrackets(p.host), "."))
		switch {
		case strings.EqualFold(p.scheme, "javascript"):
			out = append(out, hit{field: k, detail: k + " uses javascript:"})
		case p.hasUserinfo:
			out = append(out, hit{field: k, detail: k + " has a userinfo"})
		case p.hasAuthority && (maybePrivate(h) && privateHost(h) != "" || slices.Contains(metadataNames, h)):
			out = append(out, hit{field: k, detail: "the host of " + k + " is private, loopback or cloud metadata"})
		}
	}
	return out
}

// maybePrivate is a cheap test before privateHost, which parses: only a
// name ending in "localhost" or an address (which starts with a digit or,
// for IPv6, a hex digit or colon and holds a colon) can be private without
// DNS.
func maybePrivate(host string) bool {
	if host == "" {
		return false
	}
	c := host[0]
	if '0' <= c && c <= '9' || strings.Contains(host, ":") {
		return true
	}
	// The suffix compared without lower-casing the host: only ASCII
	// letters lower-case to those of "localhost".
	h := strings.TrimSuffix(host, ".")
	return len(h) >= len("localhost") && equalFoldASCII(h[len(h)-len("localhost"):], "localhost")
}

func notHTTPS(keys ...string) func(*subject) []hit {
	return func(s *subject) []hit {
		out := s.scratch()
		for _, k := range keys {
			if v, ok := s.str(k); ok && !(len(v) >= 6 && strings.EqualFold(v[:6], "https:")) {
				out = append(out, hit{field: k, detail: k + " is not https:"})
			}
		}
		return out
	}
}

func betterAuthTypes(s *subject) []hit {
	out := s.scratch()
	if v, ok := s.get("application_type"); ok {
		if at, _ := v.(string); at != "web" && at != "native" {
			out = append(out, hit{field: "application_type", detail: "application_type is " + jsonValue(v)})
		}
	}
	if v, ok := s.get("contacts"); ok {
		if _, isList := v.([]any); !isList {
			out = append(out, hit{field: "contacts", detail: "contacts is a JSON " + JSONKind(v)})
		}
	}
	if v, ok := s.get("scope"); ok {
		if _, isStr := v.(string); !isStr {
			out = append(out, hit{field: "scope", detail: "scope is a JSON " + JSONKind(v)})
		}
	}
	if v, ok := s.get("dpop_bound_access_tokens"); ok {
		if _, isBool := v.(bool); !isBool {
			out = append(out, hit{field: "dpop_bound_access_tokens", detail: "dpop_bound_access_tokens is a JSON " + JSONKind(v)})
		}
	}
	return out
}

// forbiddenMembers: the server-control members better-auth refuses that its
// tests name (it has 33; the rest were not read), and the backchannel
// logout members. newSubject collects them.
func forbiddenMembers(s *subject) []hit {
	out := s.scratch()
	for _, k := range s.forbidden {
		out = append(out, hit{field: k, member: true})
	}
	return out
}

func unknownKeys(s *subject) []hit {
	out := s.scratch()
	for _, k := range s.unknown {
		out = append(out, hit{field: k, member: true})
	}
	return out
}

// keycloakSameDomain compares the last two labels of each https redirect
// host with the client_id's: the trusted domain a policy sets is not known,
// and this is the usual one.
func keycloakSameDomain(s *subject) []hit {
	base := lastLabels(s.host)
	out := s.scratch()
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.scheme == "https" && !r.loopback && lastLabels(r.host) != base {
			out = append(out, rhit(r, " is not under "+base))
		}
	}
	return out
}

// lastLabels is the last two labels of host, lower-cased only when
// needed.
func lastLabels(host string) string {
	host = strings.TrimSuffix(host, ".")
	if i := strings.LastIndexByte(host, '.'); i >= 0 {
		if j := strings.LastIndexByte(host[:i], '.'); j >= 0 {
			host = host[j+1:]
		}
	}
	return lowerASCII(host)
}

// lowerASCII lower-cases s without allocating when it has no upper case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func betterAuthOrigin(s *subject) []hit {
	if !isWeb(s.p) {
		return nil
	}
	out := s.scratch()
	// other adds a hit for an entry off the client_id's origin; r names a
	// redirect_uris entry, whose field and quote are made only if shown.
	other := func(r *redirect, field, raw string, p uriParts) {
		if host := trimBrackets(p.host); isWeb(p) && !(maybeLoopback(host) && isLoopbackHost(host)) && !sameOrigin(p, s.p) {
			o, _ := webOrigin(p)
			origin, _ := webOrigin(s.p)
			if r != nil {
				out = append(out, rhit(r, " is on "+o+", not "+origin))
				return
			}
			out = append(out, hit{field: field, detail: quote(raw) + " is on " + o + ", not " + origin})
		}
	}
	for i := range s.redirects {
		// other's test on the entry's parts as they are, without making
		// a uriParts of them per entry: a loopback entry is one of an
		// http(s) URI with a host, which isWeb asks too.
		r := &s.redirects[i]
		if !r.loopback && (r.scheme == "http" || r.scheme == "https") && r.p.hasAuthority && r.p.host != "" &&
			!sameOriginOf(r.scheme, r.p.host, r.p.hasPort, r.p.port, s.p) {
			other(r, "", r.raw, r.p.full())
		}
	}
	if l, ok := s.strings("post_logout_redirect_uris"); ok {
		for i, v := range l {
			other(nil, "post_logout_redirect_uris["+strconv.Itoa(i)+"]", v, splitURI(v))
		}
	}
	if p, ok := s.uriField("client_uri"); ok {
		v, _ := s.str("client_uri")
		other(nil, "client_uri", v, p)
	}
	return out
}

// sameOrigin reports whether two http(s) URIs have one origin, as webOrigin
// says, without building the strings.
func sameOrigin(a, b uriParts) bool {
	return sameOriginOf(a.scheme, a.host, a.hasPort, a.port, b)
}

// sameOriginOf is sameOrigin of the URI of the parts scheme, host and port
// and b.
func sameOriginOf(scheme, host string, hasPort bool, port string, b uriParts) bool {
	return equalFoldASCII(scheme, b.scheme) && equalFoldASCII(host, b.host) &&
		originPort(scheme, hasPort, port) == originPort(b.scheme, b.hasPort, b.port)
}

// originPort is the port of an origin: "" for none or the scheme's default.
func originPort(scheme string, hasPort bool, port string) string {
	switch {
	case !hasPort, port == "", equalFoldASCII(scheme, "https") && port == "443", equalFoldASCII(scheme, "http") && port == "80":
		return ""
	}
	return port
}

// isWeb reports whether p is an http(s) URI with a host.
func isWeb(p uriParts) bool {
	return (equalFoldASCII(p.scheme, "http") || equalFoldASCII(p.scheme, "https")) && p.hasAuthority && p.host != ""
}

// webOrigin is the origin of an http(s) URI split into p, as originOf
// makes it (host lower-cased, default port dropped), without parsing it.
func webOrigin(p uriParts) (string, bool) {
	scheme := lowerASCII(p.scheme)
	if (scheme != "http" && scheme != "https") || !p.hasAuthority || p.host == "" {
		return "", false
	}
	host := lowerASCII(p.host)
	switch {
	case !p.hasPort, p.port == "", scheme == "https" && p.port == "443", scheme == "http" && p.port == "80":
		return scheme + "://" + host, true
	}
	return scheme + "://" + host + ":" + p.port, true
}

// betterAuthJWKS checks the JWK Set shapes better-auth refuses.
func betterAuthJWKS(s *subject) []hit {
	out := s.scratch()
	if v, ok := s.str("jwks_uri"); ok {
		if p := splitURI(v); p.hasUserinfo || p.hasFragment {
			out = append(out, hit{field: "jwks_uri", detail: "jwks_uri has a userinfo or a fragment"})
		}
	}
	v, ok := s.get("jwks")
	if !ok {
		return out
	}
	set, _ := v.(map[string]any)
	keys, isList := set["keys"].([]any)
	switch {
	case set == nil || !isList:
		return append(out, hit{field: "jwks", detail: "jwks is not a JWK Set"})
	case len(keys) == 0:
		return append(out, hit{field: "jwks.keys", detail: "jwks.keys is empty"})
	}
	for i, k := range keys {
		field := fmt.Sprintf("jwks.keys[%d]", i)
		key, _ := k.(map[string]any)
		if why := signingKeyProblem(key); why != "" {
			out = append(out, hit{field: field, detail: why})
		}
	}
	return out
}

// signingKeyProblem says what makes key unusable as a public signing key, or "".
func signingKeyProblem(key map[string]any) string {
	if key == nil {
		return "the key is not an object"
	}
	str := func(k string) string { v, _ := key[k].(string); return v }
	kty, crv, alg := str("kty"), str("crv"), str("alg")
	switch kty {
	case "oct":
		return "an oct (symmetric) key"
	case "RSA":
		if str("n") == "" || str("e") == "" {
			return "an RSA key without n and e"
		}
		if alg != "" && !slices.Contains([]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}, alg) {
			return "alg " + quote(alg) + " does not fit an RSA key"
		}
	case "EC":
		want := map[string]string{"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}[crv]
		if want == "" || str("x") == "" || str("y") == "" {
			return "an EC key without a known crv, x and y"
		}
		if alg != "" && alg != want {
			return "alg " + quote(alg) + " does not fit crv " + crv
		}
	case "OKP":
		if crv == "Ed448" {
			return "an Ed448 key"
		}
		if crv != "Ed25519" || str("x") == "" {
			return "an OKP key without crv Ed25519 and x"
		}
		if alg != "" && alg != "EdDSA" && alg != "Ed25519" {
			return "alg " + quote(alg) + " does not fit crv " + crv
		}
	default:
		return "kty " + quote(kty) + " is not RSA, EC or OKP"
	}
	return ""
}

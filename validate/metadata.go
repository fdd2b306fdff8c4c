package validate

import "strings"

// This file is the one place that knows which member names mean what: the
// registered client metadata, the fields of each JSON type, the URL-valued
// and internationalised fields, and the authorization-server metadata that
// people paste into a client document by mistake.

// registeredFields are the client metadata names a server may know: RFC 7591
// (including its response fields, which the draft forbids or ignores but
// which are not unknown), RFC 7592, OpenID Connect Dynamic Client
// Registration and RP-initiated/front-/back-channel logout, and the later
// OAuth extensions that register client metadata (mTLS, DPoP, PAR, JAR,
// JARM, RAR, JWT introspection, CIBA). Anything else gets doc-unknown-field.
var registeredFields = setOf(
	// RFC 7591 §2 and §3.2.1.
	"redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types",
	"client_name", "client_uri", "logo_uri", "scope", "contacts", "tos_uri",
	"policy_uri", "jwks_uri", "jwks", "software_id", "software_version",
	"software_statement", "client_id", "client_secret", "client_id_issued_at",
	"client_secret_expires_at",
	// RFC 7592.
	"registration_access_token", "registration_client_uri",
	// OpenID Connect Dynamic Client Registration 1.0 §2.
	"application_type", "sector_identifier_uri", "subject_type",
	"id_token_signed_response_alg", "id_token_encrypted_response_alg",
	"id_token_encrypted_response_enc", "userinfo_signed_response_alg",
	"userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc",
	"request_object_signing_alg", "request_object_encryption_alg",
	"request_object_encryption_enc", "token_endpoint_auth_signing_alg",
	"default_max_age", "require_auth_time", "default_acr_values",
	"initiate_login_uri", "request_uris",
	// OpenID Connect logout specifications.
	"post_logout_redirect_uris", "frontchannel_logout_uri",
	"frontchannel_logout_session_required", "backchannel_logout_uri",
	"backchannel_logout_session_required",
	// RFC 8705 (mTLS), RFC 9449 (DPoP), RFC 9126 (PAR), RFC 9101 (JAR).
	"tls_client_auth_subject_dn", "tls_client_auth_san_dns", "tls_client_auth_san_uri",
	"tls_client_auth_san_ip", "tls_client_auth_san_email",
	"tls_client_certificate_bound_access_tokens", "dpop_bound_access_tokens",
	"require_pushed_authorization_requests", "require_signed_request_object",
	// JARM, RFC 9396 (RAR), RFC 9701 (JWT introspection responses), CIBA.
	"authorization_signed_response_alg", "authorization_encrypted_response_alg",
	"authorization_encrypted_response_enc", "authorization_details_types",
	"introspection_signed_response_alg", "introspection_encrypted_response_alg",
	"introspection_encrypted_response_enc", "backchannel_token_delivery_mode",
	"backchannel_client_notification_endpoint",
	"backchannel_authentication_request_signing_alg", "backchannel_user_code_parameter",
	// The rest of the IANA "OAuth Dynamic Client Registration Metadata"
	// registry as of 2026-11 (RULES.md §7): UMA 2.0, ETSI NFV, the CSC
	// signature API, OpenID Federation.
	"claims_redirect_uris", "nfv_token_signed_response_alg", "nfv_token_encrypted_response_alg",
	"nfv_token_encrypted_response_enc", "digest_algorithm",
	"client_registration_types", "signed_jwks_uri",
	// Client metadata by the CIMD draft's reading (PR #99): the methods the
	// client can use. It is not server metadata despite its "_supported".
	"token_endpoint_auth_methods_supported",
)

// serverMetadataFields are RFC 8414 authorization-server metadata names that
// are not also client metadata (jwks_uri is both, so it is not here). Any
// other name ending in "_supported" counts too: RFC 8414 and OpenID
// Discovery use that suffix only for server capabilities. Protected-resource
// metadata (RFC 9728: resource, authorization_servers) is not listed: it is
// not the server's, and doc-unknown-field describes it well enough.
var serverMetadataFields = setOf(
	"issuer", "authorization_endpoint", "token_endpoint", "registration_endpoint",
	"userinfo_endpoint", "end_session_endpoint", "revocation_endpoint",
	"introspection_endpoint", "device_authorization_endpoint",
	"pushed_authorization_request_endpoint", "backchannel_authentication_endpoint",
	"service_documentation", "op_policy_uri", "op_tos_uri", "mtls_endpoint_aliases",
	"require_request_uri_registration", "signed_metadata",
)

func isServerMetadata(key string) bool {
	return serverMetadataFields[key] || strings.HasSuffix(key, "_supported") && !registeredFields[key]
}

// i18nFields are the names RFC 7591 §2.2 allows a "#tag" variant of.
var i18nFields = setOf("client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri")

// urlFields are the URL-valued fields checked by doc-unsafe-uri and
// doc-uri-not-https. Their "#tag" variants are URL-valued too; jwks_uri has
// none, since RFC 7591 does not let it be localised.
var urlFields = setOf("client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri")

// stringArrayFields, stringFields, boolFields and numberFields are the
// registered fields whose JSON type doc-field-type checks; jwks, which must
// be an object, is handled on its own.
var (
	stringArrayFields = setOf("redirect_uris", "grant_types", "response_types", "contacts",
		"post_logout_redirect_uris", "token_endpoint_auth_methods_supported")
	stringFields = setOf(
		"client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri",
		"scope", "software_id", "software_version", "token_endpoint_auth_method",
		"application_type", "software_statement",
	)
	boolFields   = setOf("dpop_bound_access_tokens", "require_auth_time")
	numberFields = setOf("default_max_age")
)

// publicAuthMethods are the token_endpoint_auth_method values that involve no
// shared secret; any absolute URI is allowed too, as an extension method.
var publicAuthMethods = setOf("none", "private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth")

// unsafeSchemes run code or read local files when a browser follows them.
var unsafeSchemes = setOf("javascript", "data", "file", "vbscript")

// splitTag splits an RFC 7591 §2.2 key "client_name#en-US" at its first '#'.
func splitTag(key string) (base, tag string, ok bool) {
	return strings.Cut(key, "#")
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

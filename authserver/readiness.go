package authserver

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/cimd-dev/cimd/validate"
)

// sharedSecretMethods are the token endpoint auth methods that need a
// client secret, which a CIMD client never has.
var sharedSecretMethods = []string{"client_secret_basic", "client_secret_post", "client_secret_jwt"}

// Readiness runs the readiness rules of RULES.md §6 that read the server's
// metadata and the client's document: https endpoints, the CIMD flag, the
// auth method and its order, PKCE S256, the code response type, grant types,
// signing algorithms for private_key_jwt and the RFC 9207 iss parameter.
// doc is the decoded client document (nil is read as an empty one: cimd's
// defaults). The findings come in RULES.md order.
func Readiness(md *Metadata, doc map[string]any) []validate.Finding {
	var fs []validate.Finding
	add := func(rule string, sev validate.Severity, format string, args ...any) {
		fs = append(fs, finding(rule, sev, fmt.Sprintf(format, args...)))
	}

	for _, e := range []struct{ name, value string }{
		{"issuer", md.Issuer},
		{"authorization_endpoint", md.AuthorizationEndpoint},
		{"token_endpoint", md.TokenEndpoint},
	} {
		if e.value != "" && !isHTTPS(e.value) {
			add("as-endpoint-not-https", validate.Error, "the server's %s %q is not https", e.name, bound(e.value, 200))
		}
	}

	if !md.CIMD() {
		why := "the metadata has no client_id_metadata_document_supported"
		if md.CIMDSupported != nil {
			why = fmt.Sprintf("client_id_metadata_document_supported is %s, not the boolean true", bound(jsonText(md.CIMDSupported), 40))
		}
		add("as-cimd-unsupported", validate.Error, "%s: MCP clients will register dynamically instead (or fail where registration is off), and the server will treat the client_id URL as an unknown client", why)
	}

	method := docString(doc, "token_endpoint_auth_method")
	if method == "" {
		method = "none"
	}
	methods, listed := md.TokenEndpointAuthMethodsSupported, md.Present["token_endpoint_auth_methods_supported"]
	if !listed {
		methods = []string{"client_secret_basic"} // RFC 8414 §2 default
	}
	if !slices.Contains(methods, method) {
		msg := fmt.Sprintf("the document's token_endpoint_auth_method %q is not among the server's token_endpoint_auth_methods_supported %s", method, list(methods, listed))
		if method == "none" {
			msg += ": Claude, Codex and opencode then fall back to dynamic registration"
			if md.RegistrationEndpoint == "" {
				msg += ", which this server does not offer, so their login fails"
			}
		} else if alt := shared(docStrings(doc, "token_endpoint_auth_methods_supported"), methods); len(alt) > 0 {
			msg += fmt.Sprintf(" (the document's token_endpoint_auth_methods_supported offers %s, which servers that negotiate, such as cloudflare and toolhive, use instead)", quoteAll(alt))
		}
		add("as-auth-method", validate.Error, "%s", msg)
	}
	if listed && len(methods) > 0 && slices.Contains(sharedSecretMethods, methods[0]) && method != methods[0] {
		add("as-auth-method-order", validate.Warning, "the server lists %q first: clients that take the first listed method (the MCP C# SDK) try a secret they do not have and fail at the token endpoint", bound(methods[0], 60))
	}

	if !slices.Contains(md.CodeChallengeMethodsSupported, "S256") {
		add("as-pkce", validate.Error, "code_challenge_methods_supported %s does not include S256: MCP clients must refuse to continue", list(md.CodeChallengeMethodsSupported, md.Present["code_challenge_methods_supported"]))
	}

	if !slices.ContainsFunc(md.ResponseTypesSupported, isCodeResponseType) {
		add("as-response-type", validate.Error, "response_types_supported %s does not include code", list(md.ResponseTypesSupported, md.Present["response_types_supported"]))
	}

	grants, gListed := md.GrantTypesSupported, md.Present["grant_types_supported"]
	if !gListed {
		grants = []string{"authorization_code", "implicit"} // RFC 8414 §2 default
	}
	for _, g := range docGrants(doc) {
		if !slices.Contains(grants, g) {
			add("as-grant-type", validate.Warning, "the document's grant type %q is not in the server's grant_types_supported %s", bound(g, 80), list(grants, gListed))
		}
	}

	if method == "private_key_jwt" {
		if f := signingAlg(md, doc); f != "" {
			add("as-signing-alg", validate.Error, "%s", f)
		}
	}

	if !md.IssParameterSupported {
		add("as-iss-parameter", validate.Info, "authorization_response_iss_parameter_supported is not true: clients cannot use the RFC 9207 iss parameter against mix-up attacks")
	}
	return fs
}

// shared returns the entries of a that are also in b.
func shared(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// signingAlg returns the as-signing-alg message, or "" when the document's
// algorithms and the server's share one or cannot be known (keys only at a
// jwks_uri and no token_endpoint_auth_signing_alg).
func signingAlg(md *Metadata, doc map[string]any) string {
	var algs []string
	if a := docString(doc, "token_endpoint_auth_signing_alg"); a != "" {
		algs = []string{a}
	} else {
		algs = jwksAlgs(doc["jwks"])
	}
	if len(algs) == 0 {
		return ""
	}
	server := md.TokenEndpointAuthSigningAlgs
	if !md.Present["token_endpoint_auth_signing_alg_values_supported"] {
		return fmt.Sprintf("the server lists no token_endpoint_auth_signing_alg_values_supported, which RFC 8414 requires with private_key_jwt; the document signs with %s", strings.Join(algs, ", "))
	}
	for _, a := range algs {
		if slices.Contains(server, a) {
			return ""
		}
	}
	return fmt.Sprintf("the document signs with %s; the server accepts %s for private_key_jwt", strings.Join(algs, ", "), list(server, true))
}

// jwksAlgs returns the algorithms the inline keys can sign with: a key's
// alg, else what its type implies.
func jwksAlgs(v any) []string {
	set, _ := v.(map[string]any)
	keys, _ := set["keys"].([]any)
	var out []string
	addAlg := func(a ...string) {
		for _, x := range a {
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	for _, k := range keys {
		key, _ := k.(map[string]any)
		if alg, ok := key["alg"].(string); ok && alg != "" {
			addAlg(alg)
			continue
		}
		kty, _ := key["kty"].(string)
		crv, _ := key["crv"].(string)
		switch {
		case kty == "RSA":
			addAlg("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
		case kty == "EC" && crv == "P-256":
			addAlg("ES256")
		case kty == "EC" && crv == "P-384":
			addAlg("ES384")
		case kty == "EC" && crv == "P-521":
			addAlg("ES512")
		case kty == "EC" && crv == "secp256k1":
			addAlg("ES256K")
		case kty == "OKP" && crv == "Ed25519":
			addAlg("EdDSA", "Ed25519")
		case kty == "OKP" && crv == "Ed448":
			addAlg("EdDSA", "Ed448")
		}
	}
	return out
}

// isCodeResponseType: a response type value is a space-separated set
// (RULES.md §7); the client needs exactly {code}.
func isCodeResponseType(s string) bool {
	return strings.Join(strings.Fields(s), " ") == "code"
}

// docGrants returns the document's grant types, RFC 7591's default when
// absent.
func docGrants(doc map[string]any) []string {
	v, ok := doc["grant_types"]
	if !ok {
		return []string{"authorization_code"}
	}
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func docString(doc map[string]any, key string) string {
	s, _ := doc[key].(string)
	return s
}

func docStrings(doc map[string]any, key string) []string {
	arr, _ := doc[key].([]any)
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// list renders a metadata list for a message; absent lists say so.
func list(vs []string, present bool) string {
	if !present {
		if len(vs) == 0 {
			return "(absent)"
		}
		return "(absent, so " + quoteAll(vs) + ")"
	}
	return "[" + quoteAll(vs) + "]"
}

func quoteAll(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", bound(v, 60))
	}
	return strings.Join(q, ", ")
}

func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", x)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", v)
}

func isHTTPS(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && strings.HasPrefix(raw, "https://") && u.Host != ""
}

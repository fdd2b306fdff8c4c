package validate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// CheckDocument runs the document and redirect_uris rules (RULES.md §2-3) on
// body, comparing its client_id with rawURL byte for byte.
//
// When body is not UTF-8 JSON text holding one object, only the rule that
// says so is reported and the map is nil. An empty rawURL means there is no
// URL to compare with, and doc-client-id-mismatch and redirect-cross-origin
// are skipped rather than reported against "".
func CheckDocument(rawURL string, body []byte, opts Options) ([]Finding, map[string]any) {
	return checkDocument(rawURL, body, opts, nil)
}

// checkDocument is CheckDocument; with a subject sub (from the pool,
// empty), it also gives sub the redirects and URL members it splits, for
// fillFrom.
func checkDocument(rawURL string, body []byte, opts Options, sub *subject) ([]Finding, map[string]any) {
	fs, doc, keys := decodeBody(body)
	if doc == nil {
		return fs, nil
	}
	d := &docCheck{doc: doc, keys: keys, url: rawURL, opts: opts, sub: sub}
	d.clientID()
	d.secrets()
	d.jwks()
	d.required()
	d.fieldTypes()
	d.uris()
	d.scope()
	d.grantTypes()
	d.authMethods()
	d.names()
	d.redirects()
	fs = append(fs, d.fs...)
	sortFindings(fs)
	return fs, doc
}

// docCheck carries one decoded document through the §2-3 rules.
type docCheck struct {
	doc  map[string]any
	keys []string // top-level names in document order
	url  string
	opts Options
	fs   findings
	sub  *subject // the profiles' subject that CheckCompat fills as it goes, or nil
}

// str returns doc[key] when it is a string.
func (d *docCheck) str(key string) (string, bool) {
	s, ok := d.doc[key].(string)
	return s, ok
}

func (d *docCheck) has(key string) bool {
	_, ok := d.doc[key]
	return ok
}

func (d *docCheck) clientID() {
	v, present := d.doc["client_id"]
	id, ok := v.(string)
	switch {
	case !present:
		d.fs.add("doc-client-id-missing", Error, "client_id", fmt.Sprintf("the document has no client_id; add \"client_id\": %q", cmp.Or(d.url, "the URL it is served at")))
		return
	case !ok:
		d.fs.add("doc-client-id-missing", Error, "client_id", fmt.Sprintf("client_id is a JSON %s; it must be a string, the URL the document is served at", JSONKind(v)))
		return
	}
	if d.url == "" || id == d.url {
		return
	}
	msg := fmt.Sprintf("client_id %q is not byte-for-byte the URL the document is served at, %q", id, d.url)
	if diffs := urlDifferences(id, d.url); len(diffs) > 0 {
		msg += "; they differ by " + joinAnd(diffs)
	}
	d.fs.add("doc-client-id-mismatch", Error, "client_id", msg+"; servers compare the two as plain strings, so make them identical")
}

// urlDifferences names how two URLs differ when every difference is one the
// rule names (scheme, explicit port, query, trailing slash, letter case), and
// returns nil when something else differs too: a partial list would suggest
// a fix that does not make them equal.
func urlDifferences(got, want string) []string {
	a, b := splitURI(got), splitURI(want)
	var diffs []string
	sameScheme := equalFoldASCII(a.scheme, b.scheme)
	if !sameScheme {
		diffs = append(diffs, "the scheme ("+a.scheme+" vs "+b.scheme+")")
	}
	if a.hasPort != b.hasPort || a.port != b.port {
		diffs = append(diffs, "an explicit port")
	}
	if a.hasQuery != b.hasQuery || a.query != b.query {
		diffs = append(diffs, "the query")
	}
	if strings.HasSuffix(a.path, "/") != strings.HasSuffix(b.path, "/") {
		diffs = append(diffs, "a trailing slash")
	}
	// What is left once the named differences are taken out; the scheme
	// stays in when it only differs in case, so that counts as letter case.
	rest := func(p uriParts) string {
		s := fmt.Sprint(p.hasAuthority, "\x00", p.authority[:len(p.authority)-len(portSuffix(p))], "\x00",
			strings.TrimSuffix(p.path, "/"), "\x00", p.hasFragment, p.fragment)
		if sameScheme {
			s = p.scheme + "\x00" + s
		}
		return s
	}
	ra, rb := rest(a), rest(b)
	switch {
	case ra == rb:
	case strings.EqualFold(ra, rb):
		diffs = append(diffs, "letter case")
	default:
		return nil
	}
	return diffs
}

// portSuffix is the ":port" at the end of p's authority, or "".
func portSuffix(p uriParts) string {
	if !p.hasPort {
		return ""
	}
	return ":" + p.port
}

func joinAnd(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func (d *docCheck) secrets() {
	for _, key := range []string{"client_secret", "client_secret_expires_at"} {
		if d.has(key) {
			d.fs.add("doc-client-secret", Error, key, fmt.Sprintf("remove %s: a metadata document is public, so it must never hold a secret, and a CIMD client has none", key))
		}
	}
	// Method names are compared case-sensitively, as servers do: "None" is
	// not "none". A present null is a wrong type (doc-field-type), not an
	// absent field, and so is any other non-string.
	method, ok := d.str("token_endpoint_auth_method")
	switch {
	case !d.has("token_endpoint_auth_method"):
		d.fs.add("doc-auth-method-missing", Warning, "token_endpoint_auth_method", "token_endpoint_auth_method is absent, so RFC 7591 defaults it to client_secret_basic, which CIMD forbids, and servers disagree on what to assume; set it to \"none\" (or \"private_key_jwt\")")
	case ok && !publicAuthMethods[method] && !isAbsoluteURI(method):
		d.fs.add("doc-auth-method-secret", Error, "token_endpoint_auth_method", fmt.Sprintf("token_endpoint_auth_method %q needs a shared secret, which a CIMD client cannot have; use \"none\" or \"private_key_jwt\"", method))
	}
}

// isAbsoluteURI reports whether s is an RFC 3986 absolute URI: a syntactically
// valid scheme, a colon, and a rest that uriProblem accepts.
func isAbsoluteURI(s string) bool {
	p := splitURI(s)
	return validScheme(p.scheme) && uriProblem(s, p) == ""
}

// validScheme reports whether s matches ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// privateJWKMembers are the JWK members (RFC 7518 §6) that only a private or
// symmetric key has.
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

func (d *docCheck) jwks() {
	v, hasJWKS := d.doc["jwks"]
	jwks, isObject := v.(map[string]any)
	keys, keysOK := jwks["keys"].([]any)
	if isObject && keysOK {
		d.fs = append(d.fs, privateKeyFindings(keys, "jwks.")...)
	}

	hasURI := d.has("jwks_uri")
	if hasJWKS && hasURI {
		d.fs.add("doc-jwks-conflict", Error, "jwks", "the document has both jwks and jwks_uri; RFC 7591 allows only one, so keep one")
	}
	if m, _ := d.str("token_endpoint_auth_method"); m == "private_key_jwt" && !hasJWKS && !hasURI {
		d.fs.add("doc-jwks-missing", Error, "token_endpoint_auth_method", "token_endpoint_auth_method is private_key_jwt but there is neither jwks nor jwks_uri, so a server cannot verify the client's signed assertions; add jwks_uri")
	}

	// A jwks that is not an object is doc-field-type's alone.
	if !isObject {
		return
	}
	m, _ := d.str("token_endpoint_auth_method")
	d.fs = append(d.fs, jwkSetFindings(jwks, "jwks.", m == "private_key_jwt" && !hasURI)...)
}

// privateKeyFindings are the doc-private-key findings of the keys of a JWK
// Set; prefix is what names the set's members in fields ("jwks." for the
// document's jwks, "" for a served JWK Set).
func privateKeyFindings(keys []any, prefix string) findings {
	var fs findings
	for i, k := range keys {
		key, ok := k.(map[string]any)
		if !ok {
			continue
		}
		var priv []string
		for _, m := range privateJWKMembers {
			if _, ok := key[m]; ok {
				priv = append(priv, m)
			}
		}
		// kty "oct" is a symmetric key even when "k" was left out:
		// publishing that it is one is still a sign of a shared secret.
		if kty, _ := key["kty"].(string); kty == "oct" && !slices.Contains(priv, "k") {
			priv = append(priv, `kty "oct"`)
		}
		if len(priv) > 0 {
			fs.add("doc-private-key", Error, fmt.Sprintf("%skeys[%d]", prefix, i), fmt.Sprintf("this key is private or symmetric (it has %s); publish only the public key, and rotate this one, since it is now exposed", strings.Join(priv, ", ")))
		}
	}
	return fs
}

// jwkSetFindings are the doc-jwks-invalid findings of a JWK Set object:
// its keys array, each key's kty, public members and alg, and repeated
// kids. needKeys makes an empty set an error (a private_key_jwt client
// needs a key to sign with). prefix names the set's members in fields, as
// for [privateKeyFindings].
func jwkSetFindings(jwks map[string]any, prefix string, needKeys bool) findings {
	var fs findings
	set := strings.TrimSuffix(prefix, ".")
	if set == "" {
		set = "the JWK Set"
	}
	keys, keysOK := jwks["keys"].([]any)
	switch raw, ok := jwks["keys"]; {
	case !ok:
		fs.add("doc-jwks-invalid", Error, set, fmt.Sprintf("%s has no \"keys\" member; it must be a JWK Set, {\"keys\": [ ... ]}", set))
		return fs
	case !keysOK:
		fs.add("doc-jwks-invalid", Error, prefix+"keys", fmt.Sprintf("%skeys is a JSON %s; it must be an array of JWK objects", prefix, JSONKind(raw)))
		return fs
	}
	// An empty set is a JWK Set, but not one a private_key_jwt client can
	// sign with.
	if len(keys) == 0 && needKeys {
		fs.add("doc-jwks-invalid", Error, prefix+"keys", fmt.Sprintf("%skeys is empty but token_endpoint_auth_method is private_key_jwt, so a server has no key to verify the client's assertions with; add the public key", prefix))
	}
	kids := map[string]int{}
	for i, k := range keys {
		field := fmt.Sprintf("%skeys[%d]", prefix, i)
		key, ok := k.(map[string]any)
		if !ok {
			fs.add("doc-jwks-invalid", Error, field, fmt.Sprintf("%s is a JSON %s; each key must be a JWK object", field, JSONKind(k)))
			continue
		}
		kty, _ := key["kty"].(string)
		if kty == "" {
			fs.add("doc-jwks-invalid", Error, field, fmt.Sprintf("%s has no kty (a non-empty string such as \"RSA\" or \"EC\"), which every JWK needs", field))
			continue
		}
		if msg := jwkProblem(kty, key); msg != "" {
			fs.add("doc-jwks-invalid", Error, field, fmt.Sprintf("%s %s", field, msg))
		}
		if kid, ok := key["kid"].(string); ok {
			if j, seen := kids[kid]; seen {
				fs.add("doc-jwks-invalid", Warning, field, fmt.Sprintf("%s has the kid %q of %skeys[%d]; a server picking the key by kid may take the wrong one, so give each key its own", field, kid, prefix, j))
			} else {
				kids[kid] = i
			}
		}
	}
	return fs
}

// jwkPublicMembers are the members a public key of each type needs (RFC 7518
// §6.2.1, §6.3.1; RFC 8037 §2).
var jwkPublicMembers = map[string][]string{
	"RSA": {"n", "e"},
	"EC":  {"crv", "x", "y"},
	"OKP": {"crv", "x"},
}

// jwkProblem says what a key of type kty lacks, or how its alg does not fit
// it, or "". Key types other than RSA, EC and OKP are not judged ("oct" is
// doc-private-key's).
func jwkProblem(kty string, key map[string]any) string {
	need, known := jwkPublicMembers[kty]
	if !known {
		return ""
	}
	var missing []string
	for _, m := range need {
		if s, _ := key[m].(string); s == "" {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf("is a %s key without %s (non-empty strings), which its public key needs", kty, strings.Join(missing, ", "))
	}
	v, hasAlg := key["alg"]
	if !hasAlg {
		return ""
	}
	alg, _ := v.(string)
	crv, _ := key["crv"].(string)
	if !algFits(kty, crv, alg) {
		what := kty + " key"
		if crv != "" {
			what += " on " + crv
		}
		return fmt.Sprintf("has alg %s, which a %s cannot use; fix alg or leave it out", jsonValue(v), what)
	}
	return ""
}

// algFits reports whether the JWS or JWE algorithm alg (RFC 7518, RFC 8037,
// RFC 8812) can be used with a key of type kty on curve crv.
func algFits(kty, crv, alg string) bool {
	switch kty {
	case "RSA":
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512", "RSA1_5":
			return true
		}
	case "EC":
		if strings.HasPrefix(alg, "ECDH-ES") {
			return crv == "P-256" || crv == "P-384" || crv == "P-521"
		}
		return map[string]string{"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "ES256K": "secp256k1"}[alg] == crv
	case "OKP":
		switch {
		case alg == "EdDSA":
			return crv == "Ed25519" || crv == "Ed448"
		case alg == "Ed25519" || alg == "Ed448":
			return crv == alg
		case strings.HasPrefix(alg, "ECDH-ES"):
			return crv == "X25519" || crv == "X448"
		}
	}
	return false
}

// required reports the fields MCP requires and the draft only expects.
func (d *docCheck) required() {
	// A name of only spaces shows as nothing on a consent screen, so it
	// counts as empty. A non-string name is doc-field-type's.
	if v, ok := d.doc["client_name"]; !ok {
		d.fs.add("doc-client-name-missing", profileSeverity(d.opts), "client_name", "the document has no client_name; add the name users see on the consent screen")
	} else if s, ok := v.(string); ok && strings.TrimSpace(s) == "" {
		d.fs.add("doc-client-name-missing", profileSeverity(d.opts), "client_name", "client_name is empty; set it to the name users see on the consent screen")
	}
	// null or a string is doc-field-type's; only absent and [] are "missing".
	// The draft alone needs redirect URIs only for the code grant.
	sev := profileSeverity(d.opts)
	if grants, _ := d.stringList("grant_types", "authorization_code"); sev == Warning && slices.Contains(grants, "authorization_code") {
		sev = Error
	}
	if v, ok := d.doc["redirect_uris"]; !ok {
		d.fs.add("doc-redirect-uris-missing", sev, "redirect_uris", "the document has no redirect_uris; list every redirect URI the client uses")
	} else if a, ok := v.([]any); ok && len(a) == 0 {
		d.fs.add("doc-redirect-uris-missing", sev, "redirect_uris", "redirect_uris is empty; list every redirect URI the client uses")
	}
}

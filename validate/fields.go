package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// fieldTypes reports registered fields of the wrong JSON type, in document
// order. The "#tag" variants of the internationalised fields must be strings
// like their base: they carry the same kind of value in another language.
func (d *docCheck) fieldTypes() {
	for _, key := range d.keys {
		v := d.doc[key]
		if d.sub != nil {
			d.sub.member(key, v, false)
		}
		base, _, tagged := splitTag(key)
		switch {
		case stringArrayFields[key]:
			a, ok := v.([]any)
			if !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("%s is a JSON %s; it must be an array of strings", key, JSONKind(v)))
				continue
			}
			for i, e := range a {
				if _, ok := e.(string); !ok {
					field := fmt.Sprintf("%s[%d]", key, i)
					d.fs.add("doc-field-type", Error, field, fmt.Sprintf("%s is a JSON %s; %s must be an array of strings", field, JSONKind(e), key))
				}
			}
		case stringFields[key] || tagged && i18nFields[base]:
			if _, ok := v.(string); !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("%s is a JSON %s; it must be a string", key, JSONKind(v)))
			}
		case boolFields[key]:
			if _, ok := v.(bool); !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("%s is a JSON %s; it must be true or false", key, JSONKind(v)))
			}
		case numberFields[key]:
			if JSONKind(v) != "number" {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("%s is a JSON %s; it must be a number (of seconds)", key, JSONKind(v)))
			}
		case key == "jwks":
			if _, ok := v.(map[string]any); !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("jwks is a JSON %s; it must be an object, {\"keys\": [ ... ]}", JSONKind(v)))
			}
		}
	}
}

// uris checks the URL-valued fields. An unsafe or unparsable value gets
// doc-unsafe-uri only: calling "javascript:..." merely "not https" would
// understate it.
func (d *docCheck) uris() {
	for _, key := range d.keys {
		base, _, tagged := splitTag(key)
		if !urlFields[key] && !(tagged && base != "jwks_uri" && urlFields[base]) {
			continue
		}
		s, ok := d.doc[key].(string)
		if !ok {
			continue // doc-field-type
		}
		p := splitURI(s)
		if d.sub != nil {
			if i := uriIndex(key); i >= 0 {
				d.sub.splitMember(i, p)
			}
		}
		if msg := unsafeURIParts(s, p); msg != "" {
			d.fs.add("doc-unsafe-uri", Error, key, fmt.Sprintf("%s %q %s", key, s, msg))
			continue
		}
		// Scheme case does not matter here: these URLs are fetched or
		// shown, never compared as strings, so "HTTPS:" is https.
		// --allow-private skips it as it skips url-private-address: a local
		// test serves everything from 127.0.0.1.
		if host := p.hostname; !d.opts.AllowPrivate && privateHost(host) != "" {
			sev := Warning
			if key == "jwks_uri" {
				sev = Error
			}
			d.fs.add("doc-uri-private-address", sev, key, fmt.Sprintf("%s points at %q, which is %s: servers must not fetch such addresses, and users cannot reach it; use a public https URL", key, host, privateHost(host)))
		}
		if scheme := strings.ToLower(p.scheme); scheme != "https" {
			sev, why := Warning, "browsers and servers may refuse to load it, and it can be tampered with in transit"
			if key == "jwks_uri" {
				sev, why = Error, "keys fetched without TLS can be replaced by anyone on the path"
			}
			d.fs.add("doc-uri-not-https", sev, key, fmt.Sprintf("%s uses %s:, not https: %s; serve it over https", key, scheme, why))
		}
	}
}

// unsafeURI says why s is not a safe absolute URL, or "". An absolute URL
// here needs a host: these fields point at pages, images and key sets that
// a server or browser fetches, so "urn:..." or "mailto:..." will not do.
func unsafeURI(s string) string { return unsafeURIParts(s, splitURI(s)) }

// unsafeURIParts is unsafeURI of s split into p.
func unsafeURIParts(s string, p uriParts) string {
	if scheme := strings.ToLower(p.scheme); unsafeSchemes[scheme] {
		return fmt.Sprintf("uses the %s: scheme, which can run code or read local files; use an https URL", scheme)
	}
	if !validScheme(p.scheme) || !p.hasAuthority || p.host == "" || uriProblem(s, p) != "" {
		return "is not an absolute URL; write it in full, starting with https://"
	}
	return ""
}

// scope checks the RFC 6749 §3.3 syntax: scope-token *( SP scope-token ),
// scope-token = 1*NQCHAR.
func (d *docCheck) scope() {
	s, ok := d.str("scope")
	if !ok {
		return
	}
	var msg string
	switch tokens := strings.Split(s, " "); {
	case s == "":
		msg = "scope is empty; remove it or list the scopes the client asks for, separated by single spaces"
	case slices.Contains(tokens, ""):
		msg = fmt.Sprintf("scope %q has an empty token (a double space, or a space at either end); separate scopes by single spaces", s)
	default:
		for _, t := range tokens {
			for i := 0; i < len(t); i++ {
				if c := t[i]; c < 0x21 || c == 0x22 || c == 0x5c || c > 0x7e {
					msg = fmt.Sprintf("scope token %q has the character %q, which RFC 6749 does not allow in a scope (only printable ASCII except '\"' and '\\'); scopes are separated by single spaces", t, rune(c))
					break
				}
			}
			if msg != "" {
				break
			}
		}
	}
	if msg != "" {
		d.fs.add("doc-scope", Error, "scope", msg)
	}
}

// grantTypes warns about grants OAuth 2.1 removed and about grant_types and
// response_types that do not match, using the RFC 7591 defaults for an absent
// field. A response type is read as a space-separated set, as OpenID Connect
// registers "code id_token": it needs authorization_code because it holds
// "code". A field of the wrong type is doc-field-type's, and the pairing
// check is skipped rather than guessed.
func (d *docCheck) grantTypes() {
	grants, gOK := d.stringList("grant_types", "authorization_code")
	responses, rOK := d.stringList("response_types", "code")
	// The index is the entry's own (RULES.md §7): [5, "implicit"] names
	// grant_types[1].
	if a, ok := d.doc["grant_types"].([]any); ok {
		method, _ := d.str("token_endpoint_auth_method")
		for i, v := range a {
			g, ok := v.(string)
			if !ok {
				continue
			}
			field := "grant_types[" + strconv.Itoa(i) + "]"
			switch {
			case g == "implicit" || g == "password":
				d.fs.add("doc-grant-types", Warning, field, fmt.Sprintf("the %s grant was removed in OAuth 2.1 and servers are dropping it; use authorization_code with PKCE", g))
			case g == "client_credentials" && method == "none":
				d.fs.add("doc-grant-types", Warning, field, "client_credentials with token_endpoint_auth_method \"none\" lets anyone get tokens as this client; drop the grant, or authenticate with private_key_jwt")
			case g != "authorization_code" && g != "refresh_token":
				d.fs.add("doc-grant-types", Warning, field, fmt.Sprintf("the grant %q is beyond authorization_code and refresh_token; some servers reject the whole document for a grant they do not support (toolhive, zeroid), so list it only if the client needs it", g))
			}
		}
	}
	if !gOK || !rOK {
		return
	}
	hasResponse := func(token string) bool {
		return slices.ContainsFunc(responses, func(r string) bool {
			return slices.Contains(strings.Fields(r), token)
		})
	}
	describe := func(key string, values []string) string {
		if !d.has(key) {
			return fmt.Sprintf("%s is absent, so it defaults to %q", key, values)
		}
		return fmt.Sprintf("%s is %q", key, values)
	}
	pair := func(grant, response string) {
		g, r := slices.Contains(grants, grant), hasResponse(response)
		switch {
		case g && !r:
			d.fs.add("doc-grant-types", Warning, "response_types", fmt.Sprintf("grant_types has %s but no response type has %q (%s); add %q to response_types", grant, response, describe("response_types", responses), response))
		case r && !g:
			d.fs.add("doc-grant-types", Warning, "grant_types", fmt.Sprintf("response_types has %q but grant_types lacks %s (%s); add %q to grant_types", response, grant, describe("grant_types", grants), grant))
		}
	}
	pair("authorization_code", "code")
	pair("implicit", "token")
}

// stringList returns the strings of an array field, or def when it is
// absent; ok is false when the field is not an array. Entries that are not
// strings count for nothing (RULES.md §7): doc-field-type reports them.
func (d *docCheck) stringList(key, def string) (list []string, ok bool) {
	v, present := d.doc[key]
	if !present {
		return []string{def}, true
	}
	a, isArray := v.([]any)
	if !isArray {
		return nil, false
	}
	for _, e := range a {
		if s, isString := e.(string); isString {
			list = append(list, s)
		}
	}
	return list, true
}

// authMethods checks token_endpoint_auth_methods_supported, the methods the
// client can use (doc-auth-methods). A field that is not an array is
// doc-field-type's alone.
func (d *docCheck) authMethods() {
	const key = "token_endpoint_auth_methods_supported"
	a, ok := d.doc[key].([]any)
	if !ok {
		return
	}
	var listed []string
	for i, v := range a {
		m, ok := v.(string)
		if !ok {
			continue
		}
		listed = append(listed, m)
		if !publicAuthMethods[m] && !isAbsoluteURI(m) {
			d.fs.add("doc-auth-methods", Error, key+"["+strconv.Itoa(i)+"]", fmt.Sprintf("%s lists %q, which needs a shared secret that a CIMD client cannot have; remove it", key, m))
		}
	}
	if m, ok := d.str("token_endpoint_auth_method"); ok && !slices.Contains(listed, m) {
		d.fs.add("doc-auth-methods", Warning, key, fmt.Sprintf("token_endpoint_auth_method is %q but %s does not list it; a server picking from the list may choose another method, so add it", m, key))
	}
	if slices.Contains(listed, "private_key_jwt") && !d.has("jwks") && !d.has("jwks_uri") {
		d.fs.add("doc-auth-methods", Warning, key, fmt.Sprintf("%s lists private_key_jwt but there is neither jwks nor jwks_uri, so a server choosing it cannot verify the client; add jwks_uri", key))
	}
}

// names reports member names that are server metadata, malformed
// internationalised variants, or unknown, each key under one rule only.
func (d *docCheck) names() {
	for _, key := range d.keys {
		switch base, tag, tagged := splitTag(key); {
		case isServerMetadata(key):
			d.fs.add("doc-server-metadata-field", Warning, key, fmt.Sprintf("%s is authorization-server metadata (RFC 8414), not client metadata; servers ignore it here, so remove it", key))
		case tagged:
			if msg := i18nProblem(base, tag, d.has(base)); msg != "" {
				d.fs.add("doc-i18n", Warning, key, msg)
			}
		case !registeredFields[key]:
			msg := fmt.Sprintf("%s is not registered client metadata; servers must ignore it, but a few strict ones reject the document", key)
			if known := foldedField(key); known != "" {
				msg += fmt.Sprintf("; did you mean %s?", known)
			}
			d.fs.add("doc-unknown-field", Info, key, msg)
		}
	}
}

// i18nProblem says what is wrong with a "base#tag" member, or "".
func i18nProblem(base, tag string, hasBase bool) string {
	var probs []string
	if !i18nFields[base] {
		probs = append(probs, fmt.Sprintf("only client_name, client_uri, logo_uri, tos_uri and policy_uri may have a language variant, not %q", base))
	}
	if !wellFormedTag(tag) {
		probs = append(probs, fmt.Sprintf("%q is not a well-formed BCP 47 language tag (e.g. \"de\", \"pt-BR\")", tag))
	}
	if i18nFields[base] && !hasBase {
		probs = append(probs, fmt.Sprintf("there is no untagged %s for servers and users without a matching language; add one", base))
	}
	if len(probs) == 0 {
		return ""
	}
	return strings.Join(probs, "; ")
}

// wellFormedTag reports whether tag matches the RFC 5646 §2.1 grammar
// (Language-Tag = langtag / privateuse / grandfathered), case-insensitively.
// It checks form, not registration (RULES.md §7): "english" is a well-formed
// 5-8 letter language subtag; "aaa-bbb-ccc-ddd-eee" is not, since at most
// three extlangs follow a language and "eee" fits no later subtag.
func wellFormedTag(tag string) bool {
	lower := strings.ToLower(tag)
	if grandfatheredTags[lower] {
		return true
	}
	subs := strings.Split(lower, "-")
	for _, s := range subs {
		if len(s) < 1 || len(s) > 8 || !alphanum(s) {
			return false
		}
	}
	i := 0
	next := func(ok func(string) bool) bool {
		if i < len(subs) && ok(subs[i]) {
			i++
			return true
		}
		return false
	}
	if subs[0] == "x" {
		return privateUse(subs)
	}
	// language = 2*3ALPHA ["-" extlang] / 4ALPHA / 5*8ALPHA
	lang := subs[0]
	if !alpha(lang) || len(lang) < 2 {
		return false
	}
	i = 1
	if len(lang) <= 3 {
		for n := 0; n < 3 && next(func(s string) bool { return len(s) == 3 && alpha(s) }); n++ {
		}
	}
	next(func(s string) bool { return len(s) == 4 && alpha(s) })                                        // script
	next(func(s string) bool { return len(s) == 2 && alpha(s) || len(s) == 3 && digits(s) })            // region
	for next(func(s string) bool { return len(s) >= 5 || len(s) == 4 && '0' <= s[0] && s[0] <= '9' }) { // variants
	}
	for i < len(subs) && len(subs[i]) == 1 && subs[i] != "x" { // extensions
		i++
		if !next(func(s string) bool { return len(s) >= 2 }) {
			return false
		}
		for next(func(s string) bool { return len(s) >= 2 }) {
		}
	}
	if i < len(subs) && subs[i] == "x" {
		return privateUse(subs[i:])
	}
	return i == len(subs)
}

// privateUse reports whether subs is "x" 1*("-" (1*8alphanum)).
func privateUse(subs []string) bool { return len(subs) >= 2 }

func alpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func alphanum(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// grandfatheredTags are RFC 5646's irregular and regular grandfathered tags,
// lower-cased: well-formed though they fit no production of langtag.
var grandfatheredTags = setOf(
	"en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon",
	"i-lux", "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr",
	"sgn-be-nl", "sgn-ch-de",
	"art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka", "zh-min",
	"zh-min-nan", "zh-xiang",
)

// foldedField returns the registered name that key matches but for case, or
// "" — "Client_Name" is a typo a strict server will not forgive.
func foldedField(key string) string {
	for name := range registeredFields {
		if strings.EqualFold(name, key) {
			return name
		}
	}
	return ""
}

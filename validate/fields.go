package validate

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// fieldTypes reports registered fields of the wrong JSON type, in document
// order. The "#tag" variants of the internationalised fields must be strings
// like their base: they carry the same kind of value in another language.
func (d *docCheck) fieldTypes() {
	for _, key := range d.keys {
		v := d.doc[key]
		base, _, tagged := splitTag(key)
		switch {
		case stringArrayFields[key]:
			a, ok := v.([]any)
			if !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("%s is a JSON %s; it must be an array of strings", key, jsonKind(v)))
				continue
			}
			for i, e := range a {
				if _, ok := e.(string); !ok {
					field := fmt.Sprintf("%s[%d]", key, i)
					d.fs.add("doc-field-type", Error, field, fmt.Sprintf("%s is a JSON %s; %s must be an array of strings", field, jsonKind(e), key))
				}
			}
		case stringFields[key] || tagged && i18nFields[base]:
			if _, ok := v.(string); !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("%s is a JSON %s; it must be a string", key, jsonKind(v)))
			}
		case key == "jwks":
			if _, ok := v.(map[string]any); !ok {
				d.fs.add("doc-field-type", Error, key, fmt.Sprintf("jwks is a JSON %s; it must be an object, {\"keys\": [ ... ]}", jsonKind(v)))
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
		if msg := unsafeURI(s); msg != "" {
			d.fs.add("doc-unsafe-uri", Error, key, fmt.Sprintf("%s %q %s", key, s, msg))
			continue
		}
		// Scheme case does not matter here: these URLs are fetched or
		// shown, never compared as strings, so "HTTPS:" is https.
		if scheme := strings.ToLower(splitURI(s).scheme); scheme != "https" {
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
func unsafeURI(s string) string {
	p := splitURI(s)
	if scheme := strings.ToLower(p.scheme); unsafeSchemes[scheme] {
		return fmt.Sprintf("uses the %s: scheme, which can run code or read local files; use an https URL", scheme)
	}
	if !validScheme(p.scheme) || !p.hasAuthority || p.host == "" || badURIChars(s) != "" {
		return "is not an absolute URL; write it in full, starting with https://"
	}
	if _, err := url.Parse(s); err != nil {
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
	if d.has("grant_types") {
		for i, g := range grants {
			if g == "implicit" || g == "password" {
				d.fs.add("doc-grant-types", Warning, fmt.Sprintf("grant_types[%d]", i), fmt.Sprintf("the %s grant was removed in OAuth 2.1 and servers are dropping it; use authorization_code with PKCE", g))
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

// stringList returns the strings of an array-of-strings field, or def when
// it is absent; ok is false when the field has the wrong type.
func (d *docCheck) stringList(key, def string) (list []string, ok bool) {
	v, present := d.doc[key]
	if !present {
		return []string{def}, true
	}
	a, isArray := v.([]any)
	if !isArray {
		return nil, false
	}
	ok = true
	for _, e := range a {
		if s, isString := e.(string); isString {
			list = append(list, s)
		} else {
			ok = false
		}
	}
	return list, ok
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
//
// A tag counts as well-formed when language.Parse accepts it without error,
// which also rejects well-formed tags with unregistered subtags ("xx"): a
// server matching languages could never select them. language.Parse also
// accepts '_' as a separator ("en_US"), which BCP 47 does not, so that is
// refused separately.
func i18nProblem(base, tag string, hasBase bool) string {
	var probs []string
	if !i18nFields[base] {
		probs = append(probs, fmt.Sprintf("only client_name, client_uri, logo_uri, tos_uri and policy_uri may have a language variant, not %q", base))
	}
	// RULES.md asks for well-formedness only: a ValueError means the tag is
	// well-formed but names a subtag the registry does not know, which is no
	// finding. "_" is refused apart, since language.Parse accepts "en_US".
	_, err := language.Parse(tag)
	var verr language.ValueError
	if errors.As(err, &verr) {
		err = nil
	}
	if err != nil || strings.Contains(tag, "_") {
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

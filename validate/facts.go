package validate

import (
	"strings"
	"unicode/utf8"
)

// facts is a set of things about one subject that a row's check needs to
// find before it can fire, found in one pass when the subject is made. A
// row names in its when the facts without which its check cannot fire, and
// evaluate runs the check only if the subject has one of them: on a
// document that breaks nothing, almost every row is a bit test, and a
// server none of whose rows may fire gets its clean verdict at once.
//
// A fact is a necessary condition, not a verdict: the check still decides,
// and a fact may hold where the check then finds nothing (a loopback entry
// with a port twin, say). TestRowGates checks that every row's firing
// cases have one of its facts.
type facts uint64

// The facts.
const (
	// The client_id URL.
	fURLQuery  facts = 1 << iota // it has a query, maybe empty
	fURLLength                   // longer than 120 bytes, or maybe shorter than 12 characters
	fURLRoot                     // an authority and the path "" or "/"
	fURLHost                     // a host with upper case or non-ASCII, a loopback host, or port 0

	// The response.
	fHTTP // there is one (a live target)

	// The document's members.
	fJWKS           // jwks is present
	fJWKSURI        // jwks_uri is present
	fMethod         // token_endpoint_auth_method is a string
	fMethodNotNone  // ... other than "none"
	fMethodPKJ      // ... "private_key_jwt"
	fAuthLists      // token_endpoint_auth_methods_supported or token_endpoint_auth_signing_alg_values_supported is present
	fGrants         // the grants (defaulted) lack authorization_code, or hold one other than it and refresh_token
	fResponses      // the response types (defaulted) lack code, or hold another
	fNameBlank      // client_name is absent, not a string, or blank
	fNoRedirects    // redirect_uris is absent, not an array, empty, or without a string entry
	fTypes          // application_type, contacts, scope or dpop_bound_access_tokens has a value better-auth refuses
	fForbidden      // a member better-auth forbids is present
	fUnknown        // a member that is not registered client metadata is present
	fNotHTTPSMember // a URL-valued member (notHTTPS's) is a string not starting "https:"
	fMemberHost     // a split URL member has a userinfo, a javascript: scheme, or a host that may be private or cloud metadata
	fNotNative      // application_type is not "native"
	fWeb            // application_type is "web"

	// The redirect_uris entries, and how they stand to the client_id.
	fLoopback    // an entry is http(s) to a loopback host
	fPortless    // ... without a port
	fStar        // an entry holds a '*'
	fControl     // an entry holds an ASCII control character
	fOddRedirect // an entry is not http(s), or has no authority or no host
	fNotPlain    // an entry is not plain (redirect.plain)
	fCrossOrigin // the client_id is http(s) with a host, and an entry, post_logout_redirect_uris or client_uri may be on another origin
	fCrossDomain // an https entry that is not loopback has a host other than the client_id's
)

// findFacts finds the facts of s, which fillFrom has filled but for them.
func (s *subject) findFacts() facts {
	var f facts
	if s.p.hasQuery {
		f |= fURLQuery
	}
	// A character is at most 4 bytes: 48 bytes are at least 12 of them,
	// and 12 ASCII bytes are 12.
	if n := len(s.url); n > 120 || n < 12 || n < 48 && !isASCII(s.url) {
		f |= fURLLength
	}
	if s.p.hasAuthority && (s.p.path == "/" || s.p.path == "") {
		f |= fURLRoot
	}
	if oddHost(s.host) || s.p.hasPort && s.p.port == "0" {
		f |= fURLHost
	}
	if s.http != nil {
		f |= fHTTP
	}
	if s.doc == nil {
		return f
	}
	return f | s.memberFacts() | s.seen
}

// oddHost reports whether host has an upper-case or non-ASCII byte (so that
// lower-casing may change it), or is one of auth0's loopback hosts.
func oddHost(host string) bool {
	for i := 0; i < len(host); i++ {
		if c := host[i]; c-'A' <= 'Z'-'A' || c >= utf8.RuneSelf {
			return true
		}
	}
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// isASCII reports whether s is all ASCII, without a branch per byte.
func isASCII(s string) bool {
	var acc byte
	for i := 0; i < len(s); i++ {
		acc |= s[i]
	}
	return acc < utf8.RuneSelf
}

// memberFacts finds the facts of the document's members.
func (s *subject) memberFacts() facts {
	var f facts
	if s.present[mJWKS] {
		f |= fJWKS
	}
	if s.present[mJWKSURI] {
		f |= fJWKSURI
	}
	if s.methodOK {
		f |= fMethod
		if s.methodStr != "none" {
			f |= fMethodNotNone
		}
		if s.methodStr == "private_key_jwt" {
			f |= fMethodPKJ
		}
	}
	if s.present[mAuthMethods] || s.present[mAuthAlgs] {
		f |= fAuthLists
	}
	if oddList(s.grantList, "authorization_code", "refresh_token") {
		f |= fGrants
	}
	if oddList(s.respList, "code", "code") {
		f |= fResponses
	}
	if name, _ := s.vals[mClientName].(string); strings.TrimSpace(name) == "" {
		f |= fNameBlank
	}
	if list, _ := s.vals[mRedirectURIs].([]any); len(list) == 0 || len(s.redirects) == 0 {
		f |= fNoRedirects
	}
	if s.present[mApplicationType] && s.appType != "web" && s.appType != "native" {
		f |= fTypes
	}
	if _, ok := s.vals[mContacts].([]any); s.present[mContacts] && !ok {
		f |= fTypes
	}
	if _, ok := s.vals[mScope].(string); s.present[mScope] && !ok {
		f |= fTypes
	}
	if _, ok := s.vals[mDPoP].(bool); s.present[mDPoP] && !ok {
		f |= fTypes
	}
	if len(s.forbidden) > 0 {
		f |= fForbidden
	}
	if len(s.unknown) > 0 {
		f |= fUnknown
	}
	if s.appType != "native" {
		f |= fNotNative
	}
	if s.appType == "web" {
		f |= fWeb
	}
	if s.web {
		// uris[0] is client_uri.
		if c := &s.uris[0]; s.present[mPostLogout] || c.ok && !sameOriginFast(c.p, s.p) {
			f |= fCrossOrigin
		}
	}
	return f
}

// notHTTPSValue reports whether v is a string that may not start with
// "https:" as notHTTPS reads it (in any case).
func notHTTPSValue(v any) bool {
	str, ok := v.(string)
	return ok && !(len(str) >= 6 && (str[:6] == "https:" || equalFoldASCII(str[:6], "https:")))
}

// sameOriginFast is sameOrigin, with the common case of the same scheme,
// host and port byte for byte first.
func sameOriginFast(a, b uriParts) bool {
	return a.host == b.host && a.scheme == b.scheme && a.hasPort == b.hasPort && a.port == b.port || sameOrigin(a, b)
}

// maybeJavaScript reports whether scheme may be "javascript" in any case,
// as strings.EqualFold reads it: only j and J fold to j.
func maybeJavaScript(scheme string) bool {
	return scheme != "" && (scheme[0]|0x20 == 'j' || scheme[0] >= utf8.RuneSelf)
}

// oddMemberHost is maybePrivate of host and of host without a final dot,
// or maybeMetadata of host, in one look: what privateURIs and
// betterAuthURIs test before they parse.
func oddMemberHost(host string) bool {
	if host == "" {
		return false
	}
	if c := host[0]; '0' <= c && c <= '9' || maybeMetadata(host) || strings.IndexByte(host, ':') >= 0 {
		return true
	}
	h := strings.TrimSuffix(strings.TrimSuffix(host, "."), ".")
	return len(h) >= len("localhost") && h[len(h)-1]|0x20 == 't' && equalFoldASCII(h[len(h)-len("localhost"):], "localhost")
}

// oddList reports whether list lacks want or holds a string other than want
// and also.
func oddList(list []string, want, also string) bool {
	has := false
	for _, v := range list {
		switch v {
		case want:
			has = true
		case also:
		default:
			return true
		}
	}
	return !has
}

// maybeMetadata is a cheap test before metadataNames: they all start with
// m or i.
func maybeMetadata(host string) bool {
	return host != "" && strings.IndexByte("mMiI", host[0]) >= 0
}

// redirectFacts finds the facts of the redirect_uris entry r, with the URL
// set.
func (s *subject) redirectFacts(r *redirect) facts {
	var f facts
	if r.loopback {
		f |= fLoopback
		if r.p.port == "" {
			f |= fPortless
		}
	}
	if r.star {
		f |= fStar
	}
	if r.control {
		f |= fControl
	}
	if !r.plain {
		f |= fNotPlain
	}
	if r.scheme == "https" && !r.loopback && r.host != s.host {
		f |= fCrossDomain
	}
	switch {
	case (r.scheme != "http" && r.scheme != "https") || !r.p.hasAuthority || r.p.host == "":
		f |= fOddRedirect
	case !s.web || r.loopback:
	case r.p.host == s.p.host && r.p.scheme == s.p.scheme && r.p.hasPort == s.p.hasPort && r.p.port == s.p.port:
		// The client_id's origin, byte for byte: see sameOriginFast.
	case !sameOriginOf(r.scheme, r.p.host, r.p.hasPort, r.p.port, s.p):
		f |= fCrossOrigin
	}
	return f
}

package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"
)

// JWKSMaxBytes is the largest JWK Set worth serving at a jwks_uri: Auth0
// refuses one over 12 KB (read as 12 KiB, as the draft's "5 kilobytes" is
// read as 5120 bytes). A served JWK Set is read up to JWKSMaxBytes+1 bytes.
const JWKSMaxBytes = 12 * 1024

// JWKSField is the field of every finding about the JWK Set served at a
// document's jwks_uri: the findings join the document's result.
const JWKSField = "jwks_uri"

// JWKSInfo is what the --json output reports of the fetch of a document's
// jwks_uri: the HTTP exchange, and the kids of the keys it served.
type JWKSInfo struct {
	URL string `json:"url"`
	HTTPInfo
	Kids []string `json:"kids"`
}

// CheckJWKS runs the rules on the JWK Set a document's jwks_uri served (s,
// the answer to one GET of it): a status other than 200 (jwks-status), a
// media type other than application/json or application/jwk-set+json
// (jwks-content-type, a warning: the servers known read the body whatever
// its type, but a wrong one means the host does not serve the file as
// cimd published it), a body over [JWKSMaxBytes] (jwks-size), the key rules
// of the document's inline jwks (doc-jwks-invalid, doc-private-key), and,
// when local is not nil, drift from the locally built jwks.json
// (jwks-drift, naming the kids missing, extra and changed). Every finding's
// field is [JWKSField]. It is pure: the fetch is the caller's.
func CheckJWKS(s Served, local []byte) []Finding {
	var fs findings
	add := func(rule string, sev Severity, transient bool, msg string) {
		fs = append(fs, Finding{Rule: rule, Severity: sev, Field: JWKSField, Message: msg, Transient: transient})
	}
	switch {
	case s.Status >= 300 && s.Status < 400:
		add("jwks-status", Error, false, fmt.Sprintf("the served JWK Set: %s, a redirect to %q; servers do not follow it (Auth0 refuses it): serve jwks.json at exactly this URL", s.StatusLine, s.Header.Get("Location")))
		return fs
	case s.Status != statusOK:
		msg := fmt.Sprintf("the served JWK Set: status %s; servers need 200 to read the keys, and refuse every assertion until then", s.StatusLine)
		if s.Status == statusNotFound {
			msg += ": publish jwks.json beside the document"
		}
		add("jwks-status", Error, transientStatus(s.Status), msg)
		return fs
	}
	if ct := s.Header.Get("Content-Type"); !jwksMediaType(ct) {
		shown := ct
		if shown == "" {
			shown = "no Content-Type"
		}
		add("jwks-content-type", Warning, false, fmt.Sprintf("the served JWK Set is served as %s; serve it as application/json (or application/jwk-set+json), as cimd publish uploads it", shown))
	}
	if len(s.Body) > JWKSMaxBytes {
		add("jwks-size", Error, false, fmt.Sprintf("the served JWK Set is more than %d bytes; Auth0 refuses a JWK Set over 12 KB: publish fewer keys (retire the old one), or smaller ones (ES256 or EdDSA instead of RS256)", JWKSMaxBytes))
		return fs
	}
	if !s.Complete {
		add("jwks-status", Error, true, "the served JWK Set was not read to its end; servers cannot read it either")
		return fs
	}
	var v any
	if err := json.Unmarshal(s.Body, &v); err != nil {
		add("doc-jwks-invalid", Error, false, "the served JWK Set is not JSON; it must be a JWK Set, {\"keys\": [ ... ]}")
		return fs
	}
	set, ok := v.(map[string]any)
	if !ok {
		add("doc-jwks-invalid", Error, false, fmt.Sprintf("the served JWK Set is a JSON %s; it must be an object, {\"keys\": [ ... ]}", JSONKind(v)))
		return fs
	}
	keys, _ := set["keys"].([]any)
	for _, f := range slices.Concat(privateKeyFindings(keys, ""), jwkSetFindings(set, "", true)) {
		msg := strings.Replace(f.Message, "is empty but token_endpoint_auth_method is private_key_jwt", "is empty", 1)
		if !strings.HasPrefix(msg, f.Field) {
			msg = f.Field + ": " + msg
		}
		f.Message = "the served JWK Set: " + msg
		f.Field = JWKSField
		fs = append(fs, f)
	}
	if local != nil {
		if f := jwksDrift(set, local); f != nil {
			fs = append(fs, *f)
		}
	}
	return fs
}

// JWKSKids returns the kids of the keys in a served JWK Set body, in
// order ("" for a key without one), or nil when it is not a JWK Set.
func JWKSKids(body []byte) []string {
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if json.Unmarshal(body, &set) != nil {
		return nil
	}
	kids := make([]string, len(set.Keys))
	for i, k := range set.Keys {
		kids[i], _ = k["kid"].(string)
	}
	return kids
}

// jwksMediaType reports whether ct names a JSON type a JWK Set may be
// served as: application/json or application/jwk-set+json (RFC 7517 §8.5).
func jwksMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || mt == "application/jwk-set+json")
}

// jwksDrift compares the served JWK Set with the local jwks.json key by
// kid, or nil when they hold the same keys. Like live-drift it is
// transient: a CDN may serve the old set for a while.
func jwksDrift(live map[string]any, local []byte) *Finding {
	var loc map[string]any
	if err := json.Unmarshal(local, &loc); err != nil {
		return &Finding{Rule: "jwks-drift", Severity: Error, Field: JWKSField, Message: fmt.Sprintf("the local jwks.json is not JSON (%v)", err)}
	}
	byKid := func(set map[string]any) (map[string]any, []string) {
		m := map[string]any{}
		var order []string
		keys, _ := set["keys"].([]any)
		for _, k := range keys {
			key, _ := k.(map[string]any)
			kid, _ := key["kid"].(string)
			if _, seen := m[kid]; !seen {
				order = append(order, kid)
			}
			m[kid] = k
		}
		return m, order
	}
	lv, liveOrder := byKid(live)
	lc, localOrder := byKid(loc)
	missing, extra, changed := keyDiff(localOrder, lc, liveOrder, lv, sameKey)
	if len(missing)+len(extra)+len(changed) == 0 {
		return nil
	}
	parts := keyGroups(strconv.Quote,
		keyGroup{"missing (only in the local build)", missing}, keyGroup{"extra (only live)", extra}, keyGroup{"changed", changed})
	msg := "the served JWK Set is not the locally built jwks.json; keys " + strings.Join(parts, "; ")
	if len(missing) > 0 {
		msg += "; servers refuse assertions signed with a missing key"
	}
	msg += "; publish again (or wait for the host's cache)"
	return &Finding{Rule: "jwks-drift", Severity: Error, Field: JWKSField, Message: msg, Transient: true}
}

// sameKey reports whether two JWKs are the same JSON value.
func sameKey(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

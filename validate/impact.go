package validate

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Kinds of [Change], from the one that hurts users most.
const (
	ChangeClientID        = "client-id"        // a new client: every grant is lost
	ChangeRedirectRemoved = "redirect-removed" // logins in flight using it fail
	ChangeAuthMethod      = "auth-method"      // token requests with the old method fail
	ChangeKeys            = "keys"             // assertions signed with a dropped key fail
	ChangeGrants          = "grants"           // grant or response types removed
	ChangeIdentity        = "identity"         // name or logo: consent may be asked again
	ChangeRedirectAdded   = "redirect-added"   // usable once servers see it
	ChangeOther           = "other"            // any other field
)

// A Change is one difference between the live document and the one about to
// replace it, classified by what it does to the users of the client.
type Change struct {
	Kind  string `json:"kind"`            // one of the Change* constants
	Field string `json:"field"`           // the document member, e.g. "redirect_uris"
	Value string `json:"value,omitempty"` // the entry added or removed, or "old -> new"
	// Effect says, in a sentence, what the change does to users.
	Effect string `json:"effect"`
	// Breaking is true for changes that make some logins or token
	// requests fail, or that lose grants.
	Breaking bool `json:"breaking"`
}

// kindOrder ranks the kinds for [Impact]'s sort.
var kindOrder = []string{ChangeClientID, ChangeRedirectRemoved, ChangeAuthMethod, ChangeKeys, ChangeGrants,
	ChangeIdentity, ChangeRedirectAdded, ChangeOther}

// Impact classifies each difference between live, the document servers
// have read, and next, the one about to replace it (both decoded JSON
// objects), by what it does to users: a changed client_id is a new client,
// a removed redirect URI fails the logins in flight that use it, a changed
// authentication method or key set fails token requests made the old way,
// a changed name or logo may make servers ask users to consent again. The
// changes come most harmful first, then by field and value; nil when the
// documents are the same JSON value.
func Impact(live, next map[string]any) []Change {
	var out []Change
	add := func(kind, field, value, effect string, breaking bool) {
		out = append(out, Change{Kind: kind, Field: field, Value: value, Effect: effect, Breaking: breaking})
	}
	fields := map[string]bool{}
	for k := range live {
		fields[k] = true
	}
	for k := range next {
		fields[k] = true
	}
	for _, f := range sortedKeys(fields) {
		a, inLive := live[f]
		b, inNext := next[f]
		if inLive && inNext && sameJSON(a, b) {
			continue
		}
		base, _, _ := strings.Cut(f, "#") // client_name#fr is client_name in French
		switch {
		case f == "client_id":
			add(ChangeClientID, f, fmt.Sprintf("%s -> %s", describe(a, inLive), describe(b, inNext)),
				"a new client: servers know it by its client_id, so every grant and consent of the old one is lost and every user logs in and consents again; the old document must stay served until its clients are gone", true)
		case f == "redirect_uris":
			old, cur := stringSet(a), stringSet(b)
			for _, u := range old {
				if !slices.Contains(cur, u) {
					add(ChangeRedirectRemoved, f, u, "logins in flight that use it fail once servers see the change, and clients that still send it are refused; some servers delete the grants made through it", true)
				}
			}
			for _, u := range cur {
				if !slices.Contains(old, u) {
					add(ChangeRedirectAdded, f, u, "servers refuse it until they read the new document: keep clients off it until then", false)
				}
			}
		case f == "token_endpoint_auth_method" || f == "token_endpoint_auth_methods_supported" || f == "token_endpoint_auth_signing_alg":
			add(ChangeAuthMethod, f, fmt.Sprintf("%s -> %s", describe(a, inLive), describe(b, inNext)),
				"token requests made the old way fail once servers see the change, and the new way fails until they do: switch the client over after the change has propagated", true)
		case f == "jwks" || f == "jwks_uri":
			add(ChangeKeys, f, changedKeys(a, b, inLive, inNext),
				"assertions signed with a key no longer listed fail once servers see the change, and ones signed with a new key fail until they do: publish a key before signing with it, drop it only after", true)
		case f == "grant_types" || f == "response_types":
			old, cur := stringSet(a), stringSet(b)
			var gone []string
			for _, g := range old {
				if !slices.Contains(cur, g) {
					gone = append(gone, g)
				}
			}
			if len(gone) > 0 || (!inNext && inLive) {
				add(ChangeGrants, f, fmt.Sprintf("%s -> %s", describe(a, inLive), describe(b, inNext)),
					"flows that use a removed type fail once servers see the change", true)
			} else {
				add(ChangeOther, f, fmt.Sprintf("%s -> %s", describe(a, inLive), describe(b, inNext)), "servers allow the new types once they read the new document", false)
			}
		case base == "client_name" || base == "logo_uri":
			add(ChangeIdentity, f, fmt.Sprintf("%s -> %s", describe(a, inLive), describe(b, inNext)),
				"users may be asked to consent again: servers show the name and logo on the consent screen, and some ask again when they change", false)
		default:
			add(ChangeOther, f, fmt.Sprintf("%s -> %s", describe(a, inLive), describe(b, inNext)), "servers use the new value once they read the new document", false)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return slices.Index(kindOrder, out[i].Kind) < slices.Index(kindOrder, out[j].Kind)
	})
	return out
}

// ImpactBytes decodes live and next and returns their [Impact]; ok is
// false when either is not one JSON object, and then the only thing to say
// is that the document is replaced.
func ImpactBytes(live, next []byte) (changes []Change, ok bool) {
	lo, no, ok := decodePair(live, next)
	if !ok {
		return nil, false
	}
	return Impact(lo, no), true
}

// decodePair decodes live and next as JSON objects, numbers kept as
// written; ok is false when either is not one JSON object.
func decodePair(live, next []byte) (lo, no map[string]any, ok bool) {
	lv, err1 := decodeNumbers(live)
	nv, err2 := decodeNumbers(next)
	lo, ok1 := lv.(map[string]any)
	no, ok2 := nv.(map[string]any)
	return lo, no, err1 == nil && err2 == nil && ok1 && ok2
}

// ImpactJWKS compares the live JWK Set with the next one: a change of
// their keys ([ChangeKeys], naming the key ids added and dropped), or none
// when they are the same JSON value; ok is false when either is not a JSON
// object.
func ImpactJWKS(live, next []byte) (changes []Change, ok bool) {
	lo, no, ok := decodePair(live, next)
	if !ok {
		return nil, false
	}
	if sameJSON(lo, no) {
		return nil, true
	}
	return []Change{{Kind: ChangeKeys, Field: "jwks_uri", Value: changedKeys(lo, no, true, true), Breaking: true,
		Effect: "assertions signed with a key no longer listed fail once servers see the change, and ones signed with a new key fail until they do: publish a key before signing with it, drop it only after"}}, true
}

// Breaking reports whether any of changes makes logins or token requests
// fail, or loses grants.
func Breaking(changes []Change) bool {
	return slices.ContainsFunc(changes, func(c Change) bool { return c.Breaking })
}

// ClientIDChange returns the change of client_id among changes, if any.
func ClientIDChange(changes []Change) (Change, bool) {
	i := slices.IndexFunc(changes, func(c Change) bool { return c.Kind == ChangeClientID })
	if i < 0 {
		return Change{}, false
	}
	return changes[i], true
}

// Summary is changes in one line, for a message: "redirect URI removed:
// https://a/cb; name or logo changed: client_name", most harmful first.
func Summary(changes []Change) string {
	var parts []string
	for _, c := range changes {
		what := KindTitle(c.Kind)
		if c.Kind == ChangeRedirectRemoved || c.Kind == ChangeRedirectAdded {
			parts = append(parts, what+" "+c.Value)
		} else {
			parts = append(parts, what+" ("+c.Field+")")
		}
	}
	return strings.Join(parts, "; ")
}

// KindTitle names a kind of [Change] in words.
func KindTitle(kind string) string {
	switch kind {
	case ChangeClientID:
		return "client_id changed"
	case ChangeRedirectRemoved:
		return "redirect URI removed"
	case ChangeRedirectAdded:
		return "redirect URI added"
	case ChangeAuthMethod:
		return "auth method changed"
	case ChangeKeys:
		return "keys changed"
	case ChangeGrants:
		return "grant or response types removed"
	case ChangeIdentity:
		return "name or logo changed"
	}
	return "changed"
}

// describe writes a decoded value for a message: strings as they are,
// anything else as compact JSON, an absent member as "(none)".
func describe(v any, present bool) string {
	if !present {
		return "(none)"
	}
	if s, ok := v.(string); ok {
		return s
	}
	return compactJSON(v)
}

// stringSet returns the strings of a decoded array, in order, once each.
func stringSet(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		s, ok := e.(string)
		if ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// changedKeys says which key ids a change of jwks or jwks_uri adds and
// drops, when it can tell.
func changedKeys(a, b any, inA, inB bool) string {
	ka, okA := kids(a)
	kb, okB := kids(b)
	if !okA || !okB {
		return fmt.Sprintf("%s -> %s", shortDescribe(a, inA), shortDescribe(b, inB))
	}
	var parts []string
	for _, k := range ka {
		if !slices.Contains(kb, k) {
			parts = append(parts, "-"+k)
		}
	}
	for _, k := range kb {
		if !slices.Contains(ka, k) {
			parts = append(parts, "+"+k)
		}
	}
	if len(parts) == 0 {
		return "same key ids, other key material"
	}
	return "kid " + strings.Join(parts, " ")
}

// kids returns the kid of every key of a decoded JWK Set.
func kids(v any) ([]string, bool) {
	set, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	keys, ok := set["keys"].([]any)
	if !ok {
		return nil, false
	}
	var out []string
	for _, k := range keys {
		m, _ := k.(map[string]any)
		kid, ok := m["kid"].(string)
		if !ok {
			return nil, false
		}
		out = append(out, kid)
	}
	return out, true
}

func shortDescribe(v any, present bool) string {
	s := describe(v, present)
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// compactJSON writes a decoded value as compact JSON (numbers as written).
func compactJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

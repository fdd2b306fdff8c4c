package validate

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// uriInMessage finds the concrete URIs a message suggests.
var uriInMessage = regexp.MustCompile(`\b(?:https?|[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+)://[^\s,;"()]*[^\s,;"().]|\bcom\.example\.app:/[^\s,;"()]*`)

// suggested returns the URIs msg suggests, leaving out the one it is about.
func suggested(msg, about string) []string {
	var out []string
	for _, u := range uriInMessage.FindAllString(msg, -1) {
		if u != about && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// TestSuggestedFixesPass applies the fix each message suggests and runs the
// result through every rule again: advice that only trades one warning for
// another (issue 8 item 16: redirect-wildcard used to suggest a port-less
// loopback URI, which then got redirect-loopback-portless) fails here.
//
// Where a message names concrete values (URIs, a path), they are taken from
// the message itself; where it says what to do in words, the fix applies
// those words. The fixed document must get no error or warning, except the
// ones listed in allow, which the fix cannot remove (a private-use scheme is
// still one).
func TestSuggestedFixesPass(t *testing.T) {
	type doc = map[string]any
	tests := []struct {
		name  string
		url   string
		body  doc
		rule  string
		allow []string
		// fix returns the URL and document the message tells the user to
		// write.
		fix func(t *testing.T, msg string, url string, body doc) (string, doc)
	}{{
		name: "redirect-wildcard on localhost",
		url:  testURL, body: redirDoc("http://localhost:*/callback"), rule: "redirect-wildcard",
		fix: replaceEntry(0, "http://localhost:*/callback"),
	}, {
		name: "redirect-wildcard on 127.0.0.1 without a path",
		url:  testURL, body: redirDoc("http://127.0.0.1:*"), rule: "redirect-wildcard",
		fix: replaceEntry(0, "http://127.0.0.1:*"),
	}, {
		name: "redirect-wildcard on [::1]",
		url:  testURL, body: redirDoc("https://app.example.com/cb", "http://[::1]:*/cb"), rule: "redirect-wildcard",
		fix: replaceEntry(1, "http://[::1]:*/cb"),
	}, {
		name: "redirect-loopback-portless",
		url:  testURL, body: redirDoc("http://127.0.0.1/callback"), rule: "redirect-loopback-portless",
		fix: addEntries("http://127.0.0.1/callback"),
	}, {
		name: "redirect-loopback-portless with a query",
		url:  testURL, body: redirDoc("http://[::1]/cb?x=1"), rule: "redirect-loopback-portless",
		fix: addEntries("http://[::1]/cb?x=1"),
	}, {
		name: "redirect-cross-origin",
		url:  testURL, body: redirDoc("https://other.example.com/callback"), rule: "redirect-cross-origin",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			origin := suggested(msg, "https://other.example.com/callback")
			if len(origin) != 2 { // the two origins named
				t.Fatalf("message %q names %v; want the two origins", msg, origin)
			}
			body["redirect_uris"] = []string{origin[1] + "/callback"}
			return url, body
		},
	}, {
		name: "redirect-scheme with an authority",
		url:  testURL, body: redirDoc("com.example.app://oauth/cb"), rule: "redirect-scheme",
		allow: []string{"redirect-custom-scheme"},
		fix:   replaceEntry(0, "com.example.app://oauth/cb"),
	}, {
		name: "url-path-missing",
		url:  "https://App.example.com", body: baseDoc(), rule: "url-path-missing",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			s := suggested(msg, url)
			if len(s) != 1 {
				t.Fatalf("message %q suggests %v; want one URL", msg, s)
			}
			body["client_id"] = s[0]
			return s[0], body
		},
	}, {
		name: "url-root-path",
		url:  "https://app.example.com/", body: baseDoc(), rule: "url-root-path",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			path := regexp.MustCompile(`such as (/\S+)`).FindStringSubmatch(msg)
			if path == nil {
				t.Fatalf("message %q suggests no path", msg)
			}
			body["client_id"] = "https://app.example.com" + path[1]
			return body["client_id"].(string), body
		},
	}, {
		name: "doc-client-id-missing",
		url:  testURL, body: without(baseDoc(), "client_id"), rule: "doc-client-id-missing",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			body["client_id"] = suggested(msg, "")[0]
			return url, body
		},
	}, {
		name: "doc-auth-method-missing",
		url:  testURL, body: without(baseDoc(), "token_endpoint_auth_method"), rule: "doc-auth-method-missing",
		fix: setQuoted("token_endpoint_auth_method", `set it to "none"`),
	}, {
		name: "doc-auth-method-secret",
		url:  testURL, body: with(baseDoc(), "token_endpoint_auth_method", "client_secret_basic"), rule: "doc-auth-method-secret",
		fix: setQuoted("token_endpoint_auth_method", `use "none"`),
	}, {
		name: "doc-application-type with loopback redirects",
		url:  testURL, body: with(baseDoc(), "redirect_uris", []string{"http://127.0.0.1:8080/cb"}), rule: "doc-application-type",
		fix: setQuoted("application_type", `"application_type": "native"`),
	}, {
		name: "doc-application-type spa",
		url:  testURL, body: with(baseDoc(), "application_type", "spa"), rule: "doc-application-type",
		fix: setQuoted("application_type", `"web" for one on a server`),
	}, {
		name: "doc-unknown-field did you mean",
		url:  testURL, body: with(without(baseDoc(), "client_name"), "Client_Name", "X"), rule: "doc-unknown-field",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			m := regexp.MustCompile(`did you mean (\w+)\?`).FindStringSubmatch(msg)
			if m == nil {
				t.Fatalf("message %q suggests no name", msg)
			}
			body[m[1]] = body["Client_Name"]
			delete(body, "Client_Name")
			return url, body
		},
	}, {
		name: "doc-grant-types pairing",
		url:  testURL, body: with(baseDoc(), "response_types", []string{}), rule: "doc-grant-types",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			if !strings.Contains(msg, `add "code" to response_types`) {
				t.Fatalf("message %q; want it to say to add \"code\"", msg)
			}
			body["response_types"] = []string{"code"}
			return url, body
		},
	}, {
		name: "doc-grant-types implicit",
		url:  testURL, body: with(baseDoc(), "grant_types", []string{"implicit"}), rule: "doc-grant-types",
		fix: func(t *testing.T, msg, url string, body doc) (string, doc) {
			if !strings.Contains(msg, "use authorization_code") {
				t.Fatalf("message %q; want it to suggest authorization_code", msg)
			}
			body["grant_types"] = []string{"authorization_code"}
			return url, body
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := Check(tt.url, mustJSON(tt.body), Options{})
			f := find(got, tt.rule, "")
			if f == nil {
				t.Fatalf("Check(%q, %s) = %v; want %s", tt.url, mustJSON(tt.body), got, tt.rule)
			}
			url, body := tt.fix(t, f.Message, tt.url, tt.body)
			fixed, _ := Check(url, mustJSON(body), Options{})
			for _, g := range fixed {
				if g.Severity != Info && !slices.Contains(tt.allow, g.Rule) {
					t.Errorf("%s says %q; after that fix Check(%q, %s) = %v; want no error or warning", tt.rule, f.Message, url, mustJSON(body), fixed)
					break
				}
			}
		})
	}
}

// redirDoc is a clean native client's document with these redirect_uris.
func redirDoc(uris ...string) map[string]any {
	return with(with(baseDoc(), "redirect_uris", uris), "application_type", "native")
}

func without(m map[string]any, key string) map[string]any {
	delete(m, key)
	return m
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// replaceEntry replaces redirect_uris[i] by the URIs the message suggests.
func replaceEntry(i int, entry string) func(*testing.T, string, string, map[string]any) (string, map[string]any) {
	return func(t *testing.T, msg, url string, body map[string]any) (string, map[string]any) {
		s := suggested(msg, entry)
		if len(s) == 0 {
			t.Fatalf("message %q suggests no URI", msg)
		}
		uris := slices.Clone(body["redirect_uris"].([]string))
		body["redirect_uris"] = slices.Concat(uris[:i], s, uris[i+1:])
		return url, body
	}
}

// addEntries adds the URIs the message suggests to redirect_uris.
func addEntries(entry string) func(*testing.T, string, string, map[string]any) (string, map[string]any) {
	return func(t *testing.T, msg, url string, body map[string]any) (string, map[string]any) {
		s := suggested(msg, entry)
		if len(s) == 0 {
			t.Fatalf("message %q suggests no URI", msg)
		}
		body["redirect_uris"] = append(slices.Clone(body["redirect_uris"].([]string)), s...)
		return url, body
	}
}

// setQuoted checks that the message contains phrase and sets key to the
// last quoted value in it.
func setQuoted(key, phrase string) func(*testing.T, string, string, map[string]any) (string, map[string]any) {
	return func(t *testing.T, msg, url string, body map[string]any) (string, map[string]any) {
		if !strings.Contains(msg, phrase) {
			t.Fatalf("message %q; want it to say %s", msg, phrase)
		}
		q := regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(phrase, -1)
		body[key] = q[len(q)-1][1]
		return url, body
	}
}

package validate

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestRowGates: every row with a check has a gate, and on every input where
// the row must fire (rowCases) the subject has one of the gate's facts, so
// that evaluate runs the check.
func TestRowGates(t *testing.T) {
	for i := range servers {
		sv := &servers[i]
		for j := range sv.Rows {
			row := &sv.Rows[j]
			if row.check == nil {
				continue
			}
			name := rowName(sv, row)
			if row.when == 0 {
				t.Errorf("%s has a check but no when", name)
				continue
			}
			for _, x := range rowCases[name].fires {
				if s := x.subject(); s.facts&row.when == 0 {
					t.Errorf("%s on %v: the subject's facts %b have none of when %b, so the row never runs", name, x, s.facts, row.when)
				}
			}
		}
	}
}

// ungated is the subject s with every fact, so that evaluate runs every
// check whatever the gates say.
func ungated(s *subject) *subject {
	s.facts = ^facts(0)
	return s
}

// TestGatesChangeNothing judges many documents as evaluate does and with
// every check run, and wants the same results: a gate only skips checks
// that would not fire.
func TestGatesChangeNothing(t *testing.T) {
	type input struct {
		url string
		doc map[string]any
	}
	var inputs []input
	for _, c := range allCases() {
		if _, doc := Check(c.url, []byte(c.body), c.opts); doc != nil {
			inputs = append(inputs, input{c.url, doc})
		}
	}
	for _, c := range rowCases {
		for _, x := range append(c.fires, c.quiet...) {
			s := x.subject()
			inputs = append(inputs, input{s.url, s.doc})
		}
	}
	files, _ := filepath.Glob("testdata/clients/*.json")
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		url, _ := DocumentClientID(body)
		if _, doc := Check(url, body, Options{}); doc != nil {
			inputs = append(inputs, input{url, doc})
		}
	}
	if len(inputs) < 300 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	opts := CompatOptions{Servers: ServerNames()[:5]}
	for _, in := range inputs {
		for _, http := range []*HTTPInfo{nil, okHTTP()} {
			got := judge(newSubject(in.url, in.doc, http), opts)
			want := judge(ungated(newSubject(in.url, in.doc, http)), opts)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("judge(%q, %v) = %v; with every check run, %v", in.url, in.doc, got.Results(), want.Results())
			}
		}
	}
}

// FuzzGates is TestGatesChangeNothing on any document.
func FuzzGates(f *testing.F) {
	for _, c := range allCases() {
		f.Add(c.url, []byte(c.body))
	}
	opts := CompatOptions{Servers: ServerNames()}
	f.Fuzz(func(t *testing.T, rawURL string, body []byte) {
		_, doc := Check(rawURL, body, Options{})
		got := judge(newSubject(rawURL, doc, nil), opts)
		want := judge(ungated(newSubject(rawURL, doc, nil)), opts)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("judge(%q, %q) = %v; with every check run, %v", rawURL, body, got.Results(), want.Results())
		}
	})
}

// TestFactShortcuts: the cheap tests findFacts makes hold wherever the
// tests of the checks they stand for hold.
func TestFactShortcuts(t *testing.T) {
	for _, h := range []string{"localhost", "localhost.", "localhost..", "a.LOCALHOST.", "10.0.0.1", "::1", "metadata",
		"Metadata.google.internal.", "instance-data", "x:1", "example.com", "example.com.", ".", "..", "", "ocalhost"} {
		want := maybePrivate(h) || maybePrivate(strings.TrimSuffix(h, ".")) || maybeMetadata(h)
		if got := oddMemberHost(h); got != want {
			t.Errorf("oddMemberHost(%q) = %v; want %v", h, got, want)
		}
	}
	for _, scheme := range []string{"javascript", "JavaScript", "JAVASCRIPT", "java\u017fcript", "https", "", "j"} {
		if strings.EqualFold(scheme, "javascript") && !maybeJavaScript(scheme) {
			t.Errorf("maybeJavaScript(%q) = false; want true", scheme)
		}
	}
	for _, v := range []any{"https://a", "HTTPS://a", "http://a", "https:", "http", "", "\u0130ttps://a", 1} {
		str, ok := v.(string)
		if ok && !(len(str) >= 6 && strings.EqualFold(str[:6], "https:")) && !notHTTPSValue(v) {
			t.Errorf("notHTTPSValue(%q) = false; want true", v)
		}
	}
}

// TestMemberConstants: the indices read by name are those of keptMembers.
func TestMemberConstants(t *testing.T) {
	for i, want := range map[int]string{mClientName: "client_name", mRedirectURIs: "redirect_uris", mGrantTypes: "grant_types",
		mResponseTypes: "response_types", mJWKS: "jwks", mJWKSURI: "jwks_uri", mAuthMethods: "token_endpoint_auth_methods_supported",
		mAuthAlgs: "token_endpoint_auth_signing_alg_values_supported", mScope: "scope", mContacts: "contacts",
		mDPoP: "dpop_bound_access_tokens", mPostLogout: "post_logout_redirect_uris", mApplicationType: "application_type",
		mClientURI: "client_uri"} {
		if keptMembers[i] != want {
			t.Errorf("keptMembers[%d] = %q; want %q", i, keptMembers[i], want)
		}
	}
	if uriMembers[0] != "client_uri" {
		t.Errorf("uriMembers[0] = %q; memberFacts reads it as client_uri", uriMembers[0])
	}
}

// TestNoRegisteredTag: member takes a name with a '#' for unknown without
// a lookup, which holds while no registered or kept name has one.
func TestNoRegisteredTag(t *testing.T) {
	for name := range registeredFields {
		if strings.Contains(name, "#") {
			t.Errorf("registeredFields has %q, with a '#'", name)
		}
	}
	for _, name := range keptMembers {
		if strings.Contains(name, "#") {
			t.Errorf("keptMembers has %q, with a '#'", name)
		}
	}
}

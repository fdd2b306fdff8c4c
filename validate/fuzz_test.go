package validate

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzCheck feeds arbitrary URLs and bodies to Check. Beyond never
// panicking, it holds the rules to what callers rely on: known codes and
// severities, rule-table order, the same answer twice (no map-order leaks),
// and a nil document exactly when a body rule stopped the checks.
func FuzzCheck(f *testing.F) {
	f.Add(testURL, []byte(docJSON()))
	f.Add("HTTPS://App.Example.com:443/a/%2e%2E/c.json?#", []byte("\xef\xbb\xbf{}"))
	f.Add("https://@127.1/", []byte(`{"client_id": 1, "client_id": [], "jwks": {"keys": [{"kty": "oct", "k": "x"}, 1, {}]}}`))
	f.Add("https://[::ffff:10.0.0.1%25eth0]:/x", []byte(`{"redirect_uris": ["http://localhost:*/cb#", "*", "data:,x", "http:///", "com.x:/cb", "https://[::1]/"]}`))
	f.Add("", []byte("{\n  \"a\": tru}"))
	f.Add(testURL, []byte(docJSON("grant_types", []string{"implicit", "password"}, "response_types", []string{"code id_token", "token"},
		"scope", " a\tb ", "client_name#en_US", "x", "scope#xx", 1, "issuer", "x", "logo_uri", "javascript:x", "jwks_uri", "http://x/")))
	f.Fuzz(func(t *testing.T, rawURL string, body []byte) {
		for _, opts := range []Options{{}, {Profile: ProfileCIMD, AllowPrivate: true}} {
			got, doc := Check(rawURL, body, opts)
			again, _ := Check(rawURL, body, opts)
			if !slices.Equal(got, again) {
				t.Fatalf("Check(%q, %q) = %v, then %v; want the same findings twice", rawURL, body, got, again)
			}
			urlCount := len(CheckURL(rawURL, opts))
			for i, f := range got {
				if ruleIndex(f.Rule) == len(ruleOrder) {
					t.Errorf("Check(%q, %q) = %v; finding %d has unknown rule %q", rawURL, body, got, i, f.Rule)
				}
				if f.Severity != Error && f.Severity != Warning && f.Severity != Info {
					t.Errorf("Check(%q, %q): %s has severity %q; want error, warning or info", rawURL, body, f.Rule, f.Severity)
				}
				if strings.TrimSpace(f.Message) == "" {
					t.Errorf("Check(%q, %q): %s has an empty message", rawURL, body, f.Rule)
				}
				if isURLRule := strings.HasPrefix(f.Rule, "url-"); isURLRule != (i < urlCount) {
					t.Errorf("Check(%q, %q) = %v; want the %d URL findings first", rawURL, body, got, urlCount)
				}
				if strings.HasPrefix(f.Rule, "url-") && f.Field != "" {
					t.Errorf("Check(%q, %q): %s has field %q; want \"\"", rawURL, body, f.Rule, f.Field)
				}
				if i > 0 && ruleIndex(got[i-1].Rule) > ruleIndex(f.Rule) {
					t.Errorf("Check(%q, %q): %s before %s; want rule-table order", rawURL, body, got[i-1].Rule, f.Rule)
				}
			}
			docFindings := got[urlCount:]
			bodyRule := len(docFindings) > 0 && slices.Contains([]string{"doc-encoding", "doc-not-json", "doc-not-object"}, docFindings[0].Rule)
			if (doc == nil) != bodyRule || bodyRule && len(docFindings) != 1 {
				t.Errorf("Check(%q, %q) = %v, document %v; want a nil document exactly when one body rule stopped the checks", rawURL, body, got, doc)
			}
		}
	})
}

// FuzzRules holds the rules to the invariants a second implementation of
// RULES.md relies on, over a seed corpus of every table case (the
// differential-testing cases of issue 11 among them): no panic; the
// findings and the document always encode as valid JSON; findings in
// rule-table order and never repeated; the same verdict for the same bytes,
// in a fresh copy; and the parser agreeing with encoding/json on what is
// JSON (the only extra refusal being nesting deeper than 64 levels).
func FuzzRules(f *testing.F) {
	for _, c := range allCases() {
		f.Add(c.url, []byte(c.body), c.opts.Profile == ProfileCIMD, c.opts.AllowPrivate)
	}
	f.Fuzz(func(t *testing.T, rawURL string, body []byte, cimd, allowPrivate bool) {
		opts := Options{AllowPrivate: allowPrivate}
		if cimd {
			opts.Profile = ProfileCIMD
		}
		got, doc := Check(rawURL, body, opts)
		out, err := json.Marshal(Result{URL: rawURL, Findings: got, Document: doc})
		if err != nil || !json.Valid(out) {
			t.Fatalf("Check(%q, %q): json.Marshal = %.200s, %v; want valid JSON", rawURL, body, out, err)
		}
		for i := 1; i < len(got); i++ {
			if ruleIndex(got[i-1].Rule) > ruleIndex(got[i].Rule) {
				t.Errorf("Check(%q, %q): %s before %s; want rule-table order", rawURL, body, got[i-1].Rule, got[i].Rule)
			}
			for _, prev := range got[:i] {
				if prev == got[i] {
					t.Errorf("Check(%q, %q) = %v; want no finding twice, got %v", rawURL, body, got, prev)
				}
			}
		}
		again, doc2 := Check(rawURL, bytes.Clone(body), opts)
		if !slices.Equal(got, again) || !reflect.DeepEqual(doc, doc2) {
			t.Errorf("Check(%q, %q) = %v, then %v; want the same verdict for the same bytes", rawURL, body, got, again)
		}
		notJSON := find(got, "doc-not-json", "")
		switch {
		case find(got, "doc-encoding", "") != nil:
		case notJSON == nil && !json.Valid(body):
			t.Errorf("Check(%q, %q) = %v; encoding/json says it is not JSON, want doc-not-json", rawURL, body, got)
		case notJSON != nil && json.Valid(body) && !strings.Contains(notJSON.Message, "nested deeper than"):
			t.Errorf("Check(%q, %q) = %v; encoding/json says it is JSON, want no doc-not-json", rawURL, body, got)
		}
	})
}

package validate

import (
	"reflect"
	"testing"
)

// TestCheckFileCompatibility: CheckFile's findings are the URL rules (when
// there is a URL), the size rule and the document rules, and its
// Compatibility is what Compatibility gives on its document at its URL,
// though the profiles share the document rules' splits.
func TestCheckFileCompatibility(t *testing.T) {
	bodies := clientBodies(t)
	for _, s := range []string{``, `[]`, `{}`, `{"client_id": "https://a.example.org/c.json?x", "redirect_uris": ["http://127.0.0.1/cb", "myapp://*/x"]}`,
		`{"client_id": 7, "redirect_uris": ["https://a.example.org/cb"], "logo_uri": "http://10.0.0.1/l.png"}`} {
		bodies = append(bodies, []byte(s))
	}
	compat := CompatOptions{Servers: []string{"auth0", "pingfederate"}, RedirectURIs: []string{"http://127.0.0.1:5000/cb"}}
	opts := Options{Profile: ProfileMCP}
	for _, body := range bodies {
		for _, at := range []struct {
			url    string
			hasURL bool
		}{{"", false}, {"", true}, {testURL, true}, {"https://a.example.org/c.json?x", true}} {
			r := CheckFile(body, at.url, at.hasURL, opts, compat)
			url, hasURL := at.url, at.hasURL
			if !hasURL {
				url, hasURL = DocumentClientID(body)
			}
			var want []Finding
			if hasURL {
				want = CheckURL(url, opts)
			}
			if f := CheckSize(len(body)); f != nil {
				want = append(want, *f)
			}
			df, doc := CheckDocument(url, body, opts)
			want = append(want, df...)
			if len(want) == 0 {
				want = []Finding{}
			}
			wantCompat := Compatibility(url, doc, compat)
			if r.URL != url || !reflect.DeepEqual(r.Findings, want) || !reflect.DeepEqual(r.Document, doc) || !reflect.DeepEqual(r.Compatibility, wantCompat) {
				t.Fatalf("CheckFile(%s, %q, %v) = %+v;\nwant URL %q, findings %+v, document %v, compatibility %+v", body, at.url, at.hasURL, r, url, want, doc, wantCompat)
			}
		}
	}
}

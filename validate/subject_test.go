package validate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestQuoteIsStrconvQuote: quote's fast path gives what strconv.Quote
// gives, for the bytes at the edges of it and for those it leaves to Quote.
func TestQuoteIsStrconvQuote(t *testing.T) {
	for _, s := range []string{"", "http://127.0.0.1:8765/callback", " ~", "a\"b", `a\b`, "a\x7fb", "a\x1fb", "\t",
		"caf\u00e9", "\xff", "\u2028", "com.example.app:/cb?x=1#f"} {
		if got, want := quote(s), strconv.Quote(s); got != want {
			t.Errorf("quote(%q) = %s; want %s", s, got, want)
		}
	}
}

// TestSortFirst: the first n are the n smallest in order, and the list
// keeps its members.
func TestSortFirst(t *testing.T) {
	for _, list := range [][]string{{}, {"b", "a"}, {"d", "c", "b", "a"}, {"e", "a", "d", "b", "c", "a"}, {"z", "y", "x", "w", "v", "u", "t"}} {
		want := slices.Sorted(slices.Values(list))
		got := slices.Clone(list)
		sortFirst(got, 3)
		n := min(3, len(got))
		if !slices.Equal(got[:n], want[:n]) {
			t.Errorf("sortFirst(%q, 3) starts %q; want %q", list, got[:n], want[:n])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("sortFirst(%q, 3) holds %q; want %q", list, got, want)
		}
	}
}

// TestCompatibilityPoolForgets: a subject from the pool judges a document
// as a new one does, whatever document it judged before (more redirects,
// unknown and forbidden members, grant lists, a response): nothing of the
// last call leaks into the next.
func TestCompatibilityPoolForgets(t *testing.T) {
	var docs []map[string]any
	files, _ := filepath.Glob("testdata/clients/*.json")
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		_, doc := Check(testURL, body, Options{})
		docs = append(docs, doc)
	}
	busy := map[string]any{
		"client_name": "x", "redirect_uris": []any{"http://localhost/cb", "myapp://*/x\x01", "https://a.example.org/cb", 7},
		"grant_types": []any{"client_credentials", "urn:ietf:params:oauth:grant-type:device_code"}, "response_types": []any{"token"},
		"skip_consent": true, "zeta": 1, "alpha": 2, "client_name#fr": "x", "jwks": map[string]any{"keys": []any{}},
		"token_endpoint_auth_method": "private_key_jwt", "application_type": "web", "logo_uri": "http://127.0.0.1/l.png",
	}
	docs = append(docs, busy, map[string]any{}, nil)
	opts := CompatOptions{Servers: []string{"auth0", "keycloak"}, RedirectURIs: []string{"http://127.0.0.1:5000/cb"}}
	live := &HTTPInfo{Bytes: 6000, ContentType: "text/plain", CacheControl: "max-age=5"}
	for _, before := range docs {
		for _, doc := range docs {
			for _, h := range []*HTTPInfo{nil, live} {
				o := opts
				Compatibility("https://app.example.com:0/?q", before, CompatOptions{HTTP: live, Servers: ServerNames()})
				o.HTTP = h
				got := Compatibility(testURL, doc, o)
				want := judge(newSubject(testURL, doc, h), o)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("after judging %v, Compatibility(%v) = %+v; want %+v", before, doc, got.Results(), want.Results())
				}
			}
		}
	}
}

// TestPutSubjectClears: putSubject leaves nothing of the document in the
// subject it pools, field by field, so a field added to subject and not to
// putSubject fails here (every slice kept is empty, every other field zero;
// the slabs judge carves from may be left, each element still zero).
func TestPutSubjectClears(t *testing.T) {
	doc := map[string]any{
		"client_name": "x", "redirect_uris": []any{"http://localhost/cb", "https://a.example.org/cb"},
		"grant_types": []any{"authorization_code"}, "response_types": []any{"code"}, "skip_consent": true, "zeta": 1,
		"token_endpoint_auth_method": "none", "application_type": "native", "logo_uri": "https://a.example.org/l.png",
	}
	s := getSubject(testURL, doc, &HTTPInfo{Bytes: 1})
	judge(s, CompatOptions{Servers: ServerNames()})
	putSubject(s)
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Slice && f.Len() == 0 {
			continue
		}
		if name := v.Type().Field(i).Name; name == "slab" || name == "findings" {
			for j := range f.Len() {
				if !f.Index(j).IsZero() {
					t.Errorf("after putSubject, subject.%s[%d] = %v; want it zero", name, j, f.Index(j))
				}
			}
			continue
		}
		if !f.IsZero() {
			t.Errorf("after putSubject, subject.%s = %v; want it zero", v.Type().Field(i).Name, f)
		}
	}
}

// TestCheckCompatIsCheckThenCompatibility: CheckCompat, which hands Check's
// splits to the profiles' subject, gives what Check followed by
// Compatibility gives, on the client documents, bodies that are no object,
// odd redirect_uris and URL members, with and without a response, one after
// another (so a pooled subject from a busier document is reused).
func TestCheckCompatIsCheckThenCompatibility(t *testing.T) {
	bodies := clientBodies(t)
	for _, s := range []string{``, `[]`, `{}`, `not json`, `{"redirect_uris": "https://a.example.org/cb"}`,
		`{"redirect_uris": [7, "http://localhost:*/cb", null, "myapp://*/x", "https://a.example.org/cb#f", "HTTP://127.0.0.1/cb", "data:text/html,x"],
		  "client_uri": "javascript:alert(1)", "logo_uri": "http://10.0.0.1/l.png", "tos_uri": 3, "policy_uri": "https://u:p@a.example.org/p",
		  "jwks_uri": "http://[::1]/jwks", "client_uri#fr": "https://a.example.org/fr", "application_type": "native"}`,
		`{"redirect_uris": ["https://a.example.org/1"], "redirect_uris": ["http://127.0.0.1/2", "http://127.0.0.1:9/2"], "logo_uri": "x", "logo_uri": "https://a.example.org/l"}`,
	} {
		bodies = append(bodies, []byte(s))
	}
	live := &HTTPInfo{Bytes: 6000, ContentType: "text/plain", CacheControl: "max-age=5"}
	for _, url := range []string{testURL, "https://app.example.com:0/?q", "http://Example.COM/a/../b#f", ""} {
		for _, body := range bodies {
			for _, h := range []*HTTPInfo{nil, live} {
				opts := Options{Profile: ProfileMCP}
				compat := CompatOptions{Servers: []string{"auth0", "keycloak"}, RedirectURIs: []string{"http://127.0.0.1:5000/cb"}, HTTP: h}
				wantF, wantDoc := Check(url, body, opts)
				want := Compatibility(url, wantDoc, compat)
				gotF, gotDoc, got := CheckCompat(url, body, opts, compat)
				if !reflect.DeepEqual(gotF, wantF) || !reflect.DeepEqual(gotDoc, wantDoc) || !reflect.DeepEqual(got, want) {
					t.Fatalf("CheckCompat(%q, %s) = %+v, %v, %+v;\nwant %+v, %v, %+v", url, body, gotF, gotDoc, got.Results(), wantF, wantDoc, want.Results())
				}
			}
		}
	}
}

// TestTrimBrackets: trimBrackets is strings.Trim(s, "[]").
func TestTrimBrackets(t *testing.T) {
	for _, s := range []string{"", "[", "]", "[]", "[::1]", "[[x]]", "]x[", "a[b]c", "[fe80::1%25en0]", "example.com", "[[", "x]"} {
		if got, want := trimBrackets(s), strings.Trim(s, "[]"); got != want {
			t.Errorf("trimBrackets(%q) = %q; want %q", s, got, want)
		}
	}
}

// TestMaybePrivateLocalhost: maybePrivate finds the localhost suffix in
// any case, with or without the root dot, as lower-casing the host would.
func TestMaybePrivateLocalhost(t *testing.T) {
	for _, h := range []string{"localhost", "LOCALHOST.", "a.LocalHost", "xlocalhost", "caf\u00e9.localhost", "10.0.0.1", "::1", "[::1]"} {
		if !maybePrivate(h) {
			t.Errorf("maybePrivate(%q) = false; want true", h)
		}
	}
	for _, h := range []string{"", "example.com", "localhost.example", "localhos", "ocalhost", "\u0130.example"} {
		if maybePrivate(h) != strings.HasSuffix(strings.ToLower(strings.TrimSuffix(h, ".")), "localhost") && h != "" {
			t.Errorf("maybePrivate(%q) disagrees with lower-casing", h)
		}
		if maybePrivate(h) {
			t.Errorf("maybePrivate(%q) = true; want false", h)
		}
	}
}

// TestJudgeSlabs: the findings and message bytes judge carves from a
// pooled subject's slabs are never handed out twice. Verdicts kept across
// many calls (past several slabs, and past a document whose findings
// outgrow what is left of one) still say what they said when they were
// returned, and no result's findings can be appended to over the next
// one's.
func TestJudgeSlabs(t *testing.T) {
	bodies := clientBodies(t)
	// Many findings at most servers: more than a slab holds.
	busy := []byte(`{"client_id":"` + testURL + `","client_name":"x","redirect_uris":["http://localhost/cb","myapp:/cb"],
		"grant_types":["authorization_code","urn:ietf:params:oauth:grant-type:device_code","client_credentials"],
		"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[]},"skip_consent":true,"zeta":1,"scope":"a b"}`)
	bodies = append(bodies, busy, []byte(`[]`))
	busyFindings, text := 0, 0
	type kept struct {
		got  Verdicts
		want []ServerResult
	}
	var all []kept
	opts := CompatOptions{Servers: ServerNames()}
	for round := range 16 {
		for _, body := range bodies {
			_, _, vs := CheckCompat(testURL, body, Options{}, opts)
			rs := vs.Results()
			want := slices.Clone(rs)
			n := 0
			for i := range want {
				want[i].Findings = slices.Clone(want[i].Findings)
				for j := range want[i].Findings {
					want[i].Findings[j].Message = strings.Clone(want[i].Findings[j].Message)
					text += len(want[i].Findings[j].Message)
				}
				n += len(want[i].Findings)
				if f := rs[i].Findings; len(f) > 0 && cap(f) != len(f) {
					t.Fatalf("round %d: %s's findings have room to grow over the next ones (len %d, cap %d)", round, rs[i].Server, len(f), cap(f))
				}
			}
			if string(body) == string(busy) {
				busyFindings = n
			}
			all = append(all, kept{vs, want})
		}
	}
	if text < 3*textSlabBytes {
		t.Fatalf("the messages have %d bytes; the test wants several text slabs of %d", text, textSlabBytes)
	}
	if busyFindings <= slabFindings {
		t.Fatalf("the busy document has %d findings; the test wants more than a slab's %d", busyFindings, slabFindings)
	}
	for i, k := range all {
		if got := k.got.Results(); !reflect.DeepEqual(got, k.want) {
			t.Errorf("results %d changed after later calls:\n got %+v\nwant %+v", i, got, k.want)
		}
	}
}

// TestTextSlab: each string room and string make keeps its bytes, whether
// it fits its room, outgrows it, or is too long for the slab.
func TestTextSlab(t *testing.T) {
	var text textSlab
	long := strings.Repeat("x", textSlabBytes/2)
	var got, want []string
	for i := range 3 * textSlabBytes / 16 {
		w := "message " + strconv.Itoa(i)
		room := len(w)
		switch i % 7 {
		case 3:
			room = 2 // outgrown
		case 5:
			w += long // an array of its own
			room = len(w)
		}
		got = append(got, text.string(append(text.room(room), w...)))
		want = append(want, w)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("string %d = %.40q; want %.40q", i, got[i], want[i])
		}
	}
	if len(text) != 0 {
		t.Errorf("the slab's rest has length %d; want 0", len(text))
	}
}

// FuzzCheckCompat is TestCheckCompatIsCheckThenCompatibility on any URL and
// body, and TestJudgeSlabs's promise besides: verdicts kept across the next
// call still read as they did.
func FuzzCheckCompat(f *testing.F) {
	for _, c := range allCases() {
		f.Add(c.url, []byte(c.body))
	}
	opts := Options{Profile: ProfileMCP}
	compat := CompatOptions{Servers: []string{"auth0", "keycloak"}, RedirectURIs: []string{"http://127.0.0.1:5000/cb"}}
	f.Fuzz(func(t *testing.T, rawURL string, body []byte) {
		wantF, wantDoc := Check(rawURL, body, opts)
		want := Compatibility(rawURL, wantDoc, compat)
		gotF, gotDoc, got := CheckCompat(rawURL, body, opts, compat)
		if !reflect.DeepEqual(gotF, wantF) || !reflect.DeepEqual(gotDoc, wantDoc) || !reflect.DeepEqual(got, want) {
			t.Fatalf("CheckCompat(%q, %q) = %+v, %v, %+v;\nwant %+v, %v, %+v", rawURL, body, gotF, gotDoc, got.Results(), wantF, wantDoc, want.Results())
		}
		kept, _ := json.Marshal(got)
		CheckCompat(rawURL, body, opts, compat)
		if again, _ := json.Marshal(got); !json.Valid(kept) || string(again) != string(kept) {
			t.Fatalf("CheckCompat(%q, %q): the verdicts read %s, and after the next call %s", rawURL, body, kept, again)
		}
	})
}

// clientBodies reads the published client documents of testdata/clients.
func clientBodies(t *testing.T) [][]byte {
	t.Helper()
	files, _ := filepath.Glob("testdata/clients/*.json")
	if len(files) == 0 {
		t.Fatal("no client documents in testdata/clients")
	}
	var bodies [][]byte
	for _, file := range files {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, body)
	}
	return bodies
}

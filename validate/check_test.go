package validate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// testURL is the client_id the document tables are served at.
const testURL = "https://app.example.com/oauth/client.json"

// ruleCase is one row of the rule tables: Check(url, body, opts) must report
// rule (at field, with sev, when those are set) if fires, and must not
// report it otherwise. not lists rules that must stay quiet even when rule
// fires: the overlaps RULES.md settles.
type ruleCase struct {
	url   string
	body  string
	opts  Options
	rule  string
	fires bool
	field string
	sev   Severity
	not   []string
}

// fire and quiet start a row; the methods below refine it.
func fire(rule, url, body string) ruleCase {
	return ruleCase{url: url, body: body, rule: rule, fires: true}
}

func quiet(rule, url, body string) ruleCase {
	return ruleCase{url: url, body: body, rule: rule}
}

func (c ruleCase) at(field string) ruleCase         { c.field = field; return c }
func (c ruleCase) severity(s Severity) ruleCase     { c.sev = s; return c }
func (c ruleCase) profile(p Profile) ruleCase       { c.opts.Profile = p; return c }
func (c ruleCase) allowPrivate() ruleCase           { c.opts.AllowPrivate = true; return c }
func (c ruleCase) without(rules ...string) ruleCase { c.not = rules; return c }

// absent deletes a key in docJSON.
type absentValue struct{}

var absent absentValue

// baseDoc is a document with no error or warning finding at testURL.
func baseDoc() map[string]any {
	return map[string]any{
		"client_id":                  testURL,
		"client_name":                "Example App",
		"redirect_uris":              []string{"https://app.example.com/callback"},
		"token_endpoint_auth_method": "none",
		"grant_types":                []string{"authorization_code"},
		"response_types":             []string{"code"},
	}
}

// docJSON is baseDoc with the key/value pairs applied, as JSON.
func docJSON(kv ...any) string {
	m := baseDoc()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == absent {
			delete(m, kv[i].(string))
		} else {
			m[kv[i].(string)] = kv[i+1]
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func find(fs []Finding, rule, field string) *Finding {
	for i, f := range fs {
		if f.Rule == rule && (field == "" || f.Field == field) {
			return &fs[i]
		}
	}
	return nil
}

func runCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		got, _ := Check(c.url, []byte(c.body), c.opts)
		call := fmt.Sprintf("Check(%q, %q, %+v)", c.url, c.body, c.opts)
		f := find(got, c.rule, c.field)
		switch {
		case c.fires && f == nil && c.field != "":
			t.Errorf("%s = %v; want rule %q at %q", call, got, c.rule, c.field)
		case c.fires && f == nil:
			t.Errorf("%s = %v; want rule %q", call, got, c.rule)
		case !c.fires && f != nil:
			t.Errorf("%s = %v; want no rule %q", call, got, c.rule)
		case c.fires && c.sev != "" && f.Severity != c.sev:
			t.Errorf("%s: %s severity = %s; want %s", call, c.rule, f.Severity, c.sev)
		}
		for _, r := range c.not {
			if find(got, r, "") != nil {
				t.Errorf("%s = %v; want no rule %q alongside %q", call, got, r, c.rule)
			}
		}
	}
}

// allCodes is every code of RULES.md §1-3, copied from the tables by hand so
// that a rule dropped from the implementation, or never tested, is noticed.
var allCodes = []string{
	"url-invalid", "url-scheme", "url-path-missing", "url-root-path", "url-dot-segment",
	"url-fragment", "url-userinfo", "url-query", "url-port", "url-not-normalized",
	"url-length", "url-private-address",

	"doc-encoding", "doc-not-json", "doc-not-object", "doc-duplicate-key",
	"doc-client-id-missing", "doc-client-id-mismatch", "doc-client-secret",
	"doc-auth-method-secret", "doc-auth-method-missing", "doc-private-key",
	"doc-jwks-conflict", "doc-jwks-missing", "doc-jwks-invalid",
	"doc-client-name-missing", "doc-redirect-uris-missing", "doc-field-type",
	"doc-unsafe-uri", "doc-uri-not-https", "doc-scope", "doc-grant-types",
	"doc-server-metadata-field", "doc-auth-methods", "doc-i18n", "doc-application-type", "doc-unknown-field",
	"doc-uri-private-address", "doc-case-variant-key", "doc-lone-surrogate",

	"redirect-wildcard", "redirect-invalid", "redirect-fragment", "redirect-unsafe-scheme",
	"redirect-http", "redirect-custom-scheme", "redirect-scheme", "redirect-localhost-name",
	"redirect-loopback-portless", "redirect-loopback-https", "redirect-cross-origin",
	"redirect-loopback-only",
}

func allCases() []ruleCase {
	return slices.Concat(urlCases, documentCases, redirectCases, differentialCases)
}

func TestEveryCodeIsTested(t *testing.T) {
	if !slices.Equal(ruleOrder[:], allCodes) {
		t.Errorf("ruleOrder = %v; want the RULES.md §1-3 codes in table order %v", ruleOrder, allCodes)
	}
	fires, quiets := map[string]int{}, map[string]int{}
	for _, c := range allCases() {
		if !slices.Contains(allCodes, c.rule) {
			t.Errorf("table row for %q: not a RULES.md §1-3 code", c.rule)
		}
		if c.fires {
			fires[c.rule]++
		} else {
			quiets[c.rule]++
		}
	}
	for _, code := range allCodes {
		if fires[code] == 0 {
			t.Errorf("no table case makes %q fire; want at least one", code)
		}
		if quiets[code] == 0 {
			t.Errorf("no near-miss table case for %q; want at least one", code)
		}
	}
}

// TestCleanDocument checks that a full, correct document gets no error or
// warning, under either profile.
func TestCleanDocument(t *testing.T) {
	body := `{
  "client_id": "https://app.example.com/oauth/client.json",
  "client_name": "Example App",
  "client_name#de": "Beispiel-App",
  "client_uri": "https://app.example.com/",
  "logo_uri": "https://app.example.com/logo.png",
  "tos_uri": "https://app.example.com/terms",
  "policy_uri": "https://app.example.com/privacy",
  "redirect_uris": [
    "https://app.example.com/callback",
    "http://127.0.0.1/callback",
    "http://127.0.0.1:33418/callback",
    "http://[::1]:33418/callback"
  ],
  "application_type": "native",
  "token_endpoint_auth_method": "private_key_jwt",
  "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "kid": "1"}]},
  "grant_types": ["authorization_code", "refresh_token"],
  "response_types": ["code"],
  "scope": "openid profile mcp:tools",
  "contacts": ["ops@example.com"],
  "software_id": "4NRB1-0XZABZI9E6-5SM3R",
  "software_version": "1.2.3"
}`
	for _, p := range []Profile{"", ProfileMCP, ProfileCIMD} {
		got, doc := Check(testURL, []byte(body), Options{Profile: p})
		for _, f := range got {
			if f.Severity != Info {
				t.Errorf("Check(%q, clean document, %q) = %v; want no error or warning", testURL, p, got)
				break
			}
		}
		if doc == nil || doc["client_id"] != testURL {
			t.Errorf("Check(%q, clean document, %q) document = %v; want the decoded object", testURL, p, doc)
		}
	}
	if got, _ := Check(testURL, []byte(docJSON()), Options{}); len(got) != 0 {
		t.Errorf("Check(%q, %s) = %v; want no findings", testURL, docJSON(), got)
	}
}

// TestProfiles checks the rows marked "mcp: error, cimd: warning", and that
// no other row changes with the profile.
func TestProfiles(t *testing.T) {
	profileRows := []struct {
		rule string
		url  string
		body string
	}{
		{"url-root-path", "https://app.example.com/", docJSON("client_id", "https://app.example.com/")},
		{"doc-client-name-missing", testURL, docJSON("client_name", absent)},
		{"doc-client-name-missing", testURL, docJSON("client_name", "")},
		// Under the cimd profile only without the code grant (its own test
		// rows cover the default).
		{"doc-redirect-uris-missing", testURL, docJSON("redirect_uris", absent, "grant_types", []string{"client_credentials"})},
		{"doc-redirect-uris-missing", testURL, docJSON("redirect_uris", []string{}, "grant_types", []string{"refresh_token"})},
	}
	for _, r := range profileRows {
		for _, tt := range []struct {
			profile Profile
			want    Severity
		}{{"", Error}, {ProfileMCP, Error}, {ProfileCIMD, Warning}} {
			got, _ := Check(r.url, []byte(r.body), Options{Profile: tt.profile})
			f := find(got, r.rule, "")
			if f == nil {
				t.Errorf("Check(%q, %q, profile %q) = %v; want rule %q", r.url, r.body, tt.profile, got, r.rule)
				continue
			}
			if f.Severity != tt.want {
				t.Errorf("Check(%q, %q, profile %q): %s severity = %s; want %s", r.url, r.body, tt.profile, r.rule, f.Severity, tt.want)
			}
		}
	}

	dependent := map[string]bool{"url-root-path": true, "doc-client-name-missing": true, "doc-redirect-uris-missing": true}
	for _, c := range allCases() {
		mcp, _ := Check(c.url, []byte(c.body), Options{Profile: ProfileMCP, AllowPrivate: c.opts.AllowPrivate})
		cimd, _ := Check(c.url, []byte(c.body), Options{Profile: ProfileCIMD, AllowPrivate: c.opts.AllowPrivate})
		if len(mcp) != len(cimd) {
			t.Errorf("Check(%q, %q): mcp gives %v, cimd %v; want the same rules", c.url, c.body, mcp, cimd)
			continue
		}
		for i := range mcp {
			if mcp[i].Rule != cimd[i].Rule || !dependent[mcp[i].Rule] && mcp[i].Severity != cimd[i].Severity {
				t.Errorf("Check(%q, %q): mcp gives %v, cimd %v; want them to differ only in the profile rows", c.url, c.body, mcp[i], cimd[i])
			}
		}
	}
}

// TestTableOrder checks that findings come in RULES.md table order however
// the document is laid out.
func TestTableOrder(t *testing.T) {
	body := `{"zz": 1, "issuer": "x", "scope": "", "client_secret": "s",
		"redirect_uris": ["http://localhost/cb", "https://other.example/cb#", "ftp"],
		"client_name#xx": "y", "client_id": "https://app.example.com/oauth/client.json/"}`
	got, _ := Check("HTTPS://app.example.com:443/oauth/client.json?", []byte(body), Options{})
	if len(got) < 10 {
		t.Fatalf("Check(..., messy document) = %v; want many findings", got)
	}
	for i := 1; i < len(got); i++ {
		if ruleIndex(got[i-1].Rule) > ruleIndex(got[i].Rule) {
			t.Errorf("Check(..., messy document): %s before %s; want RULES.md table order", got[i-1].Rule, got[i].Rule)
		}
	}
	for _, f := range got {
		if f.Message == "" || f.Message != strings.TrimSpace(f.Message) {
			t.Errorf("finding %s has message %q; want a non-empty, trimmed message", f.Rule, f.Message)
		}
	}
}

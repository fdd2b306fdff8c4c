package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

// withRaw is docJSON with the member name: raw added as literal JSON text,
// for values json.Marshal cannot write (numbers beyond float64).
func withRaw(name, raw string) string {
	doc := docJSON()
	return doc[:len(doc)-1] + `,"` + name + `":` + raw + "}"
}

// nested returns depth arrays one inside the other, as JSON text.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// differentialCases are the disagreements that differential testing against
// an independent implementation of RULES.md found (issue 11, item 6), each
// settled by RULES.md §7. Each row failed before the fix.
var differentialCases = []ruleCase{
	// Brackets are legal only around an IP literal.
	fire("url-invalid", "https://h/a]b", ""),
	fire("url-invalid", "https://app.example.com/a[1].json", ""),
	fire("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "urn:a[b]")),
	quiet("doc-auth-method-secret", testURL, docJSON("token_endpoint_auth_method", "urn:ab")),
	fire("redirect-invalid", testURL, redir("https://app.example.com/cb?x=[1]")),
	// IPvFuture is a legal host.
	quiet("url-invalid", "https://[v1.x]/oauth/client.json", ""),
	quiet("redirect-invalid", testURL, redir("https://[v1.x]/cb")),
	fire("url-invalid", "https://[v1.]/oauth/client.json", ""),
	fire("url-invalid", "https://[1.2.3.4]/oauth/client.json", ""),
	// A second '#' or '@', or a second ':' in the port, makes a URI invalid.
	fire("redirect-invalid", testURL, redir("a:b#c#d")).without("redirect-fragment", "redirect-scheme"),
	// An invalid entry gets that one finding.
	fire("redirect-invalid", testURL, redir("https://app.example.com/a b#x")).without("redirect-fragment"),
	fire("redirect-fragment", testURL, redir("javascript:x#y")),
	fire("url-invalid", "https://a@b@h/x", ""),
	fire("redirect-invalid", testURL, redir("com.example.app://127.0.0.1:80:443/cb")).at("redirect_uris[0]"),
	quiet("redirect-invalid", testURL, redir("com.example.app://127.0.0.1:80/cb")),
	// %41 in a host is not normalised; %FF is invalid, not "upper case".
	fire("url-not-normalized", "https://ex%41mple.com/oauth/client.json", "").without("url-invalid"),
	fire("url-invalid", "https://ex%FFmple.com/oauth/client.json", "").without("url-not-normalized"),
	// A port is a number when origins are compared.
	quiet("redirect-cross-origin", testURL, redir("https://app.example.com:0443/cb")),
	quiet("redirect-cross-origin", "https://app.example.com:0443/oauth/client.json",
		docJSON("client_id", "https://app.example.com:0443/oauth/client.json")),
	fire("redirect-cross-origin", testURL, redir("https://app.example.com:08443/cb")),
	// An https loopback redirect is compared like any other.
	fire("redirect-cross-origin", testURL, redir("https://127.0.0.1:8443/cb")).at("redirect_uris[0]"),
	// A wildcard port does not hide an invalid host.
	fire("redirect-invalid", testURL, redir("http://local host:*/cb")),
	// BCP 47 well-formedness by the RFC 5646 grammar.
	quiet("doc-i18n", testURL, docJSON("client_name#english", "x")),
	fire("doc-i18n", testURL, docJSON("client_name#aaa-bbb-ccc-ddd-eee", "x")),
	// Registered IANA names are not unknown.
	quiet("doc-unknown-field", testURL, docJSON("digest_algorithm", "SHA-256")),
	quiet("doc-unknown-field", testURL, docJSON("claims_redirect_uris", []string{"https://app.example.com/claims"})),
	quiet("doc-unknown-field", testURL, docJSON("nfv_token_signed_response_alg", "RS256")),
	// Nesting: 64 levels is a document, 65 or 10,000 is not JSON.
	fire("doc-not-json", testURL, withRaw("x", nested(10000))),
	fire("doc-not-json", testURL, withRaw("x", nested(64))),
	quiet("doc-not-json", testURL, withRaw("x", nested(63))),
	// Numbers are exact: never a parse error, whatever their size.
	quiet("doc-not-json", testURL, withRaw("default_max_age", "1e999999")),
	quiet("doc-not-json", testURL, withRaw("default_max_age", "1"+strings.Repeat("0", 4000))),
	quiet("doc-field-type", testURL, withRaw("default_max_age", "-1e999999")),
	fire("doc-not-json", testURL, withRaw("default_max_age", "1e")),
	fire("doc-not-json", testURL, withRaw("default_max_age", "01")),
	// Trailing dots name the same hosts; ::/8 is special-use.
	quiet("redirect-http", testURL, redir("http://127.0.0.1.:8080/cb")),
	fire("redirect-localhost-name", testURL, redir("http://localhost.:8080/cb")),
	fire("url-private-address", "https://127.0.0.1./oauth/client.json", ""),
	fire("url-private-address", "https://[::2]/oauth/client.json", ""),
	// A wildcard port without a scheme is still only invalid.
	fire("redirect-invalid", testURL, redir("//h:*")),
	// The index of the entry itself.
	fire("doc-grant-types", testURL, docJSON("grant_types", []any{5, "implicit"}, "response_types", []string{"token"})).at("grant_types[1]"),
	fire("doc-field-type", testURL, docJSON("grant_types", []any{5, "implicit"}, "response_types", []string{"token"})).at("grant_types[0]"),
}

func TestDifferentialCases(t *testing.T) { runCases(t, differentialCases) }

// TestDeepNestingMessage checks that a document nested too deep says so, at
// the bracket that goes one level too far.
func TestDeepNestingMessage(t *testing.T) {
	body := `{"x": ` + nested(10000) + `}`
	got, doc := CheckDocument(testURL, []byte(body), Options{})
	f := find(got, "doc-not-json", "")
	if f == nil || doc != nil || !strings.Contains(f.Message, "nested deeper than 64 levels") || !strings.Contains(f.Message, "line 1, column 70") {
		t.Errorf("CheckDocument(10,000 levels) = %v, %v; want only doc-not-json, nested deeper than 64 levels at line 1, column 70", got, doc)
	}
}

// TestHugeNumbersKeptExact checks that numbers no float64 holds are decoded
// as written, so the document (and its --json copy) keeps them.
func TestHugeNumbersKeptExact(t *testing.T) {
	big := "1" + strings.Repeat("0", 4000)
	body := withRaw("default_max_age", big)
	body = body[:len(body)-1] + `,"x":1e999999}`
	got, doc := CheckDocument(testURL, []byte(body), Options{})
	if len(got) != 1 || got[0].Rule != "doc-unknown-field" {
		t.Errorf("CheckDocument(huge numbers) = %v; want only doc-unknown-field for x", got)
	}
	out, err := json.Marshal(doc)
	if err != nil || !strings.Contains(string(out), `"default_max_age":`+big) || !strings.Contains(string(out), `"x":1e999999`) {
		t.Errorf("json.Marshal(document) = %.200s, %v; want the numbers as written", out, err)
	}
}

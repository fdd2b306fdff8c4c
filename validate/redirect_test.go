package validate

import (
	"strings"
	"testing"
)

// redir is a correct document with these redirect_uris; application_type is
// native so loopback entries do not also raise doc-application-type.
func redir(uris ...string) string {
	return docJSON("redirect_uris", uris, "application_type", "native")
}

var redirectCases = []ruleCase{
	fire("redirect-wildcard", testURL, redir("http://localhost:*/callback")).at("redirect_uris[0]").severity(Warning).without("redirect-invalid"),
	fire("redirect-wildcard", testURL, redir("https://app.example.com/cb", "http://127.0.0.1:*/callback")).at("redirect_uris[1]").without("redirect-loopback-portless"),
	fire("redirect-wildcard", testURL, redir("https://*.example.com/callback")),
	fire("redirect-invalid", testURL, redir("https://*.example.com/callback")).at("redirect_uris[0]"),
	fire("redirect-wildcard", testURL, redir("*")),
	fire("redirect-invalid", testURL, redir("*")),
	fire("redirect-invalid", testURL, redir("http://127.0.0.1:8080/cb*")),
	fire("redirect-invalid", testURL, redir("http://local host:*/cb")).at("redirect_uris[0]"),
	fire("redirect-wildcard", testURL, redir("http://local host:*/cb")),
	quiet("redirect-invalid", testURL, redir("http://127.0.0.1:*/cb")),
	quiet("redirect-wildcard", testURL, redir("http://127.0.0.1/callback", "http://127.0.0.1:8080/callback")),
	quiet("redirect-wildcard", testURL, redir("https://app.example.com/callback%2A")),

	fire("redirect-invalid", testURL, redir("callback")).at("redirect_uris[0]").severity(Error),
	fire("redirect-invalid", testURL, redir("/callback")),
	fire("redirect-invalid", testURL, redir("")),
	fire("redirect-invalid", testURL, redir("://app.example.com/cb")),
	fire("redirect-invalid", testURL, redir("https://app.example.com/call back")),
	fire("redirect-invalid", testURL, redir("https://app.example.com/cb%zz")),
	fire("redirect-invalid", testURL, redir("http:///callback")),
	fire("redirect-invalid", testURL, redir("https://app.example.com:port/cb")),
	fire("redirect-invalid", testURL, redir("https://app.example.com/cb", "http://[::1/cb")).at("redirect_uris[1]"),
	quiet("redirect-invalid", testURL, redir("http://127.0.0.1:3000/callback", "com.example.app:/oauth2redirect")),
	quiet("redirect-invalid", testURL, redir("http://[::1]:3000/callback")),

	fire("redirect-fragment", testURL, redir("https://app.example.com/callback#")).at("redirect_uris[0]").severity(Error),
	fire("redirect-fragment", testURL, redir("https://app.example.com/callback#done")),
	fire("redirect-fragment", testURL, redir("http://localhost:*/cb#x")),
	quiet("redirect-fragment", testURL, redir("https://app.example.com/callback?state=1")),
	quiet("redirect-fragment", testURL, redir("https://app.example.com/callback%23")),

	fire("redirect-unsafe-scheme", testURL, redir("javascript:alert(1)")).at("redirect_uris[0]").severity(Error),
	fire("redirect-unsafe-scheme", testURL, redir("data:text/html,<script>alert(1)</script>")).without("redirect-invalid"),
	fire("redirect-unsafe-scheme", testURL, redir("file:///tmp/callback")).without("redirect-custom-scheme"),
	fire("redirect-unsafe-scheme", testURL, redir("VBScript:msgbox")),
	quiet("redirect-unsafe-scheme", testURL, redir("https://app.example.com/javascript:")),
	quiet("redirect-unsafe-scheme", testURL, redir("com.example.javascript:/cb")),

	fire("redirect-http", testURL, redir("http://app.example.com/callback")).at("redirect_uris[0]").severity(Error),
	fire("redirect-http", testURL, redir("http://10.0.0.1:8080/callback")),
	fire("redirect-http", testURL, redir("http://localhost.example.com:8080/callback")),
	fire("redirect-http", testURL, redir("HTTP://app.example.com/callback")),
	fire("redirect-http", testURL, redir("http://0.0.0.0:8080/callback")),
	fire("redirect-http", testURL, redir("http://[::ffff:127.0.0.1]:8080/callback")),
	quiet("redirect-http", testURL, redir("http://127.0.0.1:8080/callback")),
	quiet("redirect-http", testURL, redir("http://127.5.6.7:8080/callback")),
	quiet("redirect-http", testURL, redir("http://[::1]:8080/callback")),
	quiet("redirect-http", testURL, redir("http://localhost:8080/callback")),
	quiet("redirect-http", testURL, redir("https://app.example.com/callback")),

	fire("redirect-custom-scheme", testURL, redir("com.example.app:/oauth2redirect")).at("redirect_uris[0]").severity(Warning),
	fire("redirect-custom-scheme", testURL, redir("com.example.app://callback")),
	quiet("redirect-custom-scheme", testURL, redir("myapp:/callback")), // redirect-scheme's
	quiet("redirect-custom-scheme", testURL, redir("https://app.example.com/callback")),
	quiet("redirect-custom-scheme", testURL, redir("http://127.0.0.1:8080/callback")),

	fire("redirect-scheme", testURL, redir("myapp:/callback")).at("redirect_uris[0]").severity(Error).without("redirect-custom-scheme"),
	fire("redirect-scheme", testURL, redir("cursor://anysphere.cursor-mcp/oauth/callback")).severity(Error),
	fire("redirect-scheme", testURL, redir("ftp://app.example.com/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com..example:/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com.example.:/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com.example.app://host/cb")).severity(Warning),
	quiet("redirect-scheme", testURL, redir("com.example.app:/cb", "https://app.example.com/cb", "http://127.0.0.1:8080/cb")),
	quiet("redirect-scheme", testURL, redir("http://app.example.com/cb")), // redirect-http's
	quiet("redirect-scheme", testURL, redir("javascript:alert(1)")),       // redirect-unsafe-scheme's

	fire("redirect-localhost-name", testURL, redir("http://localhost:8080/callback")).at("redirect_uris[0]").severity(Warning),
	fire("redirect-scheme", testURL, redir("myapp:/callback")).at("redirect_uris[0]").severity(Error).without("redirect-custom-scheme"),
	fire("redirect-scheme", testURL, redir("cursor://anysphere.cursor-mcp/oauth/callback")).severity(Error),
	fire("redirect-scheme", testURL, redir("ftp://app.example.com/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com..example:/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com.example.:/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com.example.app://host/cb")).severity(Warning),
	quiet("redirect-scheme", testURL, redir("com.example.app:/cb", "https://app.example.com/cb", "http://127.0.0.1:8080/cb")),
	quiet("redirect-scheme", testURL, redir("http://app.example.com/cb")), // redirect-http's
	quiet("redirect-scheme", testURL, redir("javascript:alert(1)")),       // redirect-unsafe-scheme's

	fire("redirect-localhost-name", testURL, redir("http://LOCALHOST:8080/callback")),
	fire("redirect-scheme", testURL, redir("myapp:/callback")).at("redirect_uris[0]").severity(Error).without("redirect-custom-scheme"),
	fire("redirect-scheme", testURL, redir("cursor://anysphere.cursor-mcp/oauth/callback")).severity(Error),
	fire("redirect-scheme", testURL, redir("ftp://app.example.com/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com..example:/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com.example.:/cb")).severity(Error),
	fire("redirect-scheme", testURL, redir("com.example.app://host/cb")).severity(Warning),
	quiet("redirect-scheme", testURL, redir("com.example.app:/cb", "https://app.example.com/cb", "http://127.0.0.1:8080/cb")),
	quiet("redirect-scheme", testURL, redir("http://app.example.com/cb")), // redirect-http's
	quiet("redirect-scheme", testURL, redir("javascript:alert(1)")),       // redirect-unsafe-scheme's

	fire("redirect-localhost-name", testURL, redir("https://localhost:8443/callback")),
	quiet("redirect-localhost-name", testURL, redir("http://127.0.0.1:8080/callback")),
	quiet("redirect-localhost-name", testURL, redir("http://[::1]:8080/callback")),
	quiet("redirect-localhost-name", testURL, redir("https://localhost.example.com/callback")),

	fire("redirect-loopback-portless", testURL, redir("http://127.0.0.1/callback")).at("redirect_uris[0]").severity(Warning),
	fire("redirect-loopback-portless", testURL, redir("http://127.0.0.1/callback", "http://127.0.0.1:8080/other")).at("redirect_uris[0]"),
	fire("redirect-loopback-portless", testURL, redir("http://127.0.0.1/callback", "http://[::1]:8080/callback")),
	fire("redirect-loopback-portless", testURL, redir("http://127.0.0.1/callback", "https://127.0.0.1:8443/callback")),
	fire("redirect-loopback-portless", testURL, redir("http://[::1]/callback")),
	fire("redirect-loopback-portless", testURL, redir("http://127.0.0.1:/callback")),
	quiet("redirect-loopback-portless", testURL, redir("http://127.0.0.1/callback", "http://127.0.0.1:8080/callback")),
	quiet("redirect-loopback-portless", testURL, redir("http://127.0.0.1:8080/callback")),
	quiet("redirect-loopback-portless", testURL, redir("http://127.0.0.1/callback", "http://127.0.0.1:*/callback")),
	quiet("redirect-loopback-portless", testURL, redir("https://app.example.com/callback")),

	fire("redirect-loopback-https", testURL, redir("https://127.0.0.1:8443/callback")).at("redirect_uris[0]").severity(Warning),
	fire("redirect-loopback-https", testURL, redir("https://localhost:8443/callback")),
	fire("redirect-loopback-https", testURL, redir("https://[::1]:8443/callback")),
	quiet("redirect-loopback-https", testURL, redir("http://127.0.0.1:8080/callback")),
	quiet("redirect-loopback-https", testURL, redir("https://app.example.com/callback")),

	fire("redirect-cross-origin", testURL, redir("https://other.example.com/callback")).at("redirect_uris[0]").severity(Warning),
	fire("redirect-cross-origin", testURL, redir("https://app.example.com:8443/callback")),
	fire("redirect-cross-origin", testURL, redir("https://example.com/callback")),
	quiet("redirect-cross-origin", testURL, redir("https://app.example.com/callback")),
	quiet("redirect-cross-origin", testURL, redir("https://APP.example.com:443/callback")),
	quiet("redirect-cross-origin", testURL, redir("http://127.0.0.1:8080/callback")),
	quiet("redirect-cross-origin", "not a url", redir("https://other.example.com/callback")),

	fire("redirect-loopback-only", testURL, redir("http://127.0.0.1:8080/callback")).at("redirect_uris").severity(Info),
	fire("redirect-loopback-only", testURL, redir("http://127.0.0.1/callback", "http://[::1]:8080/callback", "http://localhost:*/callback")),
	quiet("redirect-loopback-only", testURL, redir("http://127.0.0.1:8080/callback", "https://app.example.com/callback")),
	quiet("redirect-loopback-only", testURL, redir("http://127.0.0.1:8080/callback", "callback")),
	quiet("redirect-loopback-only", testURL, docJSON("redirect_uris", []any{"http://127.0.0.1:8080/callback", 1})),
	quiet("redirect-loopback-only", testURL, redir()),
}

func TestRedirectRules(t *testing.T) { runCases(t, redirectCases) }

func TestWildcardSuggestsLoopbackIP(t *testing.T) {
	body := redir("http://localhost:*/callback")
	got, _ := Check(testURL, []byte(body), Options{})
	f := find(got, "redirect-wildcard", "redirect_uris[0]")
	if f == nil || !strings.Contains(f.Message, "http://127.0.0.1/callback and http://127.0.0.1:8080/callback") {
		t.Errorf("Check(%q, %q) = %v; want redirect-wildcard suggesting the port-less and a fixed-port 127.0.0.1 URI", testURL, body, got)
	}
}

// TestRedirectFindingsPerEntry checks that one entry may get several
// findings, each naming its index.
func TestRedirectFindingsPerEntry(t *testing.T) {
	body := redir("https://app.example.com/cb", "http://localhost/cb#x")
	got, _ := Check(testURL, []byte(body), Options{})
	for _, rule := range []string{"redirect-fragment", "redirect-localhost-name", "redirect-loopback-portless"} {
		if find(got, rule, "redirect_uris[1]") == nil {
			t.Errorf("Check(%q, %q) = %v; want rule %q at redirect_uris[1]", testURL, body, got, rule)
		}
	}
	for _, f := range got {
		if f.Field == "redirect_uris[0]" {
			t.Errorf("Check(%q, %q) = %v; want nothing at redirect_uris[0]", testURL, body, got)
		}
	}
}

package validate

import (
	"strings"
	"testing"
)

// longURL returns an https URL of exactly n bytes.
func longURL(n int) string {
	const prefix = "https://app.example.com/"
	return prefix + strings.Repeat("a", n-len(prefix))
}

var urlCases = []ruleCase{
	fire("url-invalid", "", ""),
	fire("url-invalid", "example.com/oauth/client.json", "").without("url-scheme", "url-path-missing"),
	fire("url-invalid", "https:///oauth/client.json", ""),
	fire("url-invalid", "https:/app.example.com/client.json", ""),
	fire("url-invalid", "https://:443/client.json", ""),
	fire("url-invalid", "https://app.example.com/client%zz.json", ""),
	fire("url-invalid", "https://app.example.com/my client.json", ""),
	fire("url-invalid", "https://app.example.com/café.json", ""),
	fire("url-invalid", "https://h/a]b", ""),
	fire("url-invalid", "https://a@b@h/x", ""),
	fire("url-invalid", "https://app.example.com/a#b#c", ""),
	fire("url-invalid", "https://app.example.com:80:443/x", ""),
	fire("url-invalid", "https://ex%FFmple.com/x", ""),
	quiet("url-invalid", testURL, ""),
	quiet("url-invalid", "https://[v1.x]/oauth/client.json", ""),
	quiet("url-invalid", "https://ex%41mple.com/oauth/client.json", ""),
	quiet("url-invalid", "https://app.example.com/caf%C3%A9.json", ""),

	fire("url-scheme", "http://app.example.com/oauth/client.json", ""),
	fire("url-scheme", "HTTPS://app.example.com/oauth/client.json", ""),
	fire("url-scheme", "Https://app.example.com/oauth/client.json", ""),
	fire("url-scheme", "ftp://app.example.com/oauth/client.json", ""),
	quiet("url-scheme", testURL, ""),

	fire("url-path-missing", "https://app.example.com", ""),
	fire("url-path-missing", "https://app.example.com?x=1", ""),
	quiet("url-path-missing", "https://app.example.com/", ""),
	quiet("url-path-missing", testURL, ""),

	fire("url-root-path", "https://app.example.com/", "").severity(Error),
	fire("url-root-path", "https://app.example.com/", "").profile(ProfileCIMD).severity(Warning),
	fire("url-root-path", "https://app.example.com/?", ""),
	quiet("url-root-path", "https://app.example.com//", ""),
	quiet("url-root-path", "https://app.example.com/a/", ""),

	fire("url-dot-segment", "https://app.example.com/a/../client.json", ""),
	fire("url-dot-segment", "https://app.example.com/./client.json", ""),
	fire("url-dot-segment", "https://app.example.com/a/%2e%2E/client.json", ""),
	fire("url-dot-segment", "https://app.example.com/a/.%2e/client.json", ""),
	fire("url-dot-segment", "https://app.example.com/a/%2e", ""),
	fire("url-dot-segment", "https://app.example.com/a/..", ""),
	fire("url-dot-segment", "https://app.example.com/%2e%2e%2fx.json", ""),
	fire("url-dot-segment", "https://app.example.com/a/..%2Fx.json", ""),
	fire("url-dot-segment", "https://app.example.com/a%5C..%5Cx.json", ""),
	fire("url-dot-segment", "https://app.example.com/a/.%5cx.json", ""),
	quiet("url-dot-segment", "https://app.example.com/a%2Fb.json", ""),
	quiet("url-dot-segment", "https://app.example.com/.well-known/client.json", ""),
	quiet("url-dot-segment", "https://app.example.com/a/..b/client.json", ""),
	quiet("url-dot-segment", "https://app.example.com/a/%2e%2e%2e/client.json", ""),
	quiet("url-dot-segment", "https://app.example.com/client.json?x=..", ""),

	fire("url-fragment", "https://app.example.com/oauth/client.json#", ""),
	fire("url-fragment", "https://app.example.com/oauth/client.json#top", ""),
	quiet("url-fragment", "https://app.example.com/oauth/client%23.json", ""),

	fire("url-userinfo", "https://@app.example.com/oauth/client.json", ""),
	fire("url-userinfo", "https://user:pass@app.example.com/oauth/client.json", ""),
	quiet("url-userinfo", "https://app.example.com/oauth/@client.json", ""),
	quiet("url-userinfo", "https://app.example.com/oauth/client.json?by=a@b", ""),

	fire("url-query", "https://app.example.com/oauth/client.json?", "").severity(Warning),
	fire("url-query", "https://app.example.com/oauth/client.json?v=1", ""),
	quiet("url-query", "https://app.example.com/oauth/client%3F.json", ""),
	quiet("url-query", "https://app.example.com/oauth/client.json#?", ""),

	fire("url-port", "https://app.example.com:443/oauth/client.json", "").severity(Warning),
	fire("url-port", "https://app.example.com:/oauth/client.json", ""),
	fire("url-port", "https://app.example.com:8443/oauth/client.json", ""),
	fire("url-port", "https://[2606:4700::6810:84e5]:443/oauth/client.json", ""),
	quiet("url-port", "https://[2606:4700::6810:84e5]/oauth/client.json", ""),
	quiet("url-port", "https://app.example.com/oauth/a:b.json", ""),
	quiet("url-port", testURL, ""),

	fire("url-not-normalized", "https://App.Example.com/oauth/client.json", "").severity(Warning),
	fire("url-not-normalized", "https://app.example.com/oauth/a%2fb.json", ""),
	fire("url-not-normalized", "https://app.example.com/%7Euser/client.json", ""),
	fire("url-not-normalized", "https://app.example.com/oauth/%41.json", ""),
	fire("url-not-normalized", "https://app.example.com/oauth/client.json?x=%c3%a9", ""),
	quiet("url-not-normalized", "https://app.example.com/oauth/a%2Fb.json", ""),
	quiet("url-not-normalized", "https://app.example.com/~user/client.json", ""),
	quiet("url-not-normalized", "https://app.example.com/OAuth/Client.json", ""),
	fire("url-not-normalized", "https://ex%41mple.com/oauth/client.json", "").without("url-invalid"),
	quiet("url-not-normalized", "https://caf%C3%A9.example/oauth/client.json", ""),

	fire("url-length", longURL(121), "").severity(Warning),
	fire("url-length", longURL(500), ""),
	quiet("url-length", longURL(120), ""),

	fire("url-private-address", "https://127.0.0.1/oauth/client.json", "").severity(Error),
	fire("url-private-address", "https://localhost/oauth/client.json", ""),
	fire("url-private-address", "https://LocalHost./oauth/client.json", ""),
	fire("url-private-address", "https://app.localhost/oauth/client.json", ""),
	fire("url-private-address", "https://[::1]/oauth/client.json", ""),
	fire("url-private-address", "https://10.1.2.3/oauth/client.json", ""),
	fire("url-private-address", "https://192.168.1.10/oauth/client.json", ""),
	fire("url-private-address", "https://100.64.0.1/oauth/client.json", ""),
	fire("url-private-address", "https://169.254.169.254/oauth/client.json", ""),
	fire("url-private-address", "https://192.0.2.1/oauth/client.json", ""),
	fire("url-private-address", "https://[::ffff:192.168.0.1]/oauth/client.json", ""),
	fire("url-private-address", "https://[fe80::1%25eth0]/oauth/client.json", ""),
	fire("url-private-address", "https://127.1/oauth/client.json", ""),
	fire("url-private-address", "https://2130706433/oauth/client.json", ""),
	fire("url-private-address", "https://0x7f.0.0.1/oauth/client.json", ""),
	quiet("url-private-address", "https://127.0.0.1/oauth/client.json", "").allowPrivate(),
	quiet("url-private-address", "https://8.8.8.8/oauth/client.json", ""),
	quiet("url-private-address", "https://[2606:4700::6810:84e5]/oauth/client.json", ""),
	quiet("url-private-address", "https://localhost.example.com/oauth/client.json", ""),
	quiet("url-private-address", "https://intranet.corp/oauth/client.json", ""), // needs DNS
	quiet("url-private-address", "https://1.2.3.4.example/oauth/client.json", ""),
}

func TestURLRules(t *testing.T) { runCases(t, urlCases) }

// TestURLInvalidStopsOtherURLRules checks that an unusable URL is reported
// once, not once per part it lacks.
func TestURLInvalidStopsOtherURLRules(t *testing.T) {
	for _, u := range []string{"", "example.com", "https:///x", "http://exa mple.com"} {
		got := CheckURL(u, Options{})
		if len(got) != 1 || got[0].Rule != "url-invalid" {
			t.Errorf("CheckURL(%q) = %v; want only url-invalid", u, got)
		}
	}
}

func TestURLFindingsHaveNoField(t *testing.T) {
	for _, c := range urlCases {
		for _, f := range CheckURL(c.url, c.opts) {
			if f.Field != "" {
				t.Errorf("CheckURL(%q) = %v; want Field \"\" on URL rules", c.url, f)
			}
		}
	}
}

func TestParseLegacyIPv4(t *testing.T) {
	for in, want := range map[string]string{
		"127.1":        "127.0.0.1",
		"2130706433":   "127.0.0.1",
		"0x7f.1":       "127.0.0.1",
		"0177.0.0.1":   "127.0.0.1",
		"10.0.258":     "10.0.1.2",
		"192.168.1.10": "192.168.1.10",
		"0":            "0.0.0.0",
	} {
		got, ok := parseLegacyIPv4(in)
		if !ok || got.String() != want {
			t.Errorf("parseLegacyIPv4(%q) = %v, %v; want %s, true", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "example.com", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "0x", "1..2", "08", "1_000", "4294967296", "+1"} {
		if got, ok := parseLegacyIPv4(in); ok {
			t.Errorf("parseLegacyIPv4(%q) = %v, true; want false", in, got)
		}
	}
}

package validate

import (
	"net/url"
	"strings"
	"testing"
)

func TestCheckLiveRawGitHubHint(t *testing.T) {
	f := contentTypeFinding(mustParse(t, "https://raw.githubusercontent.com/o/r/main/client.json"), "text/plain; charset=utf-8", nil)
	if f == nil || !strings.Contains(f.Message, "GitHub Pages") {
		t.Errorf("contentTypeFinding(raw GitHub) = %v; want a hint to host it elsewhere", f)
	}
}

// TestCheckServing runs the serving rules on plain values, with no server:
// that is what lets live validation and check-server share them.
func TestCheckServing(t *testing.T) {
	const u = "https://app.example.com/oauth/client.json"
	good := Header{"Content-Type": {"application/json"}, "Cache-Control": {"max-age=3600"}}
	big := make([]byte, MaxBytes+1)
	for _, tt := range []struct {
		name  string
		s     Served
		rules []string
		bytes int
	}{
		{"ok", Served{Status: 200, StatusLine: "200 OK", Header: good, Body: []byte("{}"), Complete: true}, nil, 2},
		{"redirect", Served{Status: 302, StatusLine: "302 Found", Header: Header{"Location": {u + "/"}}}, []string{"http-redirect"}, 0},
		{"not found", Served{Status: 404, StatusLine: "404 Not Found", Header: Header{}}, []string{"http-status"}, 0},
		{"lower-case names", Served{Status: 200, StatusLine: "200 OK", Header: Header{"content-type": {"text/plain"}}, Body: []byte("{}"), Complete: true},
			[]string{"http-content-type", "http-cache-control"}, 2},
		{"oversized", Served{Status: 200, StatusLine: "200 OK", Header: Header{"Content-Type": {"application/json"}, "Cache-Control": {"max-age=60"}, "Content-Length": {"9000"}}, Body: big},
			[]string{"http-size"}, 9000},
	} {
		var got []string
		for _, f := range CheckServing(u, tt.s) {
			got = append(got, f.Rule)
		}
		if strings.Join(got, " ") != strings.Join(tt.rules, " ") {
			t.Errorf("CheckServing(%s) = %v; want rules %v", tt.name, got, tt.rules)
		}
		if b := tt.s.Info().Bytes; b != tt.bytes {
			t.Errorf("Served(%s).Info().Bytes = %d; want %d", tt.name, b, tt.bytes)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

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

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostile holds the characters no output may carry raw: ESC, CR, LF, BEL,
// C1 controls (NEL, CSI), bidi embeddings, overrides and isolates, and the
// line separator.
const hostileRunes = "\x1b\r\x07\u0085\u009b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028"

func assertNoHostile(t *testing.T, where, out string) {
	t.Helper()
	if i := strings.IndexAny(out, hostileRunes); i >= 0 {
		t.Errorf("%s carries a raw control or bidi character at byte %d:\n%q", where, i, out)
	}
	if i := strings.IndexByte(out, 0x9b); i >= 0 && !utf8.ValidString(out[max(i-1, 0):i+1]) {
		t.Errorf("%s carries a raw 8-bit CSI byte at %d:\n%q", where, i, out)
	}
}

// hostileServer serves body (with HOST replaced by the server's host:port)
// at every path with the given headers, over TLS, and returns its URL and
// the path of its certificate as PEM.
func hostileServer(t *testing.T, body string, header map[string]string) (string, string) {
	var host string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Write([]byte(strings.ReplaceAll(body, "HOST", host)))
	}))
	host = strings.TrimPrefix(srv.URL, "https://")
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv.URL, ca
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestHeadlineEscapesServerHeaders: the Content-Type and Cache-Control of a
// hostile server are shown escaped in validate's headline.
func TestHeadlineEscapesServerHeaders(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	url, ca := hostileServer(t, `{}`, map[string]string{
		"Content-Type":  "application/json\u202e\u0085; x=\u009b31m",
		"Cache-Control": "max-age=60\u2066\u2069\u202a\u202d\x9b2J",
	})
	_, stdout, stderr := runCLI(t, "validate", "--allow-private", "--cacert", ca, url+"/c.json")
	assertNoHostile(t, "validate's text output", stdout+stderr)
	for _, want := range []string{`application/json\u202e\u0085; x=\u009b31m`, `cache-control: max-age=60\u2066\u2069\u202a\u202d\x9b2J`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("headline does not show %q escaped:\n%s", want, stdout)
		}
	}
}

// TestAnnotationsEscapeHostileText: under GitHub Actions, a drift key list
// naming a live document's hostile key, and a config file name holding ':'
// and ',', cannot end a workflow command early or forge another.
func TestAnnotationsEscapeHostileText(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	live := `{"client_id":"https://HOST/c.json","client_name":"A","redirect_uris":["http://127.0.0.1:8765/cb"],"token_endpoint_auth_method":"none","application_type":"native",` +
		`"x\u202e\r\n::error::forged%0A|evil":1}`
	url, ca := hostileServer(t, live, map[string]string{"Content-Type": "application/json"})
	host := strings.TrimPrefix(url, "https://")
	cfg := filepath.Join(dir, "we:ird,name.toml")
	toml := "host = \"" + host + "\"\npath = \"/c.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"http://127.0.0.1:8765/cb\"]\napplication_type = \"native\"\n" +
		"[validate]\nallow_private = true\ncacert = \"" + filepath.ToSlash(ca) + "\"\n"
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, "validate", "-c", cfg)
	if code != 1 {
		t.Fatalf("validate of a drifting copy = %d; want 1\n%s%s", code, stdout, stderr)
	}
	assertNoHostile(t, "validate's output", stdout+stderr)
	var a string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "::") && !strings.HasPrefix(l, "::error file=") && !strings.HasPrefix(l, "::warning file=") {
			t.Errorf("a workflow command without the config's file: forged? %s", l)
		}
		if strings.Contains(l, "title=cimd live-drift::") {
			a = l
		}
	}
	if a == "" {
		t.Fatalf("no live-drift annotation:\n%s", stderr)
	}
	if !strings.HasPrefix(a, "::error file="+strings.NewReplacer(":", "%3A", ",", "%2C").Replace(cfg)+",") {
		t.Errorf("annotation's file property is not escaped: %s", a)
	}
	if !strings.Contains(a, `x\u202e\u000d\u000a::error::forged%250A|evil`) {
		t.Errorf("annotation does not name the hostile key escaped: %s", a)
	}
	b, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	assertNoHostile(t, "the step summary", string(b))
}

// TestSummaryLinesEscapeConfigText: a cimd.toml path holding bidi and C1
// characters (refused by the path rule) is shown escaped in build's and
// publish's messages, their annotations and the step summary.
func TestSummaryLinesEscapeConfigText(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	cfg := filepath.Join(dir, "cimd.toml")
	toml := `host = "app.example.com"
path = "/oauth/\u202e\u2066\u009bnosj.json"
[client]
client_name = "A"
redirect_uris = ["http://127.0.0.1:8765/cb"]
application_type = "native"
[publish]
target = "dir"
[publish.dir]
root = "site"
`
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"build", "publish"} {
		code, stdout, stderr := runCLI(t, cmd, "-c", cfg)
		if code == 0 {
			t.Errorf("%s of an invalid client_id = 0; want a failure", cmd)
		}
		assertNoHostile(t, cmd+"'s output", stdout+stderr)
		if !strings.Contains(stderr, `/oauth/\u202e\u2066\u009bnosj.json`) {
			t.Errorf("%s's summary line does not name the client_id escaped:\n%s", cmd, stderr)
		}
	}
	// The path rule refuses such a path as a configuration error, so a step
	// summary may not be written at all; when it is, it is escaped too.
	b, err := os.ReadFile(summary)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	assertNoHostile(t, "the step summary", string(b))
}

// TestPrintableCoversEveryClass: every C0 and C1 control, every bidi
// embedding, override and isolate, and the line and paragraph separators
// are escaped; a lone invalid byte (a raw 8-bit CSI) never comes out raw.
func TestPrintableCoversEveryClass(t *testing.T) {
	var rs []rune
	for r := rune(0); r < 0x20; r++ {
		rs = append(rs, r)
	}
	for r := rune(0x7f); r <= 0x9f; r++ {
		rs = append(rs, r)
	}
	for r := rune(0x202a); r <= 0x202e; r++ {
		rs = append(rs, r)
	}
	for r := rune(0x2066); r <= 0x2069; r++ {
		rs = append(rs, r)
	}
	rs = append(rs, 0x200e, 0x200f, 0x061c, 0x2028, 0x2029, 0xfeff)
	for _, r := range rs {
		if got := printable("a" + string(r) + "b"); strings.ContainsRune(got, r) || !strings.Contains(got, `\u`) {
			t.Errorf("printable(%U) = %q; want it escaped", r, got)
		}
	}
	if got := printable("a\x9b31mb"); got != `a\x9b31mb` {
		t.Errorf("printable kept a raw 0x9b byte: %q", got)
	}
	if got := printable("Café ✓ 日本"); got != "Café ✓ 日本" {
		t.Errorf("printable(ordinary text) = %q; want it unchanged", got)
	}
}

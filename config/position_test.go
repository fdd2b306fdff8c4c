package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestLocate(t *testing.T) {
	const src = `# comment: host = "not this"
host = "app.example.com"
  path = "/x"
client.client_name = "dotted"
inline = { a = 1, b = 2 }
text = """
fake = "inside a multi-line string"
"""

[client]
redirect_uris = [
  "http://127.0.0.1/cb",
]
"client_name#fr" = 'Exemple'

[ env . 'my env' . client ]
  scope = "x"

[[aot]]
fake = 1
`
	tests := []struct {
		key       toml.Key
		line, col int
	}{
		{toml.Key{"host"}, 2, 1},
		{toml.Key{"path"}, 3, 3},
		{toml.Key{"client", "client_name"}, 4, 1},
		{toml.Key{"client"}, 10, 1},     // its header beats a dotted key inside it
		{toml.Key{"inline", "b"}, 5, 1}, // inside an inline table: the enclosing key
		{toml.Key{"fake"}, 0, 0},        // only inside a string
		{toml.Key{"client", "redirect_uris"}, 11, 1},
		{toml.Key{"client", "client_name#fr"}, 14, 1},
		{toml.Key{"env", "my env", "client"}, 16, 1},
		{toml.Key{"env", "my env", "client", "scope"}, 17, 3},
		{toml.Key{"env"}, 16, 1},
		{toml.Key{"aot", "fake"}, 20, 1},
		{toml.Key{"missing"}, 0, 0},
		{nil, 0, 0},
	}
	for _, tt := range tests {
		line, col := locate(src, tt.key)
		if line != tt.line || col != tt.col {
			t.Errorf("locate(%q) = %d:%d; want %d:%d", tt.key, line, col, tt.line, tt.col)
		}
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		in   string
		open int
		want toml.Key
		ok   bool
	}{
		{`a.b = 1`, 0, toml.Key{"a", "b"}, true},
		{`"a.b" = 1`, 0, toml.Key{"a.b"}, true},
		{`"q\"x" = 1`, 0, toml.Key{`q"x`}, true},
		{`'lit\' = 1`, 0, toml.Key{`lit\`}, true},
		{`[a . "b"]`, 1, toml.Key{"a", "b"}, true},
		{`[[a.b]]`, 2, toml.Key{"a", "b"}, true},
		{`[a`, 1, nil, false},
		{`"unterminated`, 0, nil, false},
		{`= 1`, 0, nil, false},
	}
	for _, tt := range tests {
		got, _, ok := parseKey(tt.in, tt.open)
		if ok != tt.ok || got.String() != tt.want.String() {
			t.Errorf("parseKey(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFileLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cimd.toml")
	src := "host = \"app.example.com\"\npath = \"/c.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"http://127.0.0.1:1/cb\"]\n[client.extra]\n\"client_name#fr\" = \"B\"\n[env.staging.client]\nredirect_uris = [\"https://s.example.com/cb\"]\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		env  string
		key  []string
		want int
	}{
		{"", []string{"host"}, 1},
		{"", []string{"client", "redirect_uris"}, 5},
		{"staging", []string{"client", "redirect_uris"}, 9},
		{"staging", []string{"client", "client_name"}, 4},
		{"", []string{"client", "extra", "client_name#fr"}, 7},
		{"", []string{"client", "logo_uri"}, 0},
	}
	for _, tt := range tests {
		if got := f.Line(tt.env, tt.key...); got != tt.want {
			t.Errorf("Line(%q, %q) = %d; want %d", tt.env, tt.key, got, tt.want)
		}
	}
}

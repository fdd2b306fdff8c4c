package config

import (
	"strings"
	"testing"
)

// TestCheckPath is the one path rule build and publish share: each case is
// also loaded from a cimd.toml, where the message is the path key's.
func TestCheckPath(t *testing.T) {
	for _, tt := range []struct {
		path string
		want string // "" when the path is fine
	}{
		{"/oauth/client.json", ""},
		{"/client.json", ""},
		{"/oauth/client", ""},
		{"/a-b_c~d.e/f!$&'()*+,;=:@.json", ""},
		{"/.well-known/client.json", ""},
		{"", "is required"},
		{"a/b.json", `"a/b.json" must start with "/"`},
		{"/a/b.json/", `"/a/b.json/" ends in "/": it must name a file`},
		{"/", `"/" ends in "/": it must name a file`},
		{"/a//b.json", `"/a//b.json" has an empty segment ("//")`},
		{"//a/b.json", `"//a/b.json" has an empty segment ("//")`},
		{"/a/./b.json", `"/a/./b.json" has a "." segment`},
		{"/a/../b.json", `"/a/../b.json" has a ".." segment`},
		{"/..", `"/.." has a ".." segment`},
		{"/a b.json", `"/a b.json" must not contain whitespace`},
		{"/a%20b.json", `"/a%20b.json" has a percent-escape: hosts decode it and look up another name than the file or key written`},
		{"/caf%C3%A9.json", `has a percent-escape`},
		{"/a%2Fb.json", `has a percent-escape`},
		{"/café.json", `"/café.json" has 'é', which a URL path cannot hold unescaped`},
		{"/a?b=1", `has '?', which a URL path cannot hold unescaped`},
		{"/a#b", `has '#', which`},
		{`/a\b.json`, `has '\\', which`},
		{"/a\x00b", `has '\x00', which`},
	} {
		err := CheckPath(tt.path)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckPath(%q) = %v; want nil", tt.path, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckPath(%q) = %v; want an error containing %q", tt.path, err, tt.want)
		}
		if strings.ContainsAny(tt.path, "\x00\\\"") {
			continue // not written as a plain TOML basic string below
		}
		_, err = load(t, strings.Replace(base, `"/oauth/client.json"`, `"`+tt.path+`"`, 1))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Load(path = %q) = %v; want nil", tt.path, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), ":2:1: path: ") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Load(path = %q) = %v; want an error at 2:1 for path containing %q", tt.path, err, tt.want)
		}
	}
}

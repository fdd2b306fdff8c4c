package config

import (
	"path/filepath"
	"testing"
)

// TestLayout is the one layout rule: the top level under out (root), an
// environment that inherits them under out/NAME (root/NAME), one that sets
// its own under that; --out replaces every out and keeps the NAME.
func TestLayout(t *testing.T) {
	f, err := load(t, base+`[build]
out = "public"
[publish]
target = "dir"
[publish.dir]
root = "site"
[env.inherit]
host = "inherit.example.com"
[env.own]
host = "own.example.com"
[env.own.build]
out = "own-out"
[env.own.publish.dir]
root = "own-site"
[env.same]
host = "same.example.com"
[env.same.build]
out = "public"
`)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(f.Path)
	for _, tt := range []struct {
		env, out, flagOut, root string
	}{
		{"", "public", "o", "site"},
		{"inherit", "public/inherit", "o/inherit", "site/inherit"},
		{"own", "own-out", "o/own", "own-site"},
		// Setting the top level's value is setting one's own: build then
		// refuses the two environments' shared file.
		{"same", "public", "o/same", "site/same"},
	} {
		// --env NAME and --all-envs select the same config.
		one, err := f.Select(tt.env, false)
		if err != nil {
			t.Fatal(err)
		}
		all, _ := f.Select("", true)
		for _, c := range all {
			if c.Env != tt.env {
				continue
			}
			for _, c := range []*Config{one[0], c} {
				if got, want := c.OutDir(""), filepath.Join(dir, filepath.FromSlash(tt.out)); got != want {
					t.Errorf("env %q: OutDir(\"\") = %s; want %s", tt.env, got, want)
				}
				if got, want := c.OutDir("o"), filepath.FromSlash(tt.flagOut); got != want {
					t.Errorf("env %q: OutDir(\"o\") = %s; want %s", tt.env, got, want)
				}
				if got, want := c.DirRoot(), filepath.Join(dir, filepath.FromSlash(tt.root)); got != want {
					t.Errorf("env %q: DirRoot() = %s; want %s", tt.env, got, want)
				}
			}
		}
	}
}

package config

import (
	"fmt"
	"path/filepath"
	"strings"
)

// DefaultKeysDir is where private keys live when [client.keys] does not
// say: hidden, and added to .gitignore by init.
const DefaultKeysDir = ".cimd/keys"

// KeysDir returns the private key directory, resolved against the config's
// directory.
func (c *Config) KeysDir() string {
	d := c.Client.Keys.PrivateDir
	if d == "" {
		d = DefaultKeysDir
	}
	return c.Abs(d)
}

// KeysDirProblem says why the private key directory is unsafe, or "": it
// must not be inside a tree that build writes or publish uploads, where a
// careless copy or a later change would serve the private keys.
func (c *Config) KeysDirProblem() string {
	priv := c.KeysDir()
	if c.Build.Out == "" { // check runs before the defaults are filled in
		d := *c
		d.Build.Out = "public"
		c = &d
	}
	name := c.Client.Keys.PrivateDir
	if name == "" {
		name = DefaultKeysDir
	}
	trees := []struct{ what, dir string }{
		{"the build output " + c.Build.Out, c.Abs(c.Build.Out)},
		{"the build output", c.OutDir("")},
		{"the publish root " + c.Publish.Dir.Root, c.Abs(c.Publish.Dir.Root)},
		{"the publish root", c.DirRoot()},
	}
	for _, t := range trees {
		if t.dir != "" && within(priv, t.dir) {
			return fmt.Sprintf("%q is inside %s: private keys must stay out of what is built and published; choose a directory outside it", name, t.what)
		}
	}
	return ""
}

// within reports whether path is dir or below it, comparing absolute,
// cleaned paths.
func within(path, dir string) bool {
	ap, err1 := filepath.Abs(path)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, ap)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

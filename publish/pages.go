package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
)

// PagesCacheControl is what GitHub Pages sends with every file it serves;
// no repository setting changes it.
const PagesCacheControl = "max-age=600"

// NeedsNoJekyll reports whether GitHub Pages, building the site with
// Jekyll, would leave out the document at the URL path p: Jekyll skips every
// file and directory whose name starts with "." or "_" (.well-known among
// them) unless the site's root holds a .nojekyll file.
func NeedsNoJekyll(p string) bool {
	for _, part := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if strings.HasPrefix(part, ".") || strings.HasPrefix(part, "_") {
			return true
		}
	}
	return false
}

// pagesSite does for a dir target with [publish.dir] site = "github-pages"
// what Pages needs beyond the document: it says, on opts.Log, that Pages
// serves it with its own Cache-Control, and makes sure the root of the site
// (the configured [publish.dir] root, where Pages looks) holds .nojekyll
// when the path needs one. It returns the path of .nojekyll when it wrote
// it (or, in a dry run, would), else "".
func pagesSite(c *config.Config, opts Options) (string, error) {
	if c.Publish.Dir.Site != "github-pages" {
		return "", nil
	}
	fmt.Fprintf(opts.Log, "cimd: note: GitHub Pages serves every file with Cache-Control: %s whatever [publish] cache_control says (%q); servers may keep the old document that long\n", PagesCacheControl, c.Publish.CacheControl)
	if !NeedsNoJekyll(c.Path) {
		return "", nil
	}
	root := c.Abs(c.Publish.Dir.Root)
	if err := checkLinks(root, ".nojekyll"); err != nil {
		return "", err
	}
	name := filepath.Join(root, ".nojekyll")
	switch fi, err := os.Lstat(name); {
	case err == nil && fi.Mode().IsRegular():
		return "", nil
	case err == nil:
		return "", fmt.Errorf("publish: %s is not a regular file; GitHub Pages needs an (empty) file there to serve %s", name, c.Path)
	case !os.IsNotExist(err):
		return "", fmt.Errorf("publish %s: %w", name, err)
	}
	if opts.DryRun {
		fmt.Fprintf(opts.Log, "cimd: would write %s: without it GitHub Pages (Jekyll) leaves out %s\n", name, c.Path)
		return name, nil
	}
	if err := build.WriteFile(name, nil); err != nil {
		return "", fmt.Errorf("publish: %w", err)
	}
	fmt.Fprintf(opts.Log, "cimd: wrote %s: without it GitHub Pages (Jekyll) leaves out %s\n", name, c.Path)
	return name, nil
}

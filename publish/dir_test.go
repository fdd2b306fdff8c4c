package publish

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/config"
)

func dirConfig(dir, root string) *config.Config {
	return &config.Config{
		Dir:     dir,
		Host:    "app.example.com",
		Path:    "/oauth/client.json",
		Publish: config.Publish{Target: "dir", Dir: config.Dir{Root: root}},
	}
}

func TestDir(t *testing.T) {
	dir := t.TempDir()
	c := dirConfig(dir, "site/static")
	name := filepath.Join(dir, "site", "static", "oauth", "client.json")

	step := func(what, doc string, opts Options, wantReason string, wantWritten bool) {
		t.Helper()
		plan, err, _ := run(t, c, doc, opts)
		if err != nil {
			t.Fatalf("%s: Publish: %v", what, err)
		}
		if plan.Reason != wantReason || plan.Written != wantWritten || plan.Location != name || plan.Target != "dir" {
			t.Errorf("%s: plan = %+v; want reason %q, uploaded %v, location %s", what, plan, wantReason, wantWritten, name)
		}
	}
	content := func() string {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	step("dry run", docA, Options{DryRun: true}, ReasonNotFound, false)
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Fatalf("dry run wrote %s (stat: %v)", name, err)
	}
	step("first", docA, Options{}, ReasonNotFound, true)
	if got := content(); got != docA {
		t.Errorf("file = %q; want %q", got, docA)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v; want 0644", fi.Mode().Perm())
	}

	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(name, past, past); err != nil {
		t.Fatal(err)
	}
	step("again", docA, Options{}, ReasonUnchanged, false)
	if fi, _ := os.Stat(name); !fi.ModTime().Equal(past) {
		t.Errorf("unchanged publish touched the file: mtime %v; want %v", fi.ModTime(), past)
	}
	step("dry run changed", docB, Options{DryRun: true}, ReasonContentDiffers, false)
	if got := content(); got != docA {
		t.Errorf("dry run changed the file to %q", got)
	}
	step("changed", docB, Options{}, ReasonContentDiffers, true)
	if got := content(); got != docB {
		t.Errorf("file = %q; want %q", got, docB)
	}
	step("forced", docB, Options{Force: true}, ReasonForced, true)

	entries, _ := os.ReadDir(filepath.Dir(name))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries; want only client.json", len(entries))
	}

	// An absolute root is used as is.
	abs := t.TempDir()
	c = dirConfig(dir, abs)
	name = filepath.Join(abs, "oauth", "client.json")
	step("absolute root", docA, Options{}, ReasonNotFound, true)
}

func TestDirErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		c    *config.Config
		want string
	}{
		{dirConfig(dir, ""), "publish: no directory: set [publish.dir] root"},
		{func() *config.Config { c := dirConfig(dir, "site"); c.Path = "/../x.json"; return c }(),
			`publish: path "/../x.json" leaves the directory`},
		{func() *config.Config { c := dirConfig(dir, "site"); c.Publish.Target = "ftp"; return c }(),
			`publish: unknown target "ftp"`},
		{func() *config.Config { c := dirConfig(dir, "site"); c.Publish.Target = ""; return c }(),
			`publish: no target`},
	} {
		_, err := Publish(t.Context(), tc.c, []byte(docA), Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Publish(%+v) = %v; want error %q", tc.c.Publish, err, tc.want)
		}
	}

	// A file where a parent directory should be.
	if err := os.WriteFile(filepath.Join(dir, "site"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Publish(t.Context(), dirConfig(dir, "site"), []byte(docA), Options{})
	if want := "publish " + filepath.Join(dir, "site", "oauth", "client.json") + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Publish over a file = %v; want error starting %q", err, want)
	}
}

// TestDirSymlink refuses a link inside the root, at the file or at a
// directory on the way, without reading or changing what it points to.
func TestDirSymlink(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(dir, "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(outside, "client.json")
	if err := os.WriteFile(secret, []byte("SENTINEL\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(dir, "site")
	if err := os.MkdirAll(filepath.Join(site, "file", "oauth"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(site, "oauth")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(site, "file", "oauth", "client.json")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ root, link string }{
		{"site", filepath.Join(site, "oauth")},
		{"site/file", filepath.Join(site, "file", "oauth", "client.json")},
	} {
		for _, opts := range []Options{{}, {DryRun: true}, {Force: true}} {
			_, err := Publish(t.Context(), dirConfig(dir, tc.root), []byte(docA), opts)
			want := "publish: " + tc.link + " is a symbolic link: cimd never reads or writes through a link inside the publish root"
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Publish(root %s, %+v) = %v; want %q", tc.root, opts, err, want)
			}
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "SENTINEL\n" {
		t.Errorf("the link's target holds %q; want it untouched", b)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("%s holds %d entries; want only the original file", outside, len(entries))
	}
}

// TestDirPathRule is config's path rule, applied to a Config made in code.
func TestDirPathRule(t *testing.T) {
	dir := t.TempDir()
	for p, reason := range map[string]string{
		"/a/b.json/":  `ends in "/"`,
		"/a//b.json":  "has an empty segment",
		"//a/b.json":  "has an empty segment",
		"/a%20b.json": "has a percent-escape",
	} {
		c := dirConfig(dir, "site")
		c.Path = p
		_, err := Publish(t.Context(), c, []byte(docA), Options{})
		if want := "publish: path " + `"` + p + `" ` + reason; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("Publish(path %q) = %v; want an error starting %q", p, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "site")); !os.IsNotExist(err) {
		t.Errorf("site exists (%v); want nothing written", err)
	}
}

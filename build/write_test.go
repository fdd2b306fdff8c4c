package build

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/config"
)

func TestFiles(t *testing.T) {
	doc := []byte("{}\n")
	c := &config.Config{Path: "/oauth/client", Publish: config.Publish{CacheControl: "public, max-age=60"}}
	got, err := Files(c, doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]byte{"oauth/client": doc}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files = %q; want %q", got, want)
	}

	c.Build.Headers = []string{"netlify"}
	got, err = Files(c, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "# cimd: begin (written by cimd build; what lies between these lines is replaced on every build)\n/oauth/client\n  Content-Type: application/json\n  Cache-Control: public, max-age=60\n# cimd: end\n"
	if string(got["_headers"]) != want || len(got) != 2 {
		t.Errorf("Files with netlify headers = %q; want the document and _headers %q", got, want)
	}

	for _, p := range []string{"/", "", "/dir/", "/a/../../b", "/a//b", "/./a", "/_headers"} {
		if _, err := Files(&config.Config{Path: p, Build: config.Build{Headers: []string{"netlify"}}}, doc); err == nil {
			t.Errorf("Files(path %q) = nil error; want one", p)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "client.json")
	for _, data := range []string{"one\n", "two\n"} { // create, then replace
		if err := WriteFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Errorf("after WriteFile(%q), file holds %q, %v", data, got, err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v; want 0644", fi.Mode().Perm())
	}
	noTemps(t, filepath.Dir(path))
}

func TestWriteFileFailure(t *testing.T) {
	dir := t.TempDir()
	// The target is a directory: nothing may be left beside it.
	target := filepath.Join(dir, "client.json")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, []byte("x")); err == nil {
		t.Error("WriteFile over a directory = nil; want an error")
	}
	noTemps(t, dir)

	// A parent is a file.
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(filepath.Join(dir, "file", "x.json"), []byte("x")); err == nil {
		t.Error("WriteFile under a file = nil; want an error")
	}
}

func TestWrite(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	files := map[string][]byte{"oauth/client.json": []byte("{}\n"), "_headers": []byte("h\n")}
	got, err := Write(out, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(out, "_headers"), filepath.Join(out, "oauth", "client.json")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Write = %q; want %q", got, want)
	}
	for i, p := range want {
		b, err := os.ReadFile(p)
		if err != nil || string(b) != string(files[[]string{"_headers", "oauth/client.json"}[i]]) {
			t.Errorf("%s holds %q, %v", p, b, err)
		}
	}
}

// TestWriteAllOrNothing makes the second of two files fail: the first must
// not have been written either, and no temporary file may remain.
func TestWriteAllOrNothing(t *testing.T) {
	out := t.TempDir()
	if err := os.Mkdir(filepath.Join(out, "z.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Write(out, map[string][]byte{"a.json": []byte("a"), "z.json": []byte("z")})
	if err == nil {
		t.Fatal("Write = nil error; want one for the directory in the way")
	}
	if _, err := os.Stat(filepath.Join(out, "a.json")); !os.IsNotExist(err) {
		t.Errorf("a.json exists after a failed Write (%v); want nothing written", err)
	}
	noTemps(t, out)
}

func noTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

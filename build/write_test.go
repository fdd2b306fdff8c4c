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
	files, err := Files(c, doc)
	got := fileMap(files)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string][]byte{"oauth/client": doc}; !reflect.DeepEqual(got, want) {
		t.Errorf("Files = %q; want %q", got, want)
	}

	c.Build.Headers = []string{"netlify"}
	files, err = Files(c, doc)
	got = fileMap(files)
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

// TestWriteRollback makes a rename fail after two others succeeded (the
// target "a" has become a directory, for "a/b", by then): the replaced file
// gets its old contents back, the new one is removed, and so are the
// temporary files, the backups and the directories the write created.
func TestWriteRollback(t *testing.T) {
	out := t.TempDir()
	old := filepath.Join(out, "0.json")
	if err := os.WriteFile(old, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Write(out, map[string][]byte{
		"0.json":     []byte("new\n"),
		"1/new.json": []byte("new\n"),
		"a":          []byte("a\n"),
		"a/b":        []byte("b\n"),
	})
	want := "write " + filepath.Join(out, "a") + ": "
	if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "put back the 2 files already renamed into place: no file was changed") {
		t.Fatalf("Write = %v; want an error starting %q that says the 2 files were put back", err, want)
	}
	if b, err := os.ReadFile(old); err != nil || string(b) != "old\n" {
		t.Errorf("0.json holds %q, %v after the failed Write; want its old contents", b, err)
	}
	for _, p := range []string{"1", "a"} {
		if _, err := os.Lstat(filepath.Join(out, p)); !os.IsNotExist(err) {
			t.Errorf("%s exists after the failed Write (%v); want it removed", p, err)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %q; want only 0.json (no temporary file or backup)", out, names)
	}
}

// TestWriteKeepsNoBackup checks that a successful Write over existing files
// leaves no backup behind.
func TestWriteKeepsNoBackup(t *testing.T) {
	out := t.TempDir()
	for _, data := range []string{"one\n", "two\n"} {
		if _, err := Write(out, map[string][]byte{"c.json": []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || entries[0].Name() != "c.json" {
		t.Errorf("%s holds %d entries; want only c.json", out, len(entries))
	}
	if b, _ := os.ReadFile(filepath.Join(out, "c.json")); string(b) != "two\n" {
		t.Errorf("c.json = %q; want the second write", b)
	}
}

// TestCheckLinks refuses a link anywhere below the root, not the root.
func TestCheckLinks(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("SENTINEL\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "public")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"_headers", "sub/c.json", "linkdir"} {
		if err := os.Symlink(secret, filepath.Join(root, filepath.FromSlash(l))); err != nil {
			t.Fatal(err)
		}
	}
	linkedRoot := filepath.Join(dir, "linked")
	if err := os.Symlink(root, linkedRoot); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ root, name, link string }{
		{root, "_headers", "_headers"},
		{root, "sub/c.json", "sub/c.json"},
		{root, "linkdir/c.json", "linkdir"},
		{root, "sub/new.json", ""},
		{root, "new/c.json", ""},
		{linkedRoot, "sub/new.json", ""},
	} {
		err := CheckLinks(tt.root, tt.name)
		if tt.link == "" {
			if err != nil {
				t.Errorf("CheckLinks(%s, %s) = %v; want nil", tt.root, tt.name, err)
			}
			continue
		}
		want := filepath.Join(tt.root, filepath.FromSlash(tt.link)) + " is a symbolic link: cimd never reads or writes through a link"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("CheckLinks(%s, %s) = %v; want %q", tt.root, tt.name, err, want)
		}
		if _, err := Write(tt.root, map[string][]byte{tt.name: []byte("x\n")}); err == nil {
			t.Errorf("Write(%s, %s) = nil error; want the link refused", tt.root, tt.name)
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "SENTINEL\n" {
		t.Errorf("the link's target holds %q; want it untouched", b)
	}
}

// TestReadExisting reads a plain file, says nil for none, and refuses a
// link, a directory, and anything but the file checked.
func TestReadExisting(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "plain"), []byte("rules\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadExisting(root, "plain"); err != nil || string(b) != "rules\n" {
		t.Errorf("ReadExisting(plain) = %q, %v; want its contents", b, err)
	}
	if b, err := ReadExisting(root, "absent"); err != nil || b != nil {
		t.Errorf("ReadExisting(absent) = %q, %v; want nil, nil", b, err)
	}
	if err := os.Symlink(filepath.Join(root, "plain"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadExisting(root, "link"); err == nil || !strings.Contains(err.Error(), "is a symbolic link") || b != nil {
		t.Errorf("ReadExisting(link) = %q, %v; want the link refused", b, err)
	}
	if err := os.Mkdir(filepath.Join(root, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadExisting(root, "dir"); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("ReadExisting(dir) = %v; want it refused", err)
	}
}

// TestWriteSkipsUnchanged leaves a file that already holds the bytes asked
// for alone (the same inode: no temporary file renamed over it) while it
// replaces one that differs, and still returns both paths. A file with the
// right bytes but another mode is rewritten, as it would have been before.
func TestWriteSkipsUnchanged(t *testing.T) {
	out := t.TempDir()
	files := map[string][]byte{"same.json": []byte("same\n"), "d/changed.json": []byte("old\n"), "mode.json": []byte("m\n")}
	if _, err := Write(out, files); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(out, "mode.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := map[string]os.FileInfo{}
	for n := range files {
		fi, err := os.Stat(filepath.Join(out, filepath.FromSlash(n)))
		if err != nil {
			t.Fatal(err)
		}
		before[n] = fi
	}
	files["d/changed.json"] = []byte("new\n")
	paths, err := Write(out, files)
	if err != nil || len(paths) != 3 {
		t.Fatalf("Write = %q, %v; want the 3 paths", paths, err)
	}
	for n, replaced := range map[string]bool{"same.json": false, "d/changed.json": true, "mode.json": true} {
		p := filepath.Join(out, filepath.FromSlash(n))
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := !os.SameFile(before[n], fi); got != replaced {
			t.Errorf("%s replaced = %v; want %v", n, got, replaced)
		}
		if b, _ := os.ReadFile(p); string(b) != string(files[n]) || fi.Mode().Perm() != 0o644 {
			t.Errorf("%s = %q, mode %v; want %q, 0644", n, b, fi.Mode().Perm(), files[n])
		}
	}
	noTemps(t, out)
	noTemps(t, filepath.Join(out, "d"))
}

// TestWriteRollbackSkipsUnchanged fails a write that also has an unchanged
// file in it: the unchanged one is untouched, the replaced one gets its
// old contents back.
func TestWriteRollbackSkipsUnchanged(t *testing.T) {
	out := t.TempDir()
	if _, err := Write(out, map[string][]byte{"0.json": []byte("zero\n"), "1.json": []byte("old\n")}); err != nil {
		t.Fatal(err)
	}
	_, err := Write(out, map[string][]byte{
		"0.json": []byte("zero\n"),
		"1.json": []byte("new\n"),
		"a":      []byte("a\n"),
		"a/b":    []byte("b\n"),
	})
	if err == nil || !strings.Contains(err.Error(), "put back the 1 file already renamed into place: no file was changed") {
		t.Fatalf("Write = %v; want the 1 replaced file put back", err)
	}
	for n, want := range map[string]string{"0.json": "zero\n", "1.json": "old\n"} {
		if b, err := os.ReadFile(filepath.Join(out, n)); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", n, b, err, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(out, "a")); !os.IsNotExist(err) {
		t.Errorf("a exists after the failed Write (%v); want it removed", err)
	}
	noTemps(t, out)
}

// fileMap is files by name, for comparing.
func fileMap(files []File) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range files {
		m[f.Name] = f.Data
	}
	return m
}

package build

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/templates"
)

// Files returns the files `cimd build` writes for c, keyed by their
// slash-separated path relative to the output directory: the document doc at
// c.Path, and _headers when c.Build.Headers asks for "netlify".
func Files(c *config.Config, doc []byte) (map[string][]byte, error) {
	name := strings.TrimPrefix(c.Path, "/")
	if name == "" || strings.HasSuffix(name, "/") || path.Clean(name) != name ||
		name == ".." || strings.HasPrefix(name, "../") {
		return nil, fmt.Errorf("path %q does not name a file under the output directory", c.Path)
	}
	files := map[string][]byte{name: doc}
	if slices.Contains(c.Build.Headers, "netlify") {
		if name == "_headers" {
			return nil, fmt.Errorf("path %q is the _headers file itself", c.Path)
		}
		h, err := templates.Render("_headers", templates.HeadersData{Path: c.Path, CacheControl: c.Publish.CacheControl})
		if err != nil {
			return nil, err
		}
		files["_headers"] = h
	}
	return files, nil
}

// Write writes files (as [Files] returns them) under the directory out and
// returns the paths written, sorted. Every file is first written to a
// temporary file next to its target; only when all of them are complete are
// they renamed into place, so a failure leaves each target either as it was
// or complete, never half-written.
//
// Unlike [WriteFile], Write does not fsync: build output is regenerated from
// cimd.toml at will, so it must be atomic for readers, not durable across a
// power cut, and a build of a thousand environments would otherwise spend
// nearly all its time waiting for the disk.
func Write(out string, files map[string][]byte) ([]string, error) {
	names := slices.Sorted(maps.Keys(files))
	temps := make([]string, 0, len(names))
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = filepath.Join(out, filepath.FromSlash(n))
		t, err := writeTemp(paths[i], files[n], false)
		if err != nil {
			cleanup()
			return nil, err
		}
		temps = append(temps, t)
	}
	for i, t := range temps {
		if err := os.Rename(t, paths[i]); err != nil {
			temps = temps[i:]
			cleanup()
			return nil, fmt.Errorf("write %s: %w", paths[i], err)
		}
	}
	return paths, nil
}

// WriteFile writes data to name atomically, with mode 0644, creating its
// parent directories: a temporary file in the same directory is written,
// flushed to disk and renamed over name, so readers see the old file or the
// new one, never part of it, and a failure removes the temporary file.
func WriteFile(name string, data []byte) error {
	t, err := writeTemp(name, data, true)
	if err != nil {
		return err
	}
	if err := os.Rename(t, name); err != nil {
		os.Remove(t)
		return fmt.Errorf("write %s: %w", name, err)
	}
	syncDir(filepath.Dir(name))
	return nil
}

// writeTemp writes data to a new temporary file in name's directory (created
// if needed) and returns its path. The file is complete, 0644, and with sync
// flushed to disk.
func writeTemp(name string, data []byte, sync bool) (string, error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return "", fmt.Errorf("write %s: is a directory", name)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	// CreateTemp makes the file 0600; a published document is public.
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(0o644))
	if sync && err == nil {
		err = f.Sync()
	}
	err = errors.Join(err, f.Close())
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return f.Name(), nil
}

// syncDir flushes a directory so that a rename in it survives a crash. Not
// every system can sync a directory (Windows cannot), so failure is ignored:
// the file itself is already complete.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/cimd-dev/cimd/config"
)

// publishDir writes doc to <root>/<path> (root as [config.Config.DirRoot]
// says) so that a reader, or a crash, only
// ever sees the old or the new document: it writes a temporary file in the
// same directory, syncs it, and renames it over the old one.
//
// The temporary file is named .<name>.tmp-<pid>-<random>. A publish killed
// between creating and renaming it leaves it behind; the next publish to the
// same file removes such files whose process is gone, and so does a
// publish that finds the file unchanged.
func publishDir(c *config.Config, doc []byte, opts Options) (Plan, error) {
	root := c.DirRoot()
	if root == "" {
		return Plan{}, errors.New("publish: no directory: set [publish.dir] root")
	}
	// Load has checked the path already; a Config made in code has not.
	rel := filepath.FromSlash(strings.TrimPrefix(c.Path, "/"))
	if !filepath.IsLocal(rel) && slices.Contains(strings.Split(c.Path, "/"), "..") {
		return Plan{}, fmt.Errorf("publish: path %q leaves the directory %s", c.Path, root)
	}
	if err := config.CheckPath(c.Path); err != nil {
		return Plan{}, fmt.Errorf("publish: path %w", err)
	}
	name := filepath.Join(root, rel)
	plan := Plan{Target: "dir", Location: name, Size: len(doc)}
	if err := checkLinks(root, strings.TrimPrefix(c.Path, "/")); err != nil {
		return plan, err
	}

	old, err := os.ReadFile(name)
	switch {
	case opts.Force:
		plan.Reason = ReasonForced
	case errors.Is(err, fs.ErrNotExist):
		plan.Reason = ReasonNotFound
	case err != nil:
		return plan, fmt.Errorf("publish %s: %w", name, err)
	case bytes.Equal(old, doc):
		plan.Reason = ReasonUnchanged
	default:
		plan.Reason = ReasonContentDiffers
	}
	if opts.DryRun {
		return plan, nil
	}
	removeStaleTemps(filepath.Dir(name), filepath.Base(name))
	if plan.Reason == ReasonUnchanged {
		return plan, nil
	}
	if err := writeAtomic(name, doc); err != nil {
		return plan, fmt.Errorf("publish %s: %w", name, err)
	}
	plan.Written = true
	return plan, nil
}

// writeAtomic replaces name with data, mode 0644, creating parent
// directories.
func writeAtomic(name string, data []byte) (err error) {
	dir, base := filepath.Split(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	f, err := os.CreateTemp(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; the umask must not narrow 0644 either,
	// or the web server may not be able to read it.
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return err
	}
	// Make the rename itself durable. Not every system can sync a
	// directory, and the file is in place either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// checkLinks refuses to read or write through a symbolic link inside root
// (root itself excluded): it returns an error naming the first element of
// the slash-separated name under root that is one. A link there could make
// the publish overwrite, or compare against, any file on the machine.
func checkLinks(root, name string) error {
	p := root
	for _, part := range strings.Split(name, "/") {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil // missing, or under a file: the write says which
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("publish: %s is a symbolic link: cimd never reads or writes through a link inside the publish root %s; remove the link, or point [publish.dir] root at the real directory", p, root)
		}
	}
	return nil
}

func tempPrefix(base string) string { return "." + base + ".tmp-" }

// removeStaleTemps removes the temporary files that killed publishes of base
// left in dir. A temporary file whose process still runs belongs to a
// concurrent publish and stays.
func removeStaleTemps(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(base)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || processAlive(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// processAlive reports whether process pid may still be running; when in
// doubt it says yes.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		return true // FindProcess opened it, so it exists
	}
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}

package build

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/cimd-dev/cimd/config"
)

// Files returns the files `cimd build` writes for c, sorted by their
// slash-separated path relative to the output directory: the document doc at
// c.Path, the host header files c.Build.Headers asks for (_headers,
// vercel.json, firebase.json: see [HeaderFiles]), and the JWK Set
// of [client.keys] beside the document unless it is inline.
func Files(c *config.Config, doc []byte) ([]File, error) {
	// Load has checked the path already; a Config made in code has not.
	if err := config.CheckPath(c.Path); err != nil {
		return nil, fmt.Errorf("path %w", err)
	}
	name := strings.TrimPrefix(c.Path, "/")
	files := map[string][]byte{name: doc}
	if err := addHeaderFiles(files, c); err != nil {
		return nil, err
	}
	ks, err := Keys(c)
	if err != nil {
		return nil, err
	}
	if ks != nil && ks.Name != "" {
		files[ks.Name] = ks.Data
	}
	// A slice, not the map: the files of ten thousand environments wait
	// for the write together.
	return sortedFiles(files), nil
}

// A File is one file of a [Tree]: its slash-separated path under the root,
// and its bytes.
type File struct {
	Name string
	Data []byte
}

// A Tree is files to write under the directory Root, sorted by name (as
// [Files] returns them).
type Tree struct {
	Root  string
	Files []File
}

// sortedFiles turns a map of names to bytes into Files.
func sortedFiles(m map[string][]byte) []File {
	files := make([]File, 0, len(m))
	for _, n := range slices.Sorted(maps.Keys(m)) {
		files = append(files, File{n, m[n]})
	}
	return files
}

// Find returns the index of the file called name in files, or -1.
func Find(files []File, name string) int {
	return slices.IndexFunc(files, func(f File) bool { return f.Name == name })
}

// Write writes files, keyed by their slash-separated path, under the
// directory out and returns the paths written, sorted, as [WriteTrees] does.
func Write(out string, files map[string][]byte) ([]string, error) {
	return WriteTrees([]Tree{{Root: out, Files: sortedFiles(files)}})
}

// WriteTrees writes every tree's files and returns the paths written, in
// order: the trees in turn, each one's files sorted by name. It writes all
// of them or none:
//
//  1. Nothing is written when a path inside a root, or the file itself, is a
//     symbolic link (see [CheckLinks]).
//  2. Every file is written to a temporary file next to its target, creating
//     directories as needed.
//  3. Only when all are complete are they renamed into place, one by one,
//     each existing target first hard-linked (or, where links are not
//     possible, copied) aside, so that a reader always sees the old file or
//     the new one.
//  4. If a rename fails, the targets already replaced get their old file
//     back, the new ones are removed, and so are the temporary files and the
//     directories this call created: every target is as it was. Should
//     putting one back fail too (the disk gone), the error names each file
//     left new.
//
// A file whose bytes (and mode 0644) are already those asked for is left
// alone: it is not rewritten, so its time stamp stays and nothing needs
// putting back; it is still among the paths returned. Each directory is
// created (or found) once, however many files go in it.
//
// Unlike [WriteFile], WriteTrees does not fsync: build output is regenerated
// from cimd.toml at will, so it must be atomic for readers, not durable
// across a power cut, and a build of a thousand environments would otherwise
// spend nearly all its time waiting for the disk.
func WriteTrees(trees []Tree) ([]string, error) {
	paths, data, err := treeFiles(trees)
	if err != nil {
		return nil, err
	}
	st, err := stage(paths, data)
	if err != nil {
		return nil, err
	}
	if err := st.renameAll(paths); err != nil {
		return nil, err
	}
	return paths, nil
}

// treeFiles lists the files of trees in the order WriteTrees writes them,
// their paths and their bytes side by side, refusing the lot if any path
// goes through a symbolic link, so that nothing is written outside a root.
func treeFiles(trees []Tree) ([]string, [][]byte, error) {
	var paths []string
	var data [][]byte
	for _, tr := range trees {
		files := tr.Files
		if !slices.IsSortedFunc(files, byName) {
			files = slices.SortedFunc(slices.Values(files), byName)
		}
		for _, f := range files {
			if err := CheckLinks(tr.Root, f.Name); err != nil {
				return nil, nil, err
			}
			paths = append(paths, filepath.Join(tr.Root, filepath.FromSlash(f.Name)))
			data = append(data, f.Data)
		}
	}
	return paths, data, nil
}

func byName(a, b File) int { return strings.Compare(a.Name, b.Name) }

// staged is what stage prepared: the temporary files still to be renamed
// into place and the directories made for them, kept so that a failure can
// remove both.
type staged struct {
	made  []string // directories created, parents first
	todo  []int    // the paths to write, by index
	temps []string // temps[k] is for paths[todo[k]]
}

// stage writes each of paths whose bytes are not already data to a
// temporary file next to it, creating directories as needed, so that the
// renames that follow cannot fail for want of space or a directory. On
// failure it removes what it made, and no file was changed.
func stage(paths []string, data [][]byte) (*staged, error) {
	st := &staged{temps: make([]string, 0, len(paths))}
	ready := map[string]bool{} // directories known to exist
	for i, p := range paths {
		dir := filepath.Dir(p)
		if !ready[dir] {
			dirs, err := mkdirs(dir)
			st.made = append(st.made, dirs...)
			if err != nil {
				st.cleanup(0)
				return nil, fmt.Errorf("write %s: %w; no file was changed", p, err)
			}
			ready[dir] = true
		}
		same, err := unchanged(p, data[i])
		if err != nil {
			st.cleanup(0)
			return nil, fmt.Errorf("%w; no file was changed", err)
		}
		if same {
			continue
		}
		t, err := createTemp(dir, p, data[i], false)
		if err != nil {
			st.cleanup(0)
			return nil, fmt.Errorf("%w; no file was changed", err)
		}
		st.todo = append(st.todo, i)
		st.temps = append(st.temps, t)
	}
	return st, nil
}

// cleanup removes the temporary files from temps[from] on (those before it
// were renamed into place) and the directories made that are empty again.
func (st *staged) cleanup(from int) {
	for _, t := range st.temps[from:] {
		os.Remove(t)
	}
	for i := len(st.made) - 1; i >= 0; i-- {
		os.Remove(st.made[i]) // only if empty: a failed restore keeps its file
	}
}

// renameAll renames the temporary files into place, one by one, each
// existing target first kept aside, so that a reader always sees the old
// file or the new one. If a rename fails it puts the old files back and
// removes the new ones, so that every target is as it was, and its error
// says whether that worked.
func (st *staged) renameAll(paths []string) error {
	renamed := make([]string, 0, len(st.todo))
	backups := make([]string, len(st.todo)) // "" when the target did not exist
	for k, t := range st.temps {
		i := st.todo[k]
		kept, err := backup(paths[i], t+".old")
		if kept {
			backups[k] = t + ".old"
		}
		if err == nil {
			err = os.Rename(t, paths[i])
		}
		if err != nil {
			if backups[k] != "" {
				os.Remove(backups[k])
			}
			err = fmt.Errorf("write %s: %w", paths[i], err)
			if left := rollback(renamed, backups[:k]); len(left) > 0 {
				err = fmt.Errorf("%w; rolling back also failed, so these files are new and the rest as they were: %s", err, strings.Join(left, ", "))
			} else if k > 0 {
				err = fmt.Errorf("%w; put back the %s already renamed into place: no file was changed", err, plural(k, "file"))
			} else {
				err = fmt.Errorf("%w; no file was changed", err)
			}
			st.cleanup(k)
			return err
		}
		renamed = append(renamed, paths[i])
	}
	for _, b := range backups {
		if b != "" {
			os.Remove(b)
		}
	}
	return nil
}

// unchanged reports whether name is a regular file, mode 0644, holding
// exactly data. A directory there is an error, as writing would be.
func unchanged(name string, data []byte) (bool, error) {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, &WriteError{name, err}
	case fi.IsDir():
		return false, &WriteError{name, errors.New("is a directory")}
	case !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 || fi.Size() != int64(len(data)):
		return false, nil
	}
	old, err := os.ReadFile(name)
	return err == nil && bytes.Equal(old, data), nil
}

// backup keeps the file at name as aside, by a hard link, or by a copy where
// the file system has no links, and reports whether it did. Nothing is done
// when name does not exist.
func backup(name, aside string) (bool, error) {
	fi, err := os.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.IsDir():
		return false, errors.New("is a directory")
	case !fi.Mode().IsRegular():
		return false, errors.New("not a regular file")
	}
	if os.Link(name, aside) == nil {
		return true, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return false, err
	}
	f, err := os.OpenFile(aside, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return false, err
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(aside)
		return false, err
	}
	return true, nil
}

// rollback undoes the renames of paths, newest first: a target with a
// backup gets it back, one without is removed. It returns the paths it could
// not restore.
func rollback(paths, backups []string) []string {
	var left []string
	for i := len(paths) - 1; i >= 0; i-- {
		var err error
		if backups[i] != "" {
			err = os.Rename(backups[i], paths[i])
		} else {
			err = os.Remove(paths[i])
		}
		if err != nil {
			left = append(left, paths[i])
		}
	}
	slices.Reverse(left)
	return left
}

// mkdirs creates dir and its missing parents, and returns those it created,
// parents first, so that a failed write can remove them again.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	slices.Reverse(missing)
	var made []string
	for _, d := range missing {
		if err := os.Mkdir(d, 0o755); err != nil {
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return made, err
		}
		made = append(made, d)
	}
	return made, nil
}

// ReadExisting returns the file at the slash-separated name under root, or
// nil when there is none, refusing a symbolic link as [CheckLinks] does. The
// file opened must be the one checked, so a link swapped in between is
// refused too.
func ReadExisting(root, name string) ([]byte, error) {
	if err := CheckLinks(root, name); err != nil {
		return nil, err
	}
	p := filepath.Join(root, filepath.FromSlash(name))
	before, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	after, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if !before.Mode().IsRegular() || !os.SameFile(before, after) {
		return nil, fmt.Errorf("%s is not a regular file: cimd reads only plain files inside the output directory %s", p, root)
	}
	return io.ReadAll(f)
}

// CheckLinks refuses to let cimd read or write through a symbolic link
// inside an output or publish root: it returns an error naming the first
// element of the slash-separated name under root (root itself excluded) that
// is a link. A link there could send the write, or the read of an existing
// _headers, anywhere on the machine: `ln -s /proc/self/environ
// public/_headers` would otherwise put the build's environment on the site.
func CheckLinks(root, name string) error {
	if p := LinkUnder(root, name); p != "" {
		return fmt.Errorf("%s is a symbolic link: cimd never reads or writes through a link inside the output directory %s; remove the link, or point [build] out at the real directory", p, root)
	}
	return nil
}

// LinkUnder returns the path of the first element of the slash-separated
// name under root (root itself excluded) that is a symbolic link, or "" when
// there is none. A missing element ends the walk: the write says what is
// wrong there.
func LinkUnder(root, name string) string {
	p := root
	for _, part := range strings.Split(name, "/") {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return ""
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return p
		}
	}
	return ""
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteFile writes data to name atomically, with mode 0644, creating its
// parent directories: a temporary file in the same directory is written,
// flushed to disk and renamed over name, so readers see the old file or the
// new one, never part of it, and a failure removes the temporary file. A
// process killed before the rename leaves the temporary file behind;
// [RemoveStaleTemps] removes it. The error is a [*WriteError].
func WriteFile(name string, data []byte) error {
	t, err := writeTemp(name, data, true)
	if err != nil {
		return err
	}
	if err := os.Rename(t, name); err != nil {
		os.Remove(t)
		return &WriteError{name, err}
	}
	syncDir(filepath.Dir(name))
	return nil
}

// A WriteError is a failed write of the file Name.
type WriteError struct {
	Name string
	Err  error
}

func (e *WriteError) Error() string { return "write " + e.Name + ": " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// tempPrefix starts the name of every temporary file written for base:
// .<base>.tmp-<pid>-<random>, so that a later run can tell whether the
// process that made one is gone.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// writeTemp writes data to a new temporary file in name's directory (created
// if needed) and returns its path. The file is complete, 0644, and with sync
// flushed to disk.
func writeTemp(name string, data []byte, sync bool) (string, error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", &WriteError{name, err}
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return "", &WriteError{name, errors.New("is a directory")}
	}
	return createTemp(dir, name, data, sync)
}

// pid is this process's id, for temporary file names.
var pid = strconv.Itoa(os.Getpid())

// createTemp is writeTemp once dir exists and name is known not to be a
// directory.
func createTemp(dir, name string, data []byte, sync bool) (string, error) {
	f, err := os.CreateTemp(dir, tempPrefix(filepath.Base(name))+pid+"-*")
	if err != nil {
		return "", &WriteError{name, err}
	}
	// CreateTemp makes the file 0600; a published document is public, and
	// Chmod is not narrowed by the umask, so the web server can read it.
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(0o644))
	if sync && err == nil {
		err = f.Sync()
	}
	err = errors.Join(err, f.Close())
	if err != nil {
		os.Remove(f.Name())
		return "", &WriteError{name, err}
	}
	return f.Name(), nil
}

// RemoveStaleTemps removes the temporary files that killed writes of name
// left in its directory. A temporary file whose process still runs belongs
// to a concurrent write and stays.
func RemoveStaleTemps(name string) {
	dir, prefix := filepath.Dir(name), tempPrefix(filepath.Base(name))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
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

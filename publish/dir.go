package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
)

// publishDir writes doc to <root>/<path> (root as [config.Config.DirRoot]
// says) with [build.WriteFile], so that a reader, or a crash, only ever sees
// the old or the new document: it writes a temporary file in the same
// directory, syncs it, and renames it over the old one.
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
	if plan.NoJekyll, err = pagesSite(c, opts); err != nil {
		return plan, err
	}
	if opts.DryRun {
		return plan, nil
	}
	build.RemoveStaleTemps(name)
	if plan.Reason == ReasonUnchanged {
		return plan, nil
	}
	if err := build.WriteFile(name, doc); err != nil {
		var we *build.WriteError
		if errors.As(err, &we) {
			err = we.Err
		}
		return plan, fmt.Errorf("publish %s: %w", name, err)
	}
	plan.Written = true
	return plan, nil
}

// checkLinks refuses to read or write through a symbolic link inside root
// (root itself excluded), as [build.LinkUnder] finds one. A link there could
// make the publish overwrite, or compare against, any file on the machine.
func checkLinks(root, name string) error {
	if p := build.LinkUnder(root, name); p != "" {
		return fmt.Errorf("publish: %s is a symbolic link: cimd never reads or writes through a link inside the publish root %s; remove the link, or point [publish.dir] root at the real directory", p, root)
	}
	return nil
}

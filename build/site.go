package build

import (
	"fmt"
	"iter"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cimd-dev/cimd/config"
)

// Collisions refuses, before anything is rendered or written, two
// environments of cfgs that would write the same file under their output
// directories (flagOut as [config.Config.OutDir] takes it).
func Collisions(cfgs iter.Seq[*config.Config], flagOut string) error {
	seen := map[string]string{}
	for c := range cfgs {
		names := append([]string{strings.TrimPrefix(c.Path, "/")}, HeaderFiles(c)...)
		if j := JWKSPath(c); j != "" {
			names = append(names, strings.TrimPrefix(j, "/"))
		}
		for _, n := range names {
			p := filepath.Clean(filepath.Join(c.OutDir(flagOut), filepath.FromSlash(n)))
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			if other, dup := seen[p]; dup {
				return fmt.Errorf("%s and %s would both write %s: give one its own [build] out, or let it inherit the top level's (then it writes under <out>/<env>/)", other, c.Name(), p)
			}
			seen[p] = c.Name()
		}
	}
	return nil
}

// WriteSites writes every tree's files at once, as [WriteTrees] does (all of
// them or, when one fails, none), and returns per tree the paths written,
// sorted. A _headers file is merged with the one already in the tree's root
// ([MergeHeaders]), and so are vercel.json and firebase.json
// ([MergeHostJSON]), so the site's own rules and keys stay; the old one is
// never read through a link. An existing host file that is not valid JSON
// fails the write before anything is written.
func WriteSites(trees []Tree) ([][]string, error) {
	merged := make([]Tree, len(trees))
	for i, tr := range trees {
		files := slices.Clone(tr.Files)
		if j := Find(files, "_headers"); j >= 0 {
			old, err := ReadExisting(tr.Root, "_headers")
			if err != nil {
				return nil, err
			}
			if old != nil {
				files[j].Data = MergeHeaders(old, files[j].Data)
			}
		}
		for name := range hostJSON {
			j := Find(files, name)
			if j < 0 {
				continue
			}
			old, err := ReadExisting(tr.Root, name)
			if err != nil {
				return nil, err
			}
			if old != nil {
				if files[j].Data, err = MergeHostJSON(name, old, files[j].Data); err != nil {
					return nil, fmt.Errorf("in %s: %w", tr.Root, err)
				}
			}
		}
		merged[i] = Tree{Root: tr.Root, Files: files}
	}
	paths, err := WriteTrees(merged)
	if err != nil {
		return nil, err
	}
	written := make([][]string, len(trees))
	for i, tr := range trees {
		written[i], paths = paths[:len(tr.Files)], paths[len(tr.Files):]
	}
	return written, nil
}

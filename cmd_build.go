package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
)

func runBuild(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "build", `
Usage: cimd build [-c FILE] [--env NAME | --all-envs] [--out DIR]

Renders the Client ID Metadata Document from cimd.toml, with
client_id = "https://" + host + path, checks it against every offline rule,
and writes it to <out>/<path> (and host header files if [build] headers asks).
Nothing is written when a rule of severity error fires.

With --all-envs, an environment whose out directory is the top level's writes
to <out>/<env>/<path>, so that environments never overwrite each other.
`)
	var ef envFlags
	ef.register(fs)
	out := fs.String("out", "", "write under `DIR` (default: [build] out, \"public\")")
	verbose := fs.BoolP("verbose", "v", false, "also show info findings")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("build takes no arguments (got %q)", fs.Args())
	}
	cfgs, err := ef.load()
	if err != nil {
		return err
	}
	p := newPainter(s, s.err)

	// Render and check every environment before writing anything, so a bad
	// environment leaves no other half-done.
	type job struct {
		cfg   *config.Config
		dir   string
		files map[string][]byte
	}
	var jobs []job
	bad := 0
	for _, c := range cfgs {
		doc, findings, err := render(c)
		if err != nil {
			return err
		}
		printFindings(s.err, "", prefixed(c, findings), *verbose, p)
		if n := countErrors(findings, false); n > 0 {
			fmt.Fprintf(s.err, "cimd: %s: %s in %s; nothing written\n", envName(c), plural(n, "error"), c.ClientID())
			bad++
			continue
		}
		if !strings.HasSuffix(c.Path, ".json") {
			fmt.Fprintf(s.err, "cimd: warning: %s: path %s does not end in .json: static hosts guess the content type from the extension; serve it as application/json (see [build] headers)\n", envName(c), c.Path)
		}
		files, err := build.Files(c, doc)
		if err != nil {
			return fmt.Errorf("%s: %w", envName(c), err)
		}
		jobs = append(jobs, job{c, outDir(c, *out, cfgs[0], ef.all), files})
	}
	if bad > 0 {
		return errFailed
	}
	seen := map[string]string{}
	for _, j := range jobs {
		for name := range j.files {
			p := filepath.Join(j.dir, name)
			if other, dup := seen[p]; dup {
				return usagef("%s and %s would both write %s: give one its own [build] out", other, envName(j.cfg), p)
			}
			seen[p] = envName(j.cfg)
		}
	}
	for _, j := range jobs {
		written, err := build.Write(j.dir, j.files)
		if err != nil {
			return fmt.Errorf("build %s: %w", envName(j.cfg), err)
		}
		for _, w := range written {
			fmt.Fprintln(s.out, w)
		}
	}
	return nil
}

// outDir is where c's files go: --out (relative to the working directory) or
// [build] out (relative to the config file), plus the environment's name
// under --all-envs when it would otherwise share the top level's directory.
func outDir(c *config.Config, flagOut string, top *config.Config, all bool) string {
	dir := c.Abs(c.Build.Out)
	if flagOut != "" {
		dir = flagOut
	}
	if all && c.Env != "" && (flagOut != "" || c.Build.Out == top.Build.Out) {
		dir = filepath.Join(dir, c.Env)
	}
	return dir
}

package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// buildResult is what build did for one environment, as --json prints it.
type buildResult struct {
	Env      string             `json:"env"`
	ClientID string             `json:"client_id"`
	OK       bool               `json:"ok"`
	Written  []string           `json:"written"`
	Findings []validate.Finding `json:"findings"`

	dir   string
	files map[string][]byte
}

func runBuild(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "build", `
Usage: cimd build [-c FILE] [--env NAME | --all-envs] [--out DIR] [--json] [-q]

Renders the Client ID Metadata Document from cimd.toml, with
client_id = "https://" + host + path, checks it against every offline rule,
and writes it to <out>/<path> (and host header files if [build] headers asks).
Nothing is written when a rule of severity error fires in any environment.
Prints the written paths on stdout (with --json, one object saying what was
written and every finding), findings on stderr.

With --all-envs, an environment whose out directory is the top level's writes
to <out>/<env>/<path>, so that environments never overwrite each other.
`)
	var ef envFlags
	ef.register(fs)
	out := fs.String("out", "", "write under `DIR` (default: [build] out, \"public\")")
	var of outputFlags
	of.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("build takes no arguments (got %q)", fs.Args())
	}
	file, cfgs, err := ef.load()
	if err != nil {
		return err
	}
	p := newPainter(s, s.err)
	gh := newGitHub(s)

	// Render and check every environment before writing anything, so a bad
	// environment leaves no other half-done.
	results := make([]*buildResult, len(cfgs))
	bad := 0
	for i, c := range cfgs {
		doc, findings, err := render(c)
		if err != nil {
			return err
		}
		r := &buildResult{Env: c.Env, ClientID: c.ClientID(), Findings: nonNil(findings), Written: []string{}}
		results[i] = r
		gh.annotate(findings, origin{file, c.Env})
		if !of.json {
			printFindings(s.err, "", prefixed(c, of.shown(findings)), true, p)
		}
		if n := countErrors(findings, false); n > 0 {
			if !of.json {
				fmt.Fprintf(s.err, "cimd: %s: %s in %s; nothing written\n", envName(c), plural(n, "error"), c.ClientID())
			}
			bad++
			continue
		}
		if !strings.HasSuffix(c.Path, ".json") && !slices.Contains(c.Build.Headers, "netlify") && !of.quiet && !of.json {
			fmt.Fprintf(s.err, "cimd: warning: %s: path %s does not end in .json: static hosts guess the content type from the extension; serve it as application/json (see [build] headers)\n", envName(c), c.Path)
		}
		if lb := c.Client.Loopback; lb != nil && !of.quiet && !of.json {
			added := len(build.RedirectURIs(c.Client)) - len(c.Client.RedirectURIs)
			fmt.Fprintf(s.err, "cimd: %s: [client.loopback] adds %s; the document is %d bytes, %d left of the %d-byte budget\n", envName(c), plural(added, "redirect URI"), len(doc), build.BytesLeft(doc), build.Budget)
		}
		if r.files, err = build.Files(c, doc); err != nil {
			return fmt.Errorf("%s: %w", envName(c), err)
		}
		r.dir = outDir(c, *out, cfgs[0], ef.all)
	}
	if bad == 0 {
		if err := writeBuilds(results, cfgs); err != nil {
			return err
		}
	}
	if err := gh.writeSummary("build", buildSummary(results, bad)); err != nil {
		return err
	}
	if of.json {
		if err := writeJSON(s.out, struct {
			OK      bool           `json:"ok"`
			Results []*buildResult `json:"results"`
		}{bad == 0, results}); err != nil {
			return err
		}
	} else if !of.quiet {
		for _, r := range results {
			for _, w := range r.Written {
				fmt.Fprintln(s.out, w)
			}
		}
	}
	if bad > 0 {
		return errFailed
	}
	return nil
}

// writeBuilds writes every environment's files, refusing first when two
// environments would write the same file.
func writeBuilds(results []*buildResult, cfgs []*config.Config) error {
	seen := map[string]string{}
	for i, r := range results {
		for name := range r.files {
			p := filepath.Join(r.dir, name)
			if other, dup := seen[p]; dup {
				return usagef("%s and %s would both write %s: give one its own [build] out", other, envName(cfgs[i]), p)
			}
			seen[p] = envName(cfgs[i])
		}
	}
	// One Write for every environment: all temporary files first, then the
	// renames, so a failure in one environment leaves the others untouched.
	all := map[string][]byte{}
	for _, r := range results {
		for name, b := range r.files {
			p := filepath.Join(r.dir, filepath.FromSlash(name))
			if name == "_headers" {
				// The site may have rules of its own in _headers: keep them.
				if old, err := os.ReadFile(p); err == nil {
					b = build.MergeHeaders(old, b)
				}
			}
			all[p] = b
		}
	}
	if _, err := build.Write("", all); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	for _, r := range results {
		for _, name := range slices.Sorted(maps.Keys(r.files)) {
			r.Written = append(r.Written, filepath.Join(r.dir, filepath.FromSlash(name)))
		}
		r.OK = true
	}
	return nil
}

func buildSummary(results []*buildResult, bad int) []summaryRow {
	rows := make([]summaryRow, len(results))
	for i, r := range results {
		verdict := "✓ built"
		switch {
		case countErrors(r.Findings, false) > 0:
			verdict = "✗ invalid"
		case bad > 0:
			verdict = "not written"
		}
		rows[i] = summaryRow{target: r.ClientID, verdict: verdict, findings: r.Findings}
	}
	return rows
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

// nonNil makes an empty list print as [] in JSON.
func nonNil(fs []validate.Finding) []validate.Finding {
	if fs == nil {
		return []validate.Finding{}
	}
	return fs
}

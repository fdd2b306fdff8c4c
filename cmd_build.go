package main

import (
	"context"
	"fmt"
	"maps"
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

The top level writes <out>/<path>. A named environment, with --env NAME or
--all-envs alike, writes <out>/<NAME>/<path> when it inherits the top level's
out (or --out is given), and <its own out>/<path> when its [env.NAME] sets
[build] out. Two environments that would write one file are refused (exit 2)
before anything is written. A symbolic link inside the output directory is
refused, never followed. If writing fails part way, the files already
replaced are put back: every file is as it was.
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
		return configFailed(s, of, "build", err)
	}
	if err := buildCollisions(cfgs, *out); err != nil {
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
			return configFailed(s, of, "build", err)
		}
		r := &buildResult{Env: c.Env, ClientID: c.ClientID(), Findings: nonNil(findings), Written: []string{}}
		results[i] = r
		gh.annotate(findings, origin{file, c.Env})
		if !of.json {
			printFindings(s.err, "", prefixed(c, of.shown(findings)), true, p)
		}
		if n := countErrors(findings, false); n > 0 {
			if !of.json {
				fmt.Fprintf(s.err, "cimd: %s: %s in %s; nothing written\n", envName(c), plural(n, "error"), printable(c.ClientID()))
			}
			bad++
			continue
		}
		if !strings.HasSuffix(c.Path, ".json") && !slices.Contains(c.Build.Headers, "netlify") && !of.quiet && !of.json {
			fmt.Fprintf(s.err, "cimd: warning: %s: path %s does not end in .json: static hosts guess the content type from the extension; serve it as application/json (see [build] headers)\n", envName(c), printable(c.Path))
		}
		if r.files, err = build.Files(c, doc); err != nil {
			return fmt.Errorf("%s: %w", envName(c), err)
		}
		r.dir = c.OutDir(*out)
	}
	if bad == 0 {
		if err := writeBuilds(results); err != nil {
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
				fmt.Fprintln(s.out, printable(w))
			}
		}
	}
	if bad > 0 {
		return errFailed
	}
	return nil
}

// writeBuilds writes every environment's files at once: all of them, or,
// when one fails, none (build.WriteTrees puts back what it had replaced).
func writeBuilds(results []*buildResult) error {
	trees := make([]build.Tree, len(results))
	for i, r := range results {
		files := maps.Clone(r.files)
		if b, ok := files["_headers"]; ok {
			// The site may have rules of its own in _headers: keep them. Never
			// read through a link: it could point at any file.
			old, err := build.ReadExisting(r.dir, "_headers")
			if err != nil {
				return fmt.Errorf("build: %w", err)
			}
			if old != nil {
				files["_headers"] = build.MergeHeaders(old, b)
			}
		}
		trees[i] = build.Tree{Root: r.dir, Files: files}
	}
	if _, err := build.WriteTrees(trees); err != nil {
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

// buildCollisions refuses, before anything is rendered or written, two
// environments that would write the same file.
func buildCollisions(cfgs []*config.Config, flagOut string) error {
	seen := map[string]string{}
	for _, c := range cfgs {
		names := []string{strings.TrimPrefix(c.Path, "/")}
		if slices.Contains(c.Build.Headers, "netlify") {
			names = append(names, "_headers")
		}
		if j := build.JWKSPath(c); j != "" {
			names = append(names, strings.TrimPrefix(j, "/"))
		}
		for _, n := range names {
			p := filepath.Clean(filepath.Join(c.OutDir(flagOut), filepath.FromSlash(n)))
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			if other, dup := seen[p]; dup {
				return usagef("%s and %s would both write %s: give one its own [build] out, or let it inherit the top level's (then it writes under <out>/<env>/)", other, envName(c), p)
			}
			seen[p] = envName(c)
		}
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

// nonNil makes an empty list print as [] in JSON.
func nonNil(fs []validate.Finding) []validate.Finding {
	if fs == nil {
		return []validate.Finding{}
	}
	return fs
}

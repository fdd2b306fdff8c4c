package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
	// Suppressed are the findings [[suppress]] entries set aside.
	Suppressed []suppressedFinding `json:"suppressed,omitempty"`

	dir   string
	files []build.File
	// errors and suppressed count Findings' errors and Suppressed, which
	// are dropped after printing unless the end of the build prints them.
	errors, suppressed int
}

// renderChunk is how many environments are rendered before their findings
// are printed and their renderings dropped.
const renderChunk = 1024

func runBuild(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "build", `
Usage: cimd build [-c FILE] [--env NAME | --all-envs] [--out DIR] [--json] [-q]
                  [--sarif FILE]

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
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	// Ten thousand environments are each decoded when needed, not held.
	file, names, err := ef.loadNames()
	var collision error
	if err == nil {
		err, collision = preflight(file, names, *out)
	}
	if err != nil {
		return configFailed(s, of, "build", err)
	}
	if collision != nil {
		return usageErr(collision)
	}
	// Buffered: ten thousand environments print tens of thousands of
	// lines. The painter looks at the real stream; stderr goes first.
	p := newPainter(s, s.err)
	bout, berr := bufio.NewWriterSize(s.out, 64<<10), bufio.NewWriterSize(s.err, 64<<10)
	defer bout.Flush()
	defer berr.Flush()
	s.out, s.err = bout, berr
	b := builder{s: s, of: of, file: file, out: *out, p: p, gh: newGitHub(s), sup: newSuppressor(file, time.Now())}

	results, bad, err := b.checkAll(names)
	if err != nil {
		return err
	}
	if bad == 0 {
		if err := writeBuilds(results); err != nil {
			return err
		}
	}
	if err := b.gh.writeSummary("build", buildSummary(results, bad)); err != nil {
		return err
	}
	if err := b.report(results, bad == 0); err != nil {
		return err
	}
	if err := b.sarif(results); err != nil {
		return err
	}
	if bad > 0 {
		return errFailed
	}
	return nil
}

// preflight checks, before anything is rendered, every environment's
// [validate] servers (a configuration error) and that no two environments
// would write one file (a usage error), taking each Config once.
func preflight(file *config.File, names []string, out string) (servers, collision error) {
	n := 0
	seq := func(yield func(*config.Config) bool) {
		for _, name := range names {
			c := file.Config(name)
			n++
			if servers == nil {
				servers = checkServerNames(file, slices.Values([]*config.Config{c}))
			}
			if !yield(c) {
				return
			}
		}
	}
	collision = build.Collisions(seq, out)
	if servers == nil && n < len(names) {
		servers = checkServerNames(file, configs(file, names[n:]))
	}
	return servers, collision
}

// checkAll renders and checks every environment of names before anything
// is written, so that a bad environment leaves no other half-done, and
// returns their results and how many failed. It goes a chunk at a time, each
// Config and rendering dropped once reported: what waits for the write is
// the files, and the findings only when --json, --sarif or the GitHub
// summary print them at the end.
func (b *builder) checkAll(names []string) ([]*buildResult, int, error) {
	keep := b.of.json || b.of.sarif != "" || b.gh.summaryOn()
	results := make([]*buildResult, len(names))
	bad := 0
	for lo := 0; lo < len(names); lo += renderChunk {
		chunk, rendered := renderAll(b.file, names[lo:min(lo+renderChunk, len(names))])
		for j, c := range chunk {
			r, err := b.env(c, rendered[j], lo+j == 0)
			chunk[j], rendered[j] = nil, rendering{}
			if err != nil {
				return nil, 0, err
			}
			r.errors, r.suppressed = countErrors(r.Findings, false), len(r.Suppressed)
			if !keep {
				r.Findings, r.Suppressed = nil, nil
			}
			results[lo+j] = r
			if r.files == nil {
				bad++
			}
		}
	}
	return results, bad, nil
}

// builder is what building every environment shares.
type builder struct {
	s    stdio
	of   outputFlags
	file *config.File
	out  string // --out
	p    painter
	gh   github
	sup  *suppressor
}

// sarif says how many findings were suppressed and writes --sarif.
func (b builder) sarif(results []*buildResult) error {
	targets := make([]sarifTarget, len(results))
	n := 0
	for i, r := range results {
		targets[i] = sarifTarget{Origin: origin{b.file, r.Env}, URL: r.ClientID, Findings: r.Findings, Suppressed: r.Suppressed}
		n += r.suppressed // Suppressed itself is dropped when nothing reads it
	}
	return finishSARIF(b.s, b.of, b.file.Path, n, targets)
}

// env renders and checks one environment and prints its findings. The
// result has no files when a rule of severity error fired.
func (b builder) env(c *config.Config, rd rendering, first bool) (*buildResult, error) {
	s, of := b.s, b.of
	doc, findings, err := rd.doc, rd.findings, rd.err
	if err != nil {
		return nil, configFailed(s, of, "build", err)
	}
	findings, hidden := b.sup.apply(findings, first)
	r := &buildResult{Env: c.Env, ClientID: c.ClientID(), Findings: nonNil(findings), Suppressed: hidden, Written: []string{}}
	b.gh.annotate(findings, origin{b.file, c.Env})
	if !of.json {
		printFindings(s.err, "", prefixed(c, of.shown(findings)), true, b.p)
	}
	if n := countErrors(findings, false); n > 0 {
		if !of.json {
			fmt.Fprintf(s.err, "cimd: %s: %s in %s; nothing written\n", envName(c), plural(n, "error"), printable(c.ClientID()))
		}
		return r, nil
	}
	if !strings.HasSuffix(c.Path, ".json") && len(c.Build.Headers) == 0 && !of.quiet && !of.json {
		fmt.Fprintf(s.err, "cimd: warning: %s: path %s does not end in .json: static hosts guess the content type from the extension; serve it as application/json (see [build] headers)\n", envName(c), printable(c.Path))
	}
	if lb := c.Client.Loopback; lb != nil && !of.quiet && !of.json {
		added := len(build.RedirectURIs(c.Client)) - len(c.Client.RedirectURIs)
		fmt.Fprintf(s.err, "cimd: %s: [client.loopback] adds %s; the document is %d bytes, %d left of the %d-byte budget\n", envName(c), plural(added, "redirect URI"), len(doc), build.BytesLeft(doc), build.Budget)
	}
	if r.files, err = build.Files(c, doc); err != nil {
		return nil, fmt.Errorf("%s: %w", envName(c), err)
	}
	r.dir = c.OutDir(b.out)
	if build.Find(r.files, build.FirebaseFile) >= 0 && !of.quiet && !of.json {
		if old, err := build.ReadExisting(r.dir, build.FirebaseFile); err == nil && old != nil {
			if pat := build.FirebaseDrops(old, c.Path); pat != "" {
				fmt.Fprintf(s.err, "cimd: warning: %s: firebase.json's hosting.ignore has %q, which leaves %s out of the deploy; remove it from the list\n", envName(c), pat, printable(c.Path))
			}
		}
	}
	return r, nil
}

// report prints what was written: the paths on stdout, or one JSON object.
func (b builder) report(results []*buildResult, ok bool) error {
	if b.of.json {
		return writeJSON(b.s.out, struct {
			OK      bool           `json:"ok"`
			Results []*buildResult `json:"results"`
		}{ok, results})
	}
	if !b.of.quiet {
		for _, r := range results {
			for _, w := range r.Written {
				fmt.Fprintln(b.s.out, printable(w))
			}
		}
	}
	return nil
}

// writeBuilds writes every environment's files at once: all of them, or,
// when one fails, none.
func writeBuilds(results []*buildResult) error {
	trees := make([]build.Tree, len(results))
	for i, r := range results {
		trees[i] = build.Tree{Root: r.dir, Files: r.files}
	}
	written, err := build.WriteSites(trees)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	for i, r := range results {
		r.Written, r.OK = written[i], true
	}
	return nil
}

func buildSummary(results []*buildResult, bad int) []summaryRow {
	rows := make([]summaryRow, len(results))
	for i, r := range results {
		verdict := "✓ built"
		switch {
		case r.errors > 0:
			verdict = "✗ invalid"
		case bad > 0:
			verdict = "not written"
		}
		rows[i] = summaryRow{target: r.ClientID, verdict: verdict, findings: r.Findings}
	}
	return rows
}

// nonNil makes an empty list print as [] in JSON.
func nonNil(findings []validate.Finding) []validate.Finding {
	if findings == nil {
		return []validate.Finding{}
	}
	return findings
}

// rendering is what render returned for one environment.
type rendering struct {
	doc      []byte
	findings []validate.Finding
	err      error
}

// renderAll decodes and renders each environment of names, on every CPU
// when there are enough of them to pay for it (it is pure: a Config each, no
// I/O), and returns their Configs and renderings.
func renderAll(f *config.File, names []string) ([]*config.Config, []rendering) {
	cfgs, out := make([]*config.Config, len(names)), make([]rendering, len(names))
	one := func(i int) {
		cfgs[i] = f.Config(names[i])
		out[i].doc, out[i].findings, out[i].err = render(cfgs[i])
	}
	workers := min(runtime.GOMAXPROCS(0), len(names)/64)
	if workers <= 1 {
		for i := range names {
			one(i)
		}
		return cfgs, out
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(names) {
					return
				}
				one(i)
			}
		})
	}
	wg.Wait()
	return cfgs, out
}

// render builds the document of c and runs the offline rules on it.
func render(c *config.Config) ([]byte, []validate.Finding, error) {
	doc, err := build.Document(c)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", envName(c), err)
	}
	if cap(doc) > len(doc)+len(doc)/8 {
		// The document waits for the write with every other one: without
		// the slack its buffer grew.
		doc = bytes.Clone(doc)
	}
	// A server the client must work with ([validate] servers) refusing
	// the document stops it here, before it is written or published.
	servers, _ := validate.ParseServers(c.Validate.Servers) // checked at load
	findings, _, rs := validate.CheckCompat(c.ClientID(), doc, offlineOptions(c), validate.CompatOptions{Servers: servers})
	if f := validate.CheckSize(len(doc)); f != nil {
		findings = append(findings, *f)
	}
	return doc, append(findings, listedFindings(&rs, servers)...), nil
}

func offlineOptions(c *config.Config) validate.Options {
	return validate.Options{
		Profile:      validate.Profile(c.Validate.Profile),
		AllowPrivate: c.Validate.AllowPrivate,
	}
}

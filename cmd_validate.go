package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/fetch"
	"github.com/cimd-dev/cimd/live"
	"github.com/cimd-dev/cimd/validate"
)

// maxConcurrent bounds how many targets are checked at once. Measured
// (bench/RESULTS.md) on 1000 URLs of one HTTP/2 host: with no latency the
// bound hardly matters (the run is CPU-bound, ~110 ms); behind 10 ms of
// round trip it is everything: 8 took 1.6 s, 16 0.85 s, 32 0.48 s, 64
// 0.3 s. 32 keeps most of that gain while an HTTP/1 host still sees at most
// fetch.MaxConnsPerHost connections.
const maxConcurrent = 32

// validateFlags are validate's flags.
type validateFlags struct {
	url          string
	urlSet       bool // --url was given, even as "": an empty URL is url-invalid, not "no URL"
	profile      string
	strict       bool
	timeout      time.Duration
	wait         time.Duration
	cacert       string
	allowPrivate bool
	serverNames  []string // --servers as given
	servers      []string // --servers, parsed; nil when not given
	redirectURIs []string // --redirect-uri
}

const validateUsage = `
Usage: cimd validate [TARGET ...] [-c FILE] [--env NAME | --all-envs] [--url URL]
                     [--profile mcp|cimd] [--servers NAME,...] [--redirect-uri URI ...]
                     [--strict] [--json] [--sarif FILE] [--timeout DUR] [--wait DUR]
                     [--cacert FILE] [--allow-private]

Checks Client ID Metadata Documents the way a strict authorization server does,
and reports every problem by rule code.

  TARGET https://... or http://...  fetch it live: one GET, redirects not
                                    followed, TLS verified, at most 5121 bytes
                                    read; every rule applies.
  TARGET - (a dash)                 the document read from standard input,
                                    checked as a local file.
  TARGET anything else              a local file: URL, document and
                                    redirect_uris rules, with the URL from
                                    --url or else the document's client_id.
  no TARGET (config mode)           render the document from cimd.toml, fetch
                                    its live URL, run every rule and compare
                                    the live copy with the local one
                                    (live-drift).

Every target is also judged by each authorization server profile of
SERVERS.md: a "servers:" line in the text output, "compatibility" in --json.
--servers (or [validate] servers) names the servers the client must work with
("all" for every one): their refusals are errors. --redirect-uri checks a
redirect the client really sends against each server's matching rule.

Several targets are checked concurrently and printed in the order given.
In config mode, [validate] in cimd.toml sets the defaults of --profile,
--timeout, --cacert and --allow-private; flags override it. Its wait is for
the verify after 'cimd publish': validate makes one attempt unless --wait
DUR is given. --wait retries only what can fix itself (a stale or drifting
copy, 404, 408, 429, 5xx, a timeout or a dropped connection) and stops at
once, saying why, on the rest (DNS failure, connection refused, TLS errors,
content type or rule errors in a copy that matches the local one).
Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found,
2 usage or configuration error.
`

func (vf *validateFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&vf.url, "url", "", "check a FILE target as if served at `URL`")
	fs.StringVar(&vf.profile, "profile", "mcp", "rule `PROFILE`: mcp (the draft plus MCP's requirements) or cimd (the draft alone)")
	fs.BoolVar(&vf.strict, "strict", false, "warnings also make a target invalid (exit 1)")
	fs.DurationVar(&vf.timeout, "timeout", config.DefaultFetchTimeout, "bound each fetch (DNS, connect, TLS, headers and body) to `DUR`")
	fs.DurationVar(&vf.wait, "wait", 0, "poll until there is no error or `DUR` has passed (a CDN may serve an old copy)")
	fs.StringVar(&vf.cacert, "cacert", "", "also trust the PEM CA certificates in `FILE` (staging hosts)")
	fs.BoolVar(&vf.allowPrivate, "allow-private", false, "allow loopback and private addresses (skip url-private-address)")
	fs.StringArrayVar(&vf.serverNames, "servers", nil, "the authorization servers (`NAME,...` of SERVERS.md, or all) whose refusal is an error")
	fs.StringArrayVar(&vf.redirectURIs, "redirect-uri", nil, "a redirect `URI` the client sends at run time, checked per server; repeatable")
}

// check refuses flag values no check can run with.
func (vf *validateFlags) check() error {
	if vf.profile != "mcp" && vf.profile != "cimd" {
		return usagef("validate: --profile %q: want mcp or cimd", vf.profile)
	}
	if vf.timeout <= 0 {
		return usagef("validate: --timeout %s: want a positive duration, e.g. 10s", vf.timeout)
	}
	if vf.wait < 0 {
		return usagef("validate: --wait %s: want a duration of 0 or more", vf.wait)
	}
	return nil
}

// deployFlags are what validate's flags say about a check of the deployed
// copy (config mode): the ones given override the config's [validate]
// table. validate always gives --wait: its [validate] wait is publish's.
func (vf *validateFlags) deployFlags(fs *pflag.FlagSet) deployFlags {
	return deployFlags{
		profile:      given(fs, "profile", &vf.profile),
		allowPrivate: given(fs, "allow-private", &vf.allowPrivate),
		timeout:      given(fs, "timeout", &vf.timeout),
		cacert:       given(fs, "cacert", &vf.cacert),
		wait:         &vf.wait,
		strict:       vf.strict,
		pool:         &fetch.Pool{},
	}
}

func runValidate(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "validate", validateUsage)
	var ef envFlags
	ef.register(fs)
	var vf validateFlags
	vf.register(fs)
	var of outputFlags
	of.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	vf.urlSet = fs.Changed("url")
	if err := vf.check(); err != nil {
		return err
	}
	if fs.Changed("servers") {
		var err error
		if vf.servers, err = validate.ParseServers(vf.serverNames); err != nil {
			return usagef("validate: --servers: %v", err)
		}
		vf.servers = nonNilNames(vf.servers)
	}
	jobs, origins, err := validateJobs(fs, &ef, &vf, of, s)
	if err != nil {
		return err
	}
	// A validate makes garbage fast (TLS records, HTTP/2 frames, parsed
	// documents): with the default GOGC, collection was a fifth of the CPU
	// of 1000 URLs. What it keeps is small: each result is reported as
	// soon as those before it are, and then slimmed (see [validateReport]).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	if origins == nil {
		origins = make([]origin, len(jobs))
	}
	rep := newValidateReport(s, of, origins, vf.strict)
	defer rep.flush()
	results := runConcurrently(ctx, jobs, func(i int, r *validate.Result) {
		if ctx.Err() == nil { // interrupted: nothing more is printed
			rep.add(i, r)
		}
	})
	if ctx.Err() != nil {
		return fmt.Errorf("validate: interrupted")
	}
	return rep.finish(results)
}

// validateJobs turns the command line into one check per target, or per
// selected environment in config mode (no TARGET).
func validateJobs(fs *pflag.FlagSet, ef *envFlags, vf *validateFlags, of outputFlags, s stdio) ([]func(context.Context) validate.Result, []origin, error) {
	targets := fs.Args()
	if len(targets) == 0 {
		if vf.urlSet {
			return nil, nil, usagef("validate: --url goes with a FILE target")
		}
		jobs, origins, err := configJobs(ef, vf.deployFlags(fs), vf, of, s)
		if err != nil {
			return nil, nil, configFailed(s, of, "validate", err)
		}
		return jobs, origins, nil
	}
	if fs.Changed("env") || fs.Changed("all-envs") || fs.Changed("config") {
		return nil, nil, usagef("validate: -c, --env and --all-envs are for config mode (no TARGET)")
	}
	if vf.urlSet && !slices.ContainsFunc(targets, func(t string) bool { return !isURLTarget(t) }) {
		return nil, nil, usagef("validate: --url goes with a FILE target; a URL target is checked at its own URL")
	}
	jobs, err := targetJobs(targets, *vf, of, s)
	return jobs, nil, err
}

// validateReport prints validate's results. Text and -q output go out as
// the results come in, in order, each result once those before it are done;
// each is then slimmed to what the end of the report still reads: --json
// keeps everything, --sarif and the GitHub annotations and step summary
// keep the findings, and plain text keeps only the verdict. So a thousand
// URLs do not wait for the report with their documents, bodies and server
// verdicts.
type validateReport struct {
	s          stdio
	of         outputFlags
	origins    []origin
	strict     bool
	pOut, pErr painter
	out, errw  *bufio.Writer
	gh         github
	sup        *suppressor
	hidden     [][]suppressedFinding
	keepFound  bool // --sarif, GitHub: the findings outlive add
}

func newValidateReport(s stdio, of outputFlags, origins []origin, strict bool) *validateReport {
	// Buffered: a thousand results are a few writes, not thousands. The
	// painters look at the real streams.
	rep := &validateReport{s: s, of: of, origins: origins, strict: strict,
		pOut: newPainter(s, s.out), pErr: newPainter(s, s.err),
		hidden: make([][]suppressedFinding, len(origins))}
	rep.out, rep.errw = bufio.NewWriterSize(s.out, 64<<10), bufio.NewWriterSize(s.err, 64<<10)
	rep.s.out, rep.s.err = rep.out, rep.errw
	rep.gh = newGitHub(rep.s)
	rep.keepFound = of.sarif != "" || rep.gh.on
	return rep
}

// flush writes out what is buffered, stderr (annotations) first.
func (rep *validateReport) flush() {
	rep.errw.Flush()
	rep.out.Flush()
}

// add reports result i, which comes after every result before it.
func (rep *validateReport) add(i int, r *validate.Result) {
	if o := rep.origins[i]; o.file != nil {
		first := rep.sup == nil
		if first {
			rep.sup = newSuppressor(o.file, time.Now())
		}
		r.Findings, rep.hidden[i] = rep.sup.apply(r.Findings, first)
		r.Judge(rep.strict)
	}
	switch {
	case rep.of.json:
	case rep.of.quiet:
		// Both go to stderr, where the GitHub annotations come first:
		// then these wait for them (the findings are kept for them).
		if !rep.gh.on {
			rep.quietLines(*r)
		}
	default:
		if i > 0 {
			fmt.Fprintln(rep.s.out)
		}
		writeResultText(rep.s.out, *r, rep.of.verbose, rep.pOut)
	}
	if rep.of.json {
		return
	}
	findings := r.Findings
	*r = validate.Result{Target: r.Target, URL: r.URL, Valid: r.Valid}
	if rep.keepFound {
		r.Findings = findings
	}
}

// quietLines prints a result's findings as -q does: errors only.
func (rep *validateReport) quietLines(r validate.Result) {
	printFindings(rep.s.err, r.Target+": ", rep.of.shown(r.Findings), true, rep.pErr)
}

// finish ends the report of results, every one of them added: the GitHub
// annotations and summary, --json, the tally, --sarif. It returns errFailed
// when one is invalid.
func (rep *validateReport) finish(results []validate.Result) error {
	s, of, hidden := rep.s, rep.of, rep.hidden
	valid, n := true, 0
	var rows []summaryRow
	if rep.gh.summaryOn() {
		rows = make([]summaryRow, len(results))
	}
	for i, r := range results {
		valid = valid && r.Valid
		if r.Valid {
			n++
		}
		rep.gh.annotate(r.Findings, rep.origins[i])
		if rows != nil {
			verdict := "✗ invalid"
			if r.Valid {
				verdict = "✓ valid"
			}
			rows[i] = summaryRow{target: r.Target, verdict: verdict, findings: r.Findings}
		}
	}
	if err := rep.gh.writeSummary("validate", rows); err != nil {
		return err
	}
	switch {
	case of.json:
		out := make([]resultJSON, len(results))
		for i, r := range results {
			out[i] = resultJSON{OK: r.Valid, Result: r, Suppressed: hidden[i]}
		}
		if err := writeJSON(s.out, struct {
			OK      bool         `json:"ok"`
			Valid   bool         `json:"valid"`
			Results []resultJSON `json:"results"`
		}{valid, valid, out}); err != nil {
			return err
		}
	case of.quiet:
		if rep.gh.on {
			for _, r := range results {
				rep.quietLines(r)
			}
		}
	default:
		if len(results) > 1 {
			fmt.Fprintf(s.out, "\n%d of %d valid\n", n, len(results))
		}
		if n := countSuppressed(hidden); n > 0 {
			fmt.Fprintf(s.out, "\n%s suppressed by [[suppress]] in %s\n", plural(n, "finding"), printable(rep.origins[0].file.Path))
		}
	}
	if of.sarif != "" {
		if err := validateSARIF(s, of.sarif, results, rep.origins, hidden); err != nil {
			return err
		}
	}
	if !valid {
		return errFailed
	}
	return nil
}

// resultJSON is a validate result as --json prints it. "ok" is the one word
// for success in every command's --json; "valid", the name validate used
// before, stays beside it (deprecated) so existing scripts keep working.
type resultJSON struct {
	OK bool `json:"ok"`
	validate.Result
	// Suppressed are the findings [[suppress]] entries set aside.
	Suppressed []suppressedFinding `json:"suppressed,omitempty"`
}

// configJobs turns each selected environment of the config into a check of
// its deployed copy; the documents are rendered before anything is fetched.
func configJobs(ef *envFlags, df deployFlags, vf *validateFlags, of outputFlags, s stdio) ([]func(context.Context) validate.Result, []origin, error) {
	file, cfgs, err := ef.load()
	if err != nil {
		return nil, nil, err
	}
	jobs := make([]func(context.Context) validate.Result, len(cfgs))
	origins := make([]origin, len(cfgs))
	sup := newSuppressor(file, time.Now())
	for i, c := range cfgs {
		doc, _, err := render(c)
		if err != nil {
			return nil, nil, err
		}
		opts, err := deployedOptions(c, df)
		if err != nil {
			return nil, nil, err
		}
		opts.Ignore = sup.ignores
		progress := progressFor(s, configTarget(c), len(cfgs))
		if of.json || of.quiet {
			progress = io.Discard
		}
		servers := vf.servers
		if servers == nil {
			servers, _ = validate.ParseServers(c.Validate.Servers) // checked at load
		}
		opts.Compat = &validate.CompatOptions{Servers: servers, RedirectURIs: vf.redirectURIs}
		jobs[i] = func(ctx context.Context) validate.Result {
			r := verifyDeployed(ctx, c, doc, opts, progress)
			addCompatibility(&r, servers, vf.redirectURIs, vf.strict)
			return r
		}
		origins[i] = origin{file, c.Env}
	}
	return jobs, origins, nil
}

// targetJobs turns TARGET arguments into checks. Every FILE target is read
// here, before anything is fetched, so an unreadable one is a usage error
// (exit 2) that wastes no time on the network.
func targetJobs(targets []string, vf validateFlags, of outputFlags, s stdio) ([]func(context.Context) validate.Result, error) {
	opts := validate.Options{Profile: validate.Profile(vf.profile), AllowPrivate: vf.allowPrivate}
	var checker *live.Checker // one for the run, made at the first URL target
	stdinUsed := false
	jobs := make([]func(context.Context) validate.Result, len(targets))
	for i, t := range targets {
		if isURLTarget(t) {
			if checker == nil {
				var err error
				if checker, err = vf.liveChecker(opts); err != nil {
					return nil, err
				}
			}
			progress := progressFor(s, t, len(targets))
			if of.json || of.quiet {
				progress = io.Discard
			}
			jobs[i] = func(ctx context.Context) validate.Result {
				r := checker.Poll(ctx, t, progress)
				addCompatibility(&r, vf.servers, vf.redirectURIs, vf.strict)
				return r
			}
			continue
		}
		if t == "-" {
			if stdinUsed {
				return nil, usagef("validate: - (standard input) can be given once")
			}
			stdinUsed = true
		}
		body, err := readTarget(t, s.in)
		if err != nil {
			return nil, usagef("validate: %v", err)
		}
		jobs[i] = func(context.Context) validate.Result {
			r := validate.CheckFile(body, vf.url, vf.urlSet, opts,
				validate.CompatOptions{Servers: vf.servers, RedirectURIs: vf.redirectURIs})
			r.Target = t
			addListed(&r, vf.servers, vf.strict)
			return r
		}
	}
	return jobs, nil
}

// liveChecker is the checker of URL targets: the flags alone decide, as
// no config is read.
func (vf validateFlags) liveChecker(opts validate.Options) (*live.Checker, error) {
	roots, err := loadCACert(vf.cacert)
	if err != nil {
		return nil, err
	}
	return live.New(live.Options{Options: opts, Timeout: vf.timeout, ExtraRoots: roots,
		UserAgent: userAgent(), Strict: vf.strict, Wait: vf.wait,
		Compat: &validate.CompatOptions{Servers: vf.servers, RedirectURIs: vf.redirectURIs}}), nil
}

// readTarget reads a FILE target, or standard input for "-".
func readTarget(t string, in io.Reader) ([]byte, error) {
	if t == "-" {
		return readStdin(in)
	}
	return os.ReadFile(t)
}

// maxStdin bounds what `validate -` reads: far more than any document (5120
// bytes), so the size rule still sees an oversized one, but not unbounded.
const maxStdin = 1 << 20

// readStdin reads the document of the target "-".
func readStdin(in io.Reader) ([]byte, error) {
	if in == nil {
		return nil, fmt.Errorf("standard input: nothing to read")
	}
	b, err := io.ReadAll(io.LimitReader(in, maxStdin+1))
	if err != nil {
		return nil, fmt.Errorf("standard input: %w", err)
	}
	if len(b) > maxStdin {
		return nil, fmt.Errorf("standard input: more than %d bytes; a document is at most 5120", maxStdin)
	}
	return b, nil
}

// isURLTarget reports whether a TARGET is fetched (http:// or https://, in
// any case, so that HTTPS://... fails url-scheme instead of being read as a
// file) rather than read from disk.
func isURLTarget(t string) bool {
	lower := strings.ToLower(t)
	return strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://")
}

// runConcurrently runs jobs at most maxConcurrent at a time and returns
// their results in the order of jobs. done sees each result once every
// result before it is in, in order, and may change it (drop what it no longer
// needs); it runs under a lock, so it should be quick. The workers are reused
// from job to job: a fresh goroutine per job would grow a fresh stack through
// the HTTP and TLS code every time.
func runConcurrently(ctx context.Context, jobs []func(context.Context) validate.Result, done func(int, *validate.Result)) []validate.Result {
	results := make([]validate.Result, len(jobs))
	finished := make([]bool, len(jobs))
	var mu sync.Mutex
	ready := 0 // results[:ready] have been given to done
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(maxConcurrent, len(jobs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				r := jobs[i](ctx)
				mu.Lock()
				jobs[i] = nil // what the job held (a rendered document) can go
				results[i], finished[i] = r, true
				for ready < len(jobs) && finished[ready] {
					done(ready, &results[ready])
					ready++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return results
}

// nonNilNames keeps an explicit empty --servers "" apart from no --servers
// at all, which config mode reads as "use [validate] servers".
func nonNilNames(names []string) []string {
	if names == nil {
		return []string{}
	}
	return names
}

package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// maxConcurrent bounds how many targets are fetched at once.
const maxConcurrent = 8

// validateFlags are the flags of validate that publish's verify step shares.
type validateFlags struct {
	url          string
	profile      string
	strict       bool
	timeout      time.Duration
	wait         time.Duration
	cacert       string
	allowPrivate bool
	servers      []string // --servers, parsed; nil when not given
	redirectURIs []string // --redirect-uri
}

func runValidate(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "validate", `
Usage: cimd validate [TARGET ...] [-c FILE] [--env NAME | --all-envs] [--url URL]
                     [--profile mcp|cimd] [--servers NAME,...] [--redirect-uri URI ...]
                     [--strict] [--json] [--timeout DUR] [--wait DUR]
                     [--cacert FILE] [--allow-private]

Checks Client ID Metadata Documents the way a strict authorization server does,
and reports every problem by rule code.

  TARGET https://... or http://...  fetch it live: one GET, redirects not
                                    followed, TLS verified, at most 5121 bytes
                                    read; every rule applies.
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
--timeout, --wait, --cacert and --allow-private; flags override it.
Exit status: 0 no errors (warnings allowed unless --strict), 1 errors found,
2 usage or configuration error.
`)
	var ef envFlags
	ef.register(fs)
	var vf validateFlags
	fs.StringVar(&vf.url, "url", "", "check a FILE target as if served at `URL`")
	fs.StringVar(&vf.profile, "profile", "mcp", "rule `PROFILE`: mcp (the draft plus MCP's requirements) or cimd (the draft alone)")
	fs.BoolVar(&vf.strict, "strict", false, "warnings also make a target invalid (exit 1)")
	fs.DurationVar(&vf.timeout, "timeout", 10*time.Second, "bound each fetch (DNS, connect, TLS, headers and body) to `DUR`")
	fs.DurationVar(&vf.wait, "wait", 0, "poll until there is no error or `DUR` has passed (a CDN may serve an old copy)")
	fs.StringVar(&vf.cacert, "cacert", "", "also trust the PEM CA certificates in `FILE` (staging hosts)")
	fs.BoolVar(&vf.allowPrivate, "allow-private", false, "allow loopback and private addresses (skip url-private-address)")
	servers := fs.StringArray("servers", nil, "the authorization servers (`NAME,...` of SERVERS.md, or all) whose refusal is an error")
	fs.StringArrayVar(&vf.redirectURIs, "redirect-uri", nil, "a redirect `URI` the client sends at run time, checked per server; repeatable")
	var of outputFlags
	of.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if vf.profile != "mcp" && vf.profile != "cimd" {
		return usagef("validate: --profile %q: want mcp or cimd", vf.profile)
	}
	if vf.timeout <= 0 {
		return usagef("validate: --timeout %s: want a positive duration, e.g. 10s", vf.timeout)
	}
	if vf.wait < 0 {
		return usagef("validate: --wait %s: want a duration of 0 or more", vf.wait)
	}
	if fs.Changed("servers") {
		var err error
		if vf.servers, err = validate.ParseServers(*servers); err != nil {
			return usagef("validate: --servers: %v", err)
		}
		vf.servers = nonNilNames(vf.servers)
	}
	targets := fs.Args()
	var results []validate.Result
	var origins []origin
	if len(targets) == 0 {
		if vf.url != "" {
			return usagef("validate: --url goes with a FILE target")
		}
		jobs, o, err := configJobs(&ef, vf, of, fs, s)
		if err != nil {
			return err
		}
		origins = o
		results = runConcurrently(ctx, jobs)
	} else {
		if fs.Changed("env") || fs.Changed("all-envs") || fs.Changed("config") {
			return usagef("validate: -c, --env and --all-envs are for config mode (no TARGET)")
		}
		if vf.url != "" && !slices.ContainsFunc(targets, func(t string) bool { return !isURLTarget(t) }) {
			return usagef("validate: --url goes with a FILE target; a URL target is checked at its own URL")
		}
		jobs, err := targetJobs(targets, vf, of, s)
		if err != nil {
			return err
		}
		results = runConcurrently(ctx, jobs)
		origins = make([]origin, len(results))
	}
	if ctx.Err() != nil {
		return fmt.Errorf("validate: interrupted")
	}
	valid := true
	gh := newGitHub(s)
	rows := make([]summaryRow, len(results))
	for i, r := range results {
		valid = valid && r.Valid
		gh.annotate(r.Findings, origins[i])
		verdict := "✗ invalid"
		if r.Valid {
			verdict = "✓ valid"
		}
		rows[i] = summaryRow{target: r.Target, verdict: verdict, findings: r.Findings}
	}
	if err := gh.writeSummary("validate", rows); err != nil {
		return err
	}
	switch {
	case of.json:
		if err := writeJSON(s.out, struct {
			Valid   bool              `json:"valid"`
			Results []validate.Result `json:"results"`
		}{valid, results}); err != nil {
			return err
		}
	case of.quiet:
		for _, r := range results {
			printFindings(s.err, r.Target+": ", of.shown(r.Findings), true, newPainter(s, s.err))
		}
	default:
		writeText(s.out, results, of.verbose, newPainter(s, s.out))
	}
	if !valid {
		return errFailed
	}
	return nil
}

// configJobs turns each selected environment of the config into a check of
// its deployed copy; the documents are rendered before anything is fetched.
func configJobs(ef *envFlags, vf validateFlags, of outputFlags, fs *pflag.FlagSet, s stdio) ([]func(context.Context) validate.Result, []origin, error) {
	file, cfgs, err := ef.load()
	if err != nil {
		return nil, nil, err
	}
	jobs := make([]func(context.Context) validate.Result, len(cfgs))
	origins := make([]origin, len(cfgs))
	for i, c := range cfgs {
		doc, _, err := render(c)
		if err != nil {
			return nil, nil, err
		}
		lo, wait, err := configLiveOptions(c, fs, vf)
		if err != nil {
			return nil, nil, err
		}
		progress := progressFor(s, configTarget(c), len(cfgs))
		if of.json || of.quiet {
			progress = io.Discard
		}
		servers := vf.servers
		if servers == nil {
			servers, _ = validate.ParseServers(c.Validate.Servers) // checked at load
		}
		jobs[i] = func(ctx context.Context) validate.Result {
			r := pollDeployed(ctx, c, doc, lo, wait, vf.strict, progress)
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
	var roots *x509.CertPool
	jobs := make([]func(context.Context) validate.Result, len(targets))
	for i, t := range targets {
		t := t
		if isURLTarget(t) {
			if roots == nil && vf.cacert != "" {
				var err error
				if roots, err = loadCACert(vf.cacert); err != nil {
					return nil, err
				}
			}
			lo := validate.LiveOptions{Options: opts, Timeout: vf.timeout, ExtraRoots: roots, UserAgent: userAgent()}
			jobs[i] = func(ctx context.Context) validate.Result {
				progress := progressFor(s, t, len(targets))
				if of.json || of.quiet {
					progress = io.Discard
				}
				r := validate.Poll(ctx, vf.wait, progress, func(ctx context.Context) validate.Result {
					r := validate.CheckLive(ctx, t, lo)
					r.Judge(vf.strict)
					return r
				})
				r.Target = t
				addCompatibility(&r, vf.servers, vf.redirectURIs, vf.strict)
				return r
			}
			continue
		}
		body, err := os.ReadFile(t)
		if err != nil {
			return nil, usagef("validate: %v", err)
		}
		jobs[i] = func(context.Context) validate.Result {
			r := checkFile(t, body, vf.url, opts, vf.strict)
			addCompatibility(&r, vf.servers, vf.redirectURIs, vf.strict)
			return r
		}
	}
	return jobs, nil
}

// isURLTarget reports whether a TARGET is fetched (http:// or https://, in
// any case, so that HTTPS://... fails url-scheme instead of being read as a
// file) rather than read from disk.
func isURLTarget(t string) bool {
	lower := strings.ToLower(t)
	return strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://")
}

// checkFile runs the offline rules on a local file, as if served at url or,
// without one, at the document's own client_id.
func checkFile(target string, body []byte, url string, opts validate.Options, strict bool) validate.Result {
	r := validate.Result{Target: target, URL: url}
	if url == "" {
		var probe struct {
			ClientID any `json:"client_id"`
		}
		if json.Unmarshal(body, &probe) == nil {
			if id, ok := probe.ClientID.(string); ok {
				r.URL = id
			}
		}
	}
	if r.URL != "" {
		r.Findings, r.Document = validate.Check(r.URL, body, opts)
	} else {
		// No URL to judge: the document rules still run, and the missing
		// client_id is one of their findings.
		r.Findings, r.Document = validate.CheckDocument("", body, opts)
	}
	r.Body = body
	r.Judge(strict)
	return r
}

// configLiveOptions merges c's [validate] table with the flags the user set.
func configLiveOptions(c *config.Config, fs *pflag.FlagSet, vf validateFlags) (validate.LiveOptions, time.Duration, error) {
	v := c.Validate
	lo := validate.LiveOptions{
		Options: validate.Options{Profile: validate.Profile(v.Profile), AllowPrivate: v.AllowPrivate},
		Timeout: v.Timeout.Duration, UserAgent: userAgent(),
	}
	wait := v.Wait.Duration
	cacert := c.Abs(v.CACert)
	if fs.Changed("profile") {
		lo.Profile = validate.Profile(vf.profile)
	}
	if fs.Changed("allow-private") {
		lo.AllowPrivate = vf.allowPrivate
	}
	if fs.Changed("timeout") || lo.Timeout == 0 {
		lo.Timeout = vf.timeout
	}
	if fs.Changed("wait") {
		wait = vf.wait
	}
	if fs.Changed("cacert") {
		cacert = vf.cacert
	}
	if cacert != "" {
		roots, err := loadCACert(cacert)
		if err != nil {
			return lo, 0, err
		}
		lo.ExtraRoots = roots
	}
	return lo, wait, nil
}

// pollDeployed is config mode for one environment: fetch c's live URL until
// it passes every rule and matches doc, or wait runs out.
func pollDeployed(ctx context.Context, c *config.Config, doc []byte, lo validate.LiveOptions, wait time.Duration, strict bool, progress io.Writer) validate.Result {
	r := validate.Poll(ctx, wait, progress, func(ctx context.Context) validate.Result {
		r := validate.CheckLive(ctx, c.ClientID(), lo)
		if r.Document != nil {
			if f := validate.Drift(r.Body, doc); f != nil {
				r.Findings = append(r.Findings, *f)
			}
		}
		r.Judge(strict)
		return r
	})
	r.Target = configTarget(c)
	return r
}

// configTarget names an environment of a config file as a result's target.
func configTarget(c *config.Config) string {
	if c.Env == "" {
		return c.File
	}
	return c.File + " [env." + c.Env + "]"
}

// loadCACert returns the PEM certificates in file, which the fetch trusts
// in addition to the system roots (LiveOptions.ExtraRoots).
func loadCACert(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, usagef("--cacert: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usagef("--cacert %s: no PEM certificate found", file)
	}
	return pool, nil
}

// runConcurrently runs jobs at most maxConcurrent at a time and returns
// their results in the order of jobs.
func runConcurrently(ctx context.Context, jobs []func(context.Context) validate.Result) []validate.Result {
	results := make([]validate.Result, len(jobs))
	sem := make(chan struct{}, maxConcurrent)
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = job(ctx)
		}()
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

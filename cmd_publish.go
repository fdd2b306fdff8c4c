package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/fetch"
	"github.com/cimd-dev/cimd/keys"
	"github.com/cimd-dev/cimd/publish"
	"github.com/cimd-dev/cimd/validate"
)

// publishResult is what publish did for one environment, as --json prints it.
type publishResult struct {
	Env      string             `json:"env"`
	ClientID string             `json:"client_id"`
	OK       bool               `json:"ok"`
	Findings []validate.Finding `json:"findings"`
	// Suppressed are the findings [[suppress]] entries set aside.
	Suppressed []suppressedFinding `json:"suppressed,omitempty"`
	Plan       *publish.Plan       `json:"plan"`             // nil when nothing was attempted
	JWKS       *publish.Plan       `json:"jwks,omitempty"`   // the JWK Set beside the document ([client.keys])
	Verify     *resultJSON         `json:"verify"`           // nil when not verified
	Impact     *impactJSON         `json:"impact,omitempty"` // dry run, or refused for --retire: what replacing the live copy does to users
	// JWKSImpact is, for a dry run, what replacing the live JWK Set does.
	JWKSImpact *impactJSON `json:"jwks_impact,omitempty"`
	Error      string      `json:"error,omitempty"`
}

// publishRun is the settings shared by every environment of one publish.
type publishRun struct {
	s        stdio
	file     *config.File
	opts     publish.Options
	noVerify bool
	retire   bool        // --retire: a publish may replace another client's document
	verify   deployFlags // --wait and --timeout, when given, for the verify step
	of       outputFlags
	p        painter
	gh       github
	sup      *suppressor
}

const publishUsage = `
Usage: cimd publish [-c FILE] [--env NAME | --all-envs] [--dry-run] [--force]
                    [--retire] [--no-verify] [--wait DUR] [--timeout DUR]
                    [--json] [-q] [--sarif FILE]

Builds the document (with the same checks as 'cimd build'), then puts it where
the environment's [publish] table says:

  target = "s3"   one HeadObject, then a PutObject only when the stored copy's
                  SHA-256, Content-Type or Cache-Control differ; then the live
                  URL is verified as 'cimd validate' does in config mode,
                  polling until it matches or --wait runs out. When 8 or more
                  environments publish into one bucket, the bucket is listed
                  once first (ListObjectsV2 of their common prefix, at most
                  10 pages) and an object it shows absent is uploaded
                  without its HeadObject; a refused or longer listing is
                  skipped.
  target = "dir"  an atomic write of <root>/<path> (temporary file, fsync,
                  rename), skipped when unchanged; nothing is fetched after it.

AWS credentials, region and profile come from the AWS default chain
(environment, shared config, SSO, web identity); none is ever a flag, and none
is ever printed: text a store answers is printed with key ids, tokens,
signatures, userinfo and query strings removed. --timeout bounds each S3 and
CloudFront call (HeadObject, PutObject, CreateInvalidation, retries included)
and each fetch of the verify. With --all-envs, a failing environment does not
stop the others; the exit status is 1 if any failed.

Before anything is written, publish reads the document it replaces: for s3
the live copy at the client_id URL (one fetch; none with --no-verify), for dir
the file in the root. --dry-run prints what the change does to users: a
redirect URI removed (logins in flight using it fail; some servers delete
grants) or added, the auth method or keys changed, the name or logo changed
(users may be asked to consent again), and the worst-case time until servers
see it, from the old copy's Cache-Control and the servers' cache bounds. A
document whose client_id is another (the environment's host or path moved
while its file or key did not) is another client: replacing it loses every
grant made with it, so publish (and --dry-run) refuses without --retire.

A dir target lays environments out as build does: the top level writes
<root>/<path>; a named environment (--env NAME or --all-envs alike) writes
<root>/<NAME>/<path> when it inherits the top level's [publish.dir] root, and
<its own root>/<path> when it sets one. Two environments that would publish
to one file, or one S3 key of one bucket and endpoint, are refused (exit 2)
before anything is published. A symbolic link inside the root is refused.
`

func runPublish(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "publish", publishUsage)
	var ef envFlags
	ef.register(fs)
	dryRun := fs.Bool("dry-run", false, "print what would be uploaded and why; change nothing")
	force := fs.Bool("force", false, "upload even when the stored copy is unchanged")
	noVerify := fs.Bool("no-verify", false, "skip fetching the live URL before and after an S3 publish")
	retire := fs.Bool("retire", false, "allow replacing a published document whose client_id is another (a moved or renamed client)")
	wait := fs.Duration("wait", 0, "verify for at most `DUR` (default: [validate] wait, else 2m)")
	timeout := fs.Duration("timeout", 0, "bound each S3 and CloudFront call and verify fetch to `DUR` (default: [publish] timeout, else 10s)")
	var of outputFlags
	of.register(fs)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if fs.Changed("timeout") && *timeout <= 0 {
		return usagef("publish: --timeout %s: want a positive duration, e.g. 10s", *timeout)
	}
	// Each environment's Config is decoded when it is needed, not held for
	// the whole publish.
	file, names, err := ef.loadNames()
	if err == nil {
		err = checkServerNames(file, configs(file, names))
	}
	if err != nil {
		return configFailed(s, of, "publish", err)
	}
	if err := publish.Collisions(configs(file, names)); err != nil {
		return usageErr(err)
	}
	log := s.err
	if of.quiet || of.json {
		log = io.Discard
	}
	pr := publishRun{
		s: s, file: file, noVerify: *noVerify, retire: *retire, of: of,
		verify: deployFlags{wait: given(fs, "wait", wait), timeout: given(fs, "timeout", timeout), pool: &fetch.Pool{}},
		opts: publish.Options{DryRun: *dryRun, Force: *force, Timeout: *timeout, Log: log,
			Clients: &publish.Clients{}},
		p: newPainter(s, s.err), gh: newGitHub(s), sup: newSuppressor(file, time.Now()),
	}
	// Many environments in one bucket: one LIST instead of a HeadObject
	// for each object that does not exist yet.
	pr.opts.Clients.Prelist(ctx, configs(file, names), pr.opts)
	results := pr.all(ctx, names)
	failed := 0
	for _, r := range results {
		if r != nil && !r.OK {
			failed++
		}
	}
	if ctx.Err() != nil {
		// Half an answer is no answer: no summary, no JSON.
		return fmt.Errorf("publish: interrupted")
	}
	if err := pr.gh.writeSummary("publish", publishSummary(results)); err != nil {
		return err
	}
	if of.json {
		if err := writeJSON(s.out, struct {
			OK      bool             `json:"ok"`
			Results []*publishResult `json:"results"`
		}{failed == 0, results}); err != nil {
			return err
		}
	} else if len(names) > 1 && !of.quiet {
		verb := "published"
		if *dryRun {
			verb = "dry run: would publish"
		}
		fmt.Fprintf(s.err, "cimd: %s %d of %d environments\n", verb, len(names)-failed, len(names))
	}
	if err := pr.sarif(results); err != nil {
		return err
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

// sarif says how many findings were suppressed and writes --sarif: per
// environment, the build's findings and the verify's.
func (pr *publishRun) sarif(results []*publishResult) error {
	targets := make([]sarifTarget, len(results))
	n := 0
	for i, r := range results {
		t := sarifTarget{Origin: origin{pr.file, r.Env}, URL: r.ClientID, Findings: r.Findings, Suppressed: r.Suppressed}
		if v := r.Verify; v != nil {
			t.Findings = append(append([]validate.Finding{}, t.Findings...), v.Findings...)
			t.Suppressed = append(append([]suppressedFinding{}, t.Suppressed...), v.Suppressed...)
		}
		targets[i] = t
		n += len(t.Suppressed)
	}
	return finishSARIF(pr.s, pr.of, pr.file.Path, n, targets)
}

// maxPublishConcurrent bounds how many environments are published at once.
// Measured (bench/run) with 1000 environments behind a 10 ms round trip:
// 32 beat 16 in each of three alternating runs, first publish and
// unchanged alike (median 5.1 s vs 7.9 s and 1.4 s vs 3.1 s on a loaded
// machine), and 64 took the unchanged publish (1000 HEADs) from 1.66 s to
// 0.99 s in the next full run (bench/RESULTS.md, runs C and D); the aws CLI
// runs 10 requests at once.
const maxPublishConcurrent = 64

// all publishes every environment, at most maxPublishConcurrent at once.
// What each one prints is held until it is done and then printed whole,
// in config order, as soon as the environments before it are printed: the
// output is what a one-by-one publish prints. Once ctx ends no environment
// is started; those left out have a nil result.
func (pr *publishRun) all(ctx context.Context, names []string) []*publishResult {
	results := make([]*publishResult, len(names))
	if len(names) == 1 {
		results[0] = pr.env(ctx, pr.file.Config(names[0]), true)
		return results
	}
	done := make([]chan struct{}, len(names))
	recs := make([]*recording, len(names))
	for i := range names {
		done[i], recs[i] = make(chan struct{}), &recording{}
	}
	go func() {
		sem := make(chan struct{}, maxPublishConcurrent)
		for i, name := range names {
			sem <- struct{}{}
			if ctx.Err() != nil {
				<-sem
				close(done[i])
				continue
			}
			go func() {
				defer func() { <-sem }()
				defer close(done[i])
				results[i] = pr.recorded(recs[i]).env(ctx, pr.file.Config(name), i == 0)
			}()
		}
	}()
	for i := range names {
		<-done[i]
		recs[i].replay(pr.s.out, pr.s.err)
		recs[i] = nil // printed: a thousand environments' output need not wait
	}
	return results
}

// recorded returns a copy of pr whose every output (stdout, stderr, the
// publish log and GitHub commands) goes to rec.
func (pr *publishRun) recorded(rec *recording) *publishRun {
	cp := *pr
	cp.s.out, cp.s.err = recWriter{rec, false}, recWriter{rec, true}
	if cp.opts.Log != io.Discard {
		cp.opts.Log = cp.s.err
	}
	cp.gh.w = cp.s.err
	return &cp
}

// recording keeps what was written to stdout and stderr, in order.
type recording struct {
	mu     sync.Mutex
	chunks []recChunk
}

type recChunk struct {
	toErr bool
	b     []byte
}

// recWriter writes to a recording, as stdout or as stderr.
type recWriter struct {
	r     *recording
	toErr bool
}

func (w recWriter) Write(p []byte) (int, error) {
	w.r.mu.Lock()
	defer w.r.mu.Unlock()
	w.r.chunks = append(w.r.chunks, recChunk{w.toErr, bytes.Clone(p)})
	return len(p), nil
}

// replay writes what was recorded to out and errw, in the order written.
func (r *recording) replay(out, errw io.Writer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.chunks {
		if c.toErr {
			errw.Write(c.b)
		} else {
			out.Write(c.b)
		}
	}
}

// env builds, publishes and verifies one environment, printing as it goes
// (unless --json), and returns what happened.
func (pr *publishRun) env(ctx context.Context, c *config.Config, first bool) *publishResult {
	r := &publishResult{Env: c.Env, ClientID: c.ClientID(), Findings: []validate.Finding{}}
	fail := func(err error) *publishResult {
		r.Error = err.Error()
		if !pr.of.json && ctx.Err() == nil {
			fmt.Fprintf(pr.s.err, "cimd: %s\n", printable(err.Error()))
		}
		return r
	}
	doc, im, err := pr.check(ctx, c, r, first)
	if err != nil {
		return fail(err)
	}
	ks, err := pr.publishKeys(ctx, c, r)
	if err != nil {
		return fail(err)
	}
	plan, err := pr.publishDoc(ctx, c, doc, im, ks != nil, r)
	if err != nil {
		return fail(err)
	}
	if plan.Target != "s3" || pr.opts.DryRun || pr.noVerify {
		r.OK = true
		return r
	}
	if err := pr.verifyLive(ctx, c, doc, plan, r); err != nil {
		return fail(err)
	}
	r.OK = true
	return r
}

// check renders c, records and prints its findings, and works out what
// replacing the live copy does to users, so that nothing is uploaded for a
// document with errors, or one that would replace another client without
// --retire. It returns the document and that impact (nil when there is no
// live copy to replace).
func (pr *publishRun) check(ctx context.Context, c *config.Config, r *publishResult, first bool) ([]byte, *impactJSON, error) {
	s, of := pr.s, pr.of
	doc, findings, err := render(c)
	if err != nil {
		return nil, nil, err
	}
	findings, r.Suppressed = pr.sup.apply(findings, first)
	r.Findings = nonNil(findings)
	pr.gh.annotate(findings, origin{pr.file, c.Env})
	if !of.json {
		printFindings(s.err, "", prefixed(c, of.shown(findings)), true, pr.p)
	}
	if n := countErrors(findings, false); n > 0 {
		return nil, nil, fmt.Errorf("%s: %s in %s; nothing published", envName(c), plural(n, "error"), c.ClientID())
	}
	// What replacing the live copy does to users; a publish that would
	// replace another client needs --retire, dry run or not.
	im, err := pr.changeImpact(ctx, c, doc, false)
	if err != nil {
		return nil, nil, err
	}
	if pr.opts.DryRun {
		r.Impact = im
	}
	if im != nil && im.Retire && !pr.retire {
		r.Impact = im
		if pr.opts.DryRun && !of.json && !of.quiet {
			printImpact(s.out, im, false)
		}
		return nil, nil, retireError(c, im)
	}
	return doc, im, nil
}

// publishKeys publishes c's JWK Set, if it serves one, before the document,
// with the same target, headers and skip-unchanged rule: the document must
// never name keys that are not served yet. It returns c's key set (nil when
// c has no keys).
func (pr *publishRun) publishKeys(ctx context.Context, c *config.Config, r *publishResult) (*build.KeySet, error) {
	s, of := pr.s, pr.of
	ks, err := build.Keys(c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envName(c), err)
	}
	if ks == nil || ks.Name == "" {
		return ks, nil
	}
	jc := *c
	jc.Path = "/" + ks.Name
	jplan, err := publish.Publish(ctx, &jc, ks.Data, pr.opts)
	if err != nil {
		return nil, fmt.Errorf("%s: the JWK Set: %w", envName(c), err)
	}
	r.JWKS = &jplan
	var jim *impactJSON
	if pr.opts.DryRun {
		if jim, err = pr.changeImpact(ctx, &jc, ks.Data, true); err != nil {
			return nil, fmt.Errorf("%s: the JWK Set: %w", envName(c), err)
		}
		r.JWKSImpact = jim
	}
	if !of.json && !of.quiet {
		printPlan(s.out, jplan, pr.opts.DryRun)
		if jim != nil {
			printImpact(s.out, jim, pr.retire)
		}
	}
	return ks, nil
}

// publishDoc publishes doc, c's document, and prints the plan (with im, the
// impact, on a dry run). When c has keys (hasKeys) and this is not a dry
// run, it then records their publication time, since from now on servers
// may fetch them and 'cimd keys retire' times its wait from here.
func (pr *publishRun) publishDoc(ctx context.Context, c *config.Config, doc []byte, im *impactJSON, hasKeys bool, r *publishResult) (publish.Plan, error) {
	s, of := pr.s, pr.of
	plan, err := publish.Publish(ctx, c, doc, pr.opts)
	if err != nil {
		return plan, err
	}
	r.Plan = &plan
	if !of.json && !of.quiet {
		printPlan(s.out, plan, pr.opts.DryRun)
		if im != nil && pr.opts.DryRun {
			printImpact(s.out, im, pr.retire)
		}
	}
	if hasKeys && !pr.opts.DryRun {
		if err := markPublished(c); err != nil {
			return plan, fmt.Errorf("%s: published, but the key state was not updated: %w", envName(c), err)
		}
	}
	return plan, nil
}

// verifyLive fetches what plan uploaded for c back from where clients will
// fetch it and checks it against doc, recording the result in r, so that a
// publish only succeeds once the live copy passes.
func (pr *publishRun) verifyLive(ctx context.Context, c *config.Config, doc []byte, plan publish.Plan, r *publishResult) error {
	s, of := pr.s, pr.of
	opts, err := deployedOptions(c, pr.verify)
	if err != nil {
		return err
	}
	opts.Ignore = pr.sup.ignores
	progress := s.err
	if of.json || of.quiet {
		progress = io.Discard
	} else {
		fmt.Fprintf(s.err, "cimd: verifying %s (for up to %s)\n", printable(c.ClientID()), opts.Wait)
	}
	v := verifyDeployed(ctx, c, doc, opts, progress)
	var hidden []suppressedFinding
	v.Findings, hidden = pr.sup.apply(v.Findings, false)
	v.Judge(false)
	r.Verify = &resultJSON{OK: v.Valid, Result: v, Suppressed: hidden}
	pr.gh.annotate(v.Findings, origin{pr.file, c.Env})
	if !v.Valid {
		if !of.json {
			printFindings(s.err, "  ", of.shown(v.Findings), true, pr.p)
		}
		what := "the live copy of"
		if plan.Written {
			what = "uploaded, but"
		}
		return fmt.Errorf("%s: %s %s does not pass: %s", envName(c), what, c.ClientID(), ruleList(v.Findings, false))
	}
	if !of.json && !of.quiet {
		if v.JWKS != nil {
			fmt.Fprintf(s.out, "verified %s\n", printable(v.JWKS.URL))
		}
		fmt.Fprintf(s.out, "verified %s\n", printable(c.ClientID()))
	}
	return nil
}

// markPublished records now as the publication time of every key of c's
// store that has none.
func markPublished(c *config.Config) error {
	store, err := keys.Open(c.KeysDir(), nil)
	if err != nil {
		return err
	}
	return store.MarkPublished(time.Now())
}

func publishSummary(results []*publishResult) []summaryRow {
	rows := make([]summaryRow, len(results))
	for i, r := range results {
		verdict := "✗ failed"
		switch {
		case r.OK && r.Plan != nil && r.Plan.Reason == publish.ReasonUnchanged:
			verdict = "✓ unchanged"
		case r.OK && r.Verify != nil:
			verdict = "✓ published, verified"
		case r.OK:
			verdict = "✓ published"
		}
		fs := r.Findings
		if r.Verify != nil {
			fs = append(append([]validate.Finding{}, fs...), r.Verify.Findings...)
		}
		rows[i] = summaryRow{target: r.ClientID, verdict: verdict, findings: fs}
	}
	return rows
}

// printPlan writes one line saying what was (or would be) done, and why.
func printPlan(w io.Writer, plan publish.Plan, dryRun bool) {
	verb := "unchanged"
	switch {
	case plan.Reason == publish.ReasonUnchanged:
	case dryRun:
		verb = "would upload"
		if plan.Target == "dir" {
			verb = "would write"
		}
	case plan.Target == "dir":
		verb = "wrote"
	default:
		verb = "uploaded"
	}
	headers := ""
	if plan.ContentType != "" {
		headers = fmt.Sprintf(", %s, cache-control: %s", plan.ContentType, plan.CacheControl)
	}
	// "unchanged X: unchanged" would say it twice.
	why := ": " + plan.Reason
	if plan.Reason == publish.ReasonUnchanged {
		why = ""
	}
	fmt.Fprintf(w, "%s %s (%d bytes%s)%s\n", verb, printable(plan.Location), plan.Size, printable(headers), why)
	if plan.Invalidation != "" {
		fmt.Fprintf(w, "invalidated %s in CloudFront (%s)\n", printable(plan.Location), printable(plan.Invalidation))
	}
}

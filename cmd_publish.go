package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/pflag"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/publish"
)

// defaultVerifyWait is how long publish waits for the live copy when
// [validate] wait is not set: long enough for a CDN to pick up a change.
const defaultVerifyWait = 2 * time.Minute

func runPublish(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "publish", `
Usage: cimd publish [-c FILE] [--env NAME | --all-envs] [--dry-run] [--force]
                    [--no-verify] [--wait DUR]

Builds the document (with the same checks as 'cimd build'), then puts it where
the environment's [publish] table says:

  target = "s3"   one HeadObject, then a PutObject only when the stored copy's
                  SHA-256, Content-Type or Cache-Control differ; then the live
                  URL is verified as 'cimd validate' does in config mode,
                  polling until it matches or --wait runs out.
  target = "dir"  an atomic write of <root>/<path> (temporary file, fsync,
                  rename), skipped when unchanged; nothing is fetched after it.

AWS credentials, region and profile come from the AWS default chain
(environment, shared config, SSO, web identity); none is ever a flag, and none
is ever printed. With --all-envs, a failing environment does not stop the
others; the exit status is 1 if any failed.
`)
	var ef envFlags
	ef.register(fs)
	dryRun := fs.Bool("dry-run", false, "print what would be uploaded and why; change nothing")
	force := fs.Bool("force", false, "upload even when the stored copy is unchanged")
	noVerify := fs.Bool("no-verify", false, "skip fetching the live URL after an S3 publish")
	wait := fs.Duration("wait", 0, "verify for at most `DUR` (default: [validate] wait, else 2m)")
	verbose := fs.BoolP("verbose", "v", false, "also show info findings")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("publish takes no arguments (got %q)", fs.Args())
	}
	cfgs, err := ef.load()
	if err != nil {
		return err
	}
	p := newPainter(s, s.err)
	failed := 0
	for _, c := range cfgs {
		if ctx.Err() != nil {
			return fmt.Errorf("publish: interrupted")
		}
		if err := publishEnv(ctx, s, c, fs, *wait, publish.Options{DryRun: *dryRun, Force: *force, Log: s.err}, *noVerify, *verbose, p); err != nil {
			failed++
			if err != errFailed {
				fmt.Fprintf(s.err, "cimd: %v\n", err)
			}
		}
	}
	if len(cfgs) > 1 {
		fmt.Fprintf(s.err, "cimd: published %d of %d environments\n", len(cfgs)-failed, len(cfgs))
	}
	if failed > 0 {
		return errFailed
	}
	return nil
}

// publishEnv builds, publishes and verifies one environment. It returns
// errFailed when it already printed why.
func publishEnv(ctx context.Context, s stdio, c *config.Config, fs *pflag.FlagSet, wait time.Duration, opts publish.Options, noVerify, verbose bool, p painter) error {
	doc, findings, err := render(c)
	if err != nil {
		return err
	}
	printFindings(s.err, "", prefixed(c, findings), verbose, p)
	if n := countErrors(findings, false); n > 0 {
		fmt.Fprintf(s.err, "cimd: %s: %s in %s; nothing published\n", envName(c), plural(n, "error"), c.ClientID())
		return errFailed
	}
	plan, err := publish.Publish(ctx, c, doc, opts)
	if err != nil {
		return err
	}
	printPlan(s.out, plan, opts.DryRun)
	if plan.Target != "s3" || opts.DryRun || noVerify {
		return nil
	}
	vf := validateFlags{timeout: 10 * time.Second}
	lo, w, err := configLiveOptions(c, fs, vf)
	if err != nil {
		return err
	}
	switch {
	case fs.Changed("wait"):
		w = wait
	case w == 0:
		w = defaultVerifyWait
	}
	fmt.Fprintf(s.err, "cimd: verifying %s (for up to %s)\n", c.ClientID(), w)
	r := pollDeployed(ctx, c, doc, lo, w, false, s.err)
	if !r.Valid {
		printFindings(s.err, "  ", r.Findings, verbose, p)
		fmt.Fprintf(s.err, "cimd: %s: published, but %s does not pass: %s\n", envName(c), c.ClientID(), ruleList(r.Findings, false))
		return errFailed
	}
	fmt.Fprintf(s.out, "verified %s\n", c.ClientID())
	return nil
}

// printPlan writes one line saying what was (or would be) done, and why.
func printPlan(w io.Writer, plan publish.Plan, dryRun bool) {
	verb := "unchanged"
	switch {
	case plan.Reason == "unchanged":
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
	fmt.Fprintf(w, "%s %s (%d bytes, %s, cache-control: %s): %s\n", verb, plan.Location, plan.Size, plan.ContentType, plan.CacheControl, plan.Reason)
	if plan.Invalidation != "" {
		fmt.Fprintf(w, "invalidated %s in CloudFront (%s)\n", plan.Location, plan.Invalidation)
	}
}

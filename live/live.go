// Package live judges a client_id URL as it is deployed: it fetches the URL
// once through the hardened client of [fetch], runs the serving rules and
// the document rules of [validate] on the answer, compares the live copy
// with a local build (live-drift), and polls with the retry policy until
// the copy passes or the wait runs out. "Verify the deployed copy", shared
// by 'cimd validate' in config mode and by 'cimd publish', is [Checker.Deployed].
//
// Imports run one way: live uses fetch and validate; fetch uses validate's
// address table only; validate uses neither. The commands sit on top.
package live

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/cimd-dev/cimd/fetch"
	"github.com/cimd-dev/cimd/validate"
)

// Options is everything one check of a live URL needs, filled once where
// the flags (and the config's [validate] table) are read.
type Options struct {
	validate.Options                // the rule profile; AllowPrivate also lets the fetch reach such addresses
	Timeout          time.Duration  // bounds each fetch; 0 means fetch.DefaultTimeout
	RootCAs          *x509.CertPool // nil: the system roots
	ExtraRoots       *x509.CertPool // --cacert: trusted in addition to RootCAs
	UserAgent        string         // "cimd/<version>"
	Strict           bool           // warnings also make a result invalid
	Wait             time.Duration  // poll for up to this long; 0 makes one attempt

	// Pool, when set, shares fetch clients (and so connections) between
	// the Checkers of a run; nil gives each Checker its own.
	Pool *fetch.Pool
}

// Checker checks live URLs with one fetch client. Make one per run (or per
// environment, whose [validate] table may differ) with [New].
type Checker struct {
	opts   Options
	client *fetch.Client
}

// New returns a Checker for opts.
func New(opts Options) *Checker {
	return &Checker{opts: opts, client: opts.Pool.Client(fetch.Options{
		Timeout:      opts.Timeout,
		RootCAs:      opts.RootCAs,
		ExtraRoots:   opts.ExtraRoots,
		AllowPrivate: opts.AllowPrivate,
		MaxBytes:     validate.MaxBytes,
		Accept:       "application/json",
		UserAgent:    opts.UserAgent,
	})}
}

// Check fetches rawURL once with a new [Checker] for opts and judges it;
// see [Checker.Check].
func Check(ctx context.Context, rawURL string, opts Options) validate.Result {
	c := New(opts)
	if opts.Pool == nil {
		defer c.client.CloseIdleConnections()
	}
	return c.Check(ctx, rawURL)
}

// Check fetches rawURL once, the way a strict authorization server does,
// and runs every rule (RULES.md §1-4) on what it got. Target is left empty
// for the caller; Valid is set with the Checker's Strict.
//
// The host is resolved first and, unless AllowPrivate, the URL is not
// fetched when any of its addresses is special-use; the connection then
// goes to exactly the addresses that were checked. Findings come in the
// order URL (§1), serving (§4), document (§2-3). HTTP is set for every URL
// that could be fetched, with Status 0 when no response came.
func (c *Checker) Check(ctx context.Context, rawURL string) validate.Result {
	r := c.check(ctx, rawURL)
	r.Judge(c.opts.Strict)
	return r
}

// Poll checks rawURL until it passes or the wait runs out (see [Poll]),
// writing progress lines to progress, and sets the result's Target.
func (c *Checker) Poll(ctx context.Context, rawURL string, progress io.Writer) validate.Result {
	r := Poll(ctx, c.opts.Wait, progress, func(ctx context.Context) validate.Result {
		return c.Check(ctx, rawURL)
	})
	r.Target = rawURL
	return r
}

// Deployed verifies the deployed copy of a document: it checks rawURL,
// compares what it got with the local build doc (live-drift), and polls
// until both pass or the wait runs out. Target is left for the caller.
func (c *Checker) Deployed(ctx context.Context, rawURL string, doc []byte, progress io.Writer) validate.Result {
	return Poll(ctx, c.opts.Wait, progress, func(ctx context.Context) validate.Result {
		r := c.check(ctx, rawURL)
		if r.Document != nil {
			if f := validate.Drift(r.Body, doc); f != nil {
				r.Findings = append(r.Findings, *f)
			}
		}
		r.Judge(c.opts.Strict)
		return r
	})
}

func (c *Checker) check(ctx context.Context, rawURL string) validate.Result {
	r, offlinePrivate := urlFindings(rawURL, c.opts.Options)
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || r.Has("url-invalid") {
		if !r.Has("url-invalid") && !r.Has("url-scheme") {
			r.Findings = append(r.Findings, validate.Finding{Rule: "url-invalid", Severity: validate.Error,
				Message: "cannot fetch this URL: it is not an absolute https URL with a host"})
		}
		return r
	}

	start := time.Now()
	info := &validate.HTTPInfo{}
	r.HTTP = info
	defer func() { info.ElapsedMS = time.Since(start).Milliseconds() }()
	resp := c.client.Get(ctx, rawURL)
	if resp.Status == 0 {
		return c.noResponse(r, resp, offlinePrivate)
	}
	served := validate.Served{
		Status: resp.Status, StatusLine: resp.StatusLine, Header: validate.Header(resp.Header),
		Body: resp.Body, Complete: resp.Complete,
	}
	*info = served.Info()
	r.Body = resp.Body
	if resp.Status == 200 && resp.Err != nil {
		r.Findings = append(r.Findings, fetchFinding(resp))
	}
	r.Findings = append(r.Findings, validate.CheckServing(rawURL, served)...)
	if resp.Status == 200 && resp.Complete && resp.Err == nil {
		df, doc := validate.CheckDocument(rawURL, resp.Body, c.opts.Options)
		r.Findings = append(r.Findings, df...)
		r.Document = doc
	}
	return r
}

// urlFindings runs the URL rules (§1) for a live target. Their DNS-less
// url-private-address only sees IP literals and names such as localhost;
// for a live target the resolved addresses decide, so that finding is held
// back and returned apart. Where the resolver has no answer for such a name
// (foo.localhost, the legacy spelling 127.1), it stands instead of a DNS
// failure: it says what is really wrong.
func urlFindings(rawURL string, opts validate.Options) (validate.Result, *validate.Finding) {
	r := validate.Result{URL: rawURL}
	var offlinePrivate *validate.Finding
	for _, f := range validate.CheckURL(rawURL, opts) {
		if f.Rule == "url-private-address" {
			offlinePrivate = &f
			continue
		}
		r.Findings = append(r.Findings, f)
	}
	return r, offlinePrivate
}

// noResponse adds the finding for a Get that got no response: the held-back
// url-private-address for a name that does not resolve, a special-use
// address that was not fetched, or the http-fetch failure.
func (c *Checker) noResponse(r validate.Result, resp fetch.Response, offlinePrivate *validate.Finding) validate.Result {
	var dnsErr *fetch.DNSError
	var refused *fetch.RefusedError
	switch {
	case errors.As(resp.Err, &dnsErr) && offlinePrivate != nil:
		offlinePrivate.Message += "; not fetched"
		r.Findings = append(r.Findings, *offlinePrivate)
		r.HTTP = nil
	case errors.As(resp.Err, &refused):
		what := fmt.Sprintf("%s resolves to %s,", refused.Host, strings.Join(refused.Addrs, ", "))
		if refused.Literal {
			what = refused.Host + " is"
		}
		r.Findings = append(r.Findings, validate.Finding{Rule: "url-private-address", Severity: validate.Error,
			Message: what + " a special-use address that authorization servers refuse to fetch; not fetched (use a public host, or --allow-private for a local test)"})
		r.HTTP = nil // nothing was fetched
	default:
		r.Findings = append(r.Findings, fetchFinding(resp))
	}
	return r
}

// fetchFinding is the http-fetch finding of a failed exchange.
func fetchFinding(resp fetch.Response) validate.Finding {
	return validate.Finding{Rule: "http-fetch", Severity: validate.Error, Message: resp.Describe(), Transient: resp.Transient()}
}

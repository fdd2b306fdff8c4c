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
	// Servers are the profiles ([validate] servers) whose cache bounds time
	// a drift's propagation; empty: every profile.
	Servers []string
	// Ignore, when set, says which findings do not count ([[suppress]] in
	// cimd.toml): a poll neither waits for them nor stops at them. They stay
	// in the result, after the others, for the caller to set aside.
	Ignore func(validate.Finding) bool

	// Pool, when set, shares fetch clients (and so connections) between
	// the Checkers of a run; nil gives each Checker its own.
	Pool *fetch.Pool

	// Compat, when set, has each check that got a response also evaluate
	// the server profiles, with these options and what the fetch saw, into
	// the result's Compatibility, sharing the document rules' splits
	// ([validate.CheckDocumentCompat]). Their findings are not added: the
	// caller picks those of the servers that count.
	Compat *validate.CompatOptions
}

// Checker checks live URLs with one fetch client. Make one per run (or per
// environment, whose [validate] table may differ) with [New].
type Checker struct {
	opts       Options
	client     *fetch.Client
	jwksClient *fetch.Client // the same hardening, with a JWK Set's size and media types
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
	}), jwksClient: fetch.New(fetch.Options{
		Timeout:      opts.Timeout,
		RootCAs:      opts.RootCAs,
		ExtraRoots:   opts.ExtraRoots,
		AllowPrivate: opts.AllowPrivate,
		MaxBytes:     validate.JWKSMaxBytes,
		Accept:       "application/jwk-set+json, application/json",
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
	r := c.poll(ctx, progress, func(ctx context.Context) validate.Result {
		return c.Check(ctx, rawURL)
	})
	r.Target = rawURL
	return r
}

// Deployed verifies the deployed copy of a document: it checks rawURL,
// compares what it got with the local build doc (live-drift), and polls
// until both pass or the wait runs out. Target is left for the caller.
func (c *Checker) Deployed(ctx context.Context, rawURL string, doc []byte, progress io.Writer) validate.Result {
	return c.DeployedKeys(ctx, rawURL, doc, "", nil, progress)
}

// DeployedKeys is [Checker.Deployed] for a document whose JWK Set cimd
// published beside it: once the document was fetched, each attempt also
// fetches jwksURL with the same hardened client (redirects not followed,
// at most [validate.JWKSMaxBytes]+1 bytes read) and checks it against jwks,
// the local jwks.json ([validate.CheckJWKS]). Its findings join the
// document's, with field "jwks_uri", so one poll waits for both; the fetch
// is reported as the result's JWKS. An empty jwksURL checks no JWK Set.
func (c *Checker) DeployedKeys(ctx context.Context, rawURL string, doc []byte, jwksURL string, jwks []byte, progress io.Writer) validate.Result {
	return c.poll(ctx, progress, func(ctx context.Context) validate.Result {
		r := c.check(ctx, rawURL)
		if r.Document != nil {
			if f := validate.Drift(r.Body, doc); f != nil {
				if r.HTTP != nil {
					// How long servers may keep what they read: the
					// worst case for the change to reach logins.
					f.Message += "; servers see a change " + validate.PropagationOf(r.HTTP.CacheControl, c.opts.Servers).String()
				}
				r.Findings = append(r.Findings, *f)
			}
			if jwksURL != "" {
				c.checkJWKS(ctx, &r, jwksURL, jwks)
			}
		}
		r.Judge(c.opts.Strict)
		return r
	})
}

// poll is [Poll] with the Checker's wait, judging each attempt without the
// findings opts.Ignore names; they are put back, last, in the result.
func (c *Checker) poll(ctx context.Context, progress io.Writer, attempt func(context.Context) validate.Result) validate.Result {
	if c.opts.Ignore == nil {
		return Poll(ctx, c.opts.Wait, progress, attempt)
	}
	var ignored []validate.Finding
	r := Poll(ctx, c.opts.Wait, progress, func(ctx context.Context) validate.Result {
		r := attempt(ctx)
		ignored = nil
		kept := make([]validate.Finding, 0, len(r.Findings))
		for _, f := range r.Findings {
			if c.opts.Ignore(f) {
				ignored = append(ignored, f)
			} else {
				kept = append(kept, f)
			}
		}
		r.Findings = kept
		r.Judge(c.opts.Strict)
		return r
	})
	r.Findings = append(r.Findings, ignored...)
	r.Judge(c.opts.Strict)
	return r
}

// checkJWKS fetches the JWK Set at jwksURL and adds what the rules say of
// it to r.
func (c *Checker) checkJWKS(ctx context.Context, r *validate.Result, jwksURL string, local []byte) {
	start := time.Now()
	info := &validate.JWKSInfo{URL: jwksURL, Kids: []string{}}
	r.JWKS = info
	defer func() { info.ElapsedMS = time.Since(start).Milliseconds() }()
	resp := c.jwksClient.Get(ctx, jwksURL)
	if resp.Status == 0 {
		r.Findings = append(r.Findings, validate.Finding{Rule: "jwks-fetch", Severity: validate.Error, Field: validate.JWKSField,
			Message: "the served JWK Set: " + resp.Describe(), Transient: resp.Transient()})
		return
	}
	served := validate.Served{
		Status: resp.Status, StatusLine: resp.StatusLine, Header: validate.Header(resp.Header),
		Body: resp.Body, Complete: resp.Complete,
	}
	info.HTTPInfo = served.Info()
	if resp.Status == 200 && resp.Err != nil && len(resp.Body) <= validate.JWKSMaxBytes {
		r.Findings = append(r.Findings, validate.Finding{Rule: "jwks-fetch", Severity: validate.Error, Field: validate.JWKSField,
			Message: "the served JWK Set: " + resp.Describe(), Transient: resp.Transient()})
		return
	}
	if kids := validate.JWKSKids(resp.Body); kids != nil {
		info.Kids = kids
	}
	r.Findings = append(r.Findings, validate.CheckJWKS(served, local)...)
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
	var compat validate.CompatOptions
	if c.opts.Compat != nil {
		compat = *c.opts.Compat
		compat.HTTP = info
	}
	if resp.Status == 200 && resp.Complete && resp.Err == nil {
		var df []validate.Finding
		if c.opts.Compat != nil {
			df, r.Document, r.Compatibility = validate.CheckDocumentCompat(rawURL, resp.Body, c.opts.Options, compat)
		} else {
			df, r.Document = validate.CheckDocument(rawURL, resp.Body, c.opts.Options)
		}
		r.Findings = append(r.Findings, df...)
	}
	if c.opts.Compat != nil && r.Body != nil && r.Compatibility.IsZero() {
		// A body that was not a whole 200 response: the URL and response
		// rows still run.
		r.Compatibility = validate.Compatibility(rawURL, nil, compat)
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

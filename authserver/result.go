package authserver

import (
	"context"
	"fmt"

	"github.com/cimd-dev/cimd/validate"
)

// Client is the client whose readiness is checked: its client_id and its
// decoded metadata document (rendered from cimd.toml, or fetched).
type Client struct {
	ClientID string
	Document map[string]any
	// Assert signs an RFC 7523 client assertion for the audience aud, for
	// --token; nil when there is no key to sign with.
	Assert func(aud string) (string, error)
}

// CheckOptions tunes [Check].
type CheckOptions struct {
	Options
	RedirectURI string // --redirect-uri; "" picks one from the document
	NoProbe     bool   // --no-probe
	// Token is --token: the grant to request a token with after the
	// probe (GrantClientCredentials); "" requests none.
	Token string
}

// Result is the verdict on one server, in the shape of CLI.md's --json for
// check-server.
type Result struct {
	Target      string             `json:"target"`
	Issuer      string             `json:"issuer"`
	MetadataURL string             `json:"metadata_url"`
	ClientID    string             `json:"client_id"`
	Ready       bool               `json:"ready"`
	Findings    []validate.Finding `json:"findings"`
	Tried       []Tried            `json:"tried"`
	Probe       Probe              `json:"probe"`
	Clients     []ClientLine       `json:"clients"`
	// Token is the token request of --token; nil without it.
	Token *Token `json:"token,omitempty"`

	// Discovery is everything discovery found, for the text output.
	Discovery *Discovery `json:"-"`
}

// Report is the whole --json output of check-server.
type Report struct {
	Ready   bool     `json:"ready"`
	Results []Result `json:"results"`
}

// NewReport gathers judged results; it is ready when every result is.
func NewReport(results []Result) Report {
	r := Report{Ready: true, Results: results}
	if r.Results == nil {
		r.Results = []Result{}
	}
	for _, res := range results {
		r.Ready = r.Ready && res.Ready
	}
	return r
}

// Judge sets r.Ready: no error finding (with strict, no warning either),
// a probe that was neither rejected nor left without a response, and a
// token request (with --token) that was neither refused nor failed.
// Severities are never changed.
func (r *Result) Judge(strict bool) {
	if r.Findings == nil {
		r.Findings = []validate.Finding{}
	}
	if r.Tried == nil {
		r.Tried = []Tried{}
	}
	if r.Clients == nil {
		r.Clients = []ClientLine{}
	}
	r.Ready = r.Probe.Outcome != ProbeRejected && !r.Probe.NoResponse
	if r.Token != nil && (r.Token.Outcome == TokenRefused || r.Token.Outcome == TokenFailed) {
		r.Ready = false
	}
	for _, f := range r.Findings {
		if f.Fails(strict) {
			r.Ready = false
		}
	}
}

// Check runs everything check-server does for one target: discovery, the
// readiness rules, the client lines and (unless opts.NoProbe) the probe.
// The result is judged without --strict; call Judge again for it. The error
// is the one [Discover] returns: a target that is not an http(s) URL, or a
// cancelled context.
func Check(ctx context.Context, target string, client Client, opts CheckOptions) (Result, error) {
	res := Result{Target: target, ClientID: client.ClientID, Probe: SkippedProbe()}
	if opts.Token != "" {
		res.Token = &Token{Grant: opts.Token, Outcome: TokenSkipped, Reason: "no authorization server metadata"}
	}
	d, err := Discover(ctx, target, opts.Options)
	if d != nil {
		res.Discovery = d
		res.Issuer, res.MetadataURL, res.Tried = d.Issuer, d.MetadataURL, d.Tried
		res.Findings = append(res.Findings, d.Findings...)
	}
	if err != nil {
		res.Judge(false)
		return res, err
	}
	if md := d.Metadata; md != nil {
		res.Findings = append(res.Findings, Readiness(md, client.Document)...)
		res.Clients = Clients(md)
		if !opts.NoProbe {
			res.Probe = probe(ctx, d, client, opts)
			if f, ok := res.Probe.Finding(); ok {
				res.Findings = append(res.Findings, f)
			}
		}
		if opts.Token != "" {
			res.Token = requestToken(ctx, d, client, opts)
			if f, ok := res.Token.Finding(); ok {
				res.Findings = append(res.Findings, f)
			}
		}
	}
	SortFindings(res.Findings)
	res.Judge(false)
	return res, ctx.Err()
}

// probe makes the one authorization request and classifies the answer.
func probe(ctx context.Context, d *Discovery, client Client, opts CheckOptions) Probe {
	md := d.Metadata
	if md.AuthorizationEndpoint == "" {
		return Probe{Outcome: ProbeSkipped, Reason: "the metadata has no authorization_endpoint"}
	}
	redirect, err := ChooseRedirectURI(opts.RedirectURI, docStrings(client.Document, "redirect_uris"))
	if err != nil {
		return Probe{Outcome: ProbeInconclusive, Reason: err.Error()}
	}
	scope := d.Scope
	if scope == "" {
		scope = docString(client.Document, "scope")
	}
	req, err := NewProbe(md.AuthorizationEndpoint, client.ClientID, redirect, scope, d.ResourceURI())
	if err != nil {
		return Probe{Outcome: ProbeInconclusive, Reason: err.Error()}
	}
	get := opts.ProbeGet
	if get == nil {
		get = opts.Get
	}
	resp, err := get(ctx, req.URL)
	if err != nil || resp == nil {
		if err == nil {
			err = fmt.Errorf("no response")
		}
		return FailedProbe(err)
	}
	return Classify(req, resp)
}

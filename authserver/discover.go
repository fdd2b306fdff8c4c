package authserver

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/cimd-dev/cimd/validate"
)

// Response is what one GET saw. The client behind [Options.Get] reads the
// body up to a cap (at least [MaxMetadataBytes]+1 bytes for discovery) and
// never follows redirects.
type Response struct {
	Status   int
	Header   http.Header
	Body     []byte
	Complete bool  // the body was read to its end within the cap
	Err      error // the body read failed after the status line arrived
}

// Options wires discovery and the probe to the network.
type Options struct {
	// Get fetches one URL: no cookies, no credentials, no redirects
	// followed. A non-nil error means no response came (DNS, connect, TLS,
	// a refused special-use address, a timeout).
	Get func(ctx context.Context, url string) (*Response, error)

	// ProbeGet makes the probe's request; nil means Get. It must not send
	// "Accept: application/json": better-auth then answers 200 with a JSON
	// body instead of the redirect a browser gets.
	ProbeGet func(ctx context.Context, url string) (*Response, error)

	// Post sends form to url as application/x-www-form-urlencoded, with
	// the guarantees of Get; only --token's request uses it. The form
	// holds a client assertion: it must not be logged.
	Post func(ctx context.Context, url string, form url.Values) (*Response, error)
}

// Tried is one URL that discovery fetched and what it answered.
type Tried struct {
	URL         string `json:"url"`
	Status      int    `json:"status"` // 0 when no response came
	ContentType string `json:"content_type,omitempty"`
	Location    string `json:"location,omitempty"`
	Error       string `json:"error,omitempty"` // why it was not used, "" for the one that was

	// Err is the error behind Error, for errors.Is against ErrNotJSON and
	// the other named reasons.
	Err error `json:"-"`
}

// Discovery is what discovery found for one target.
type Discovery struct {
	Target string

	// Resource is the protected resource metadata when the target is an
	// MCP server; nil when the target was taken as an issuer.
	Resource            *ProtectedResource
	ResourceMetadataURL string
	// Scope is what an MCP client would request: the 401 challenge's scope,
	// else the resource's scopes_supported; "" when neither says.
	Scope string

	Issuer      string // the issuer the metadata was derived from
	MetadataURL string
	Metadata    *Metadata // nil when none was found

	Tried    []Tried
	Findings []validate.Finding
}

// ResourceURI is the RFC 8707 resource indicator an MCP client sends for
// this target, or "" when the target is not an MCP server.
func (d *Discovery) ResourceURI() string {
	if d.Resource == nil {
		return ""
	}
	if d.Resource.Resource != "" {
		return d.Resource.Resource
	}
	return d.Target
}

// maxIssuers bounds how many authorization_servers entries are tried: MCP
// clients use the first, and a list of thousands would otherwise turn into
// as many requests.
const maxIssuers = 4

// Discover finds the authorization server metadata for target, an MCP server
// URL or an issuer, requesting URLs in the order MCP clients do:
//
//  1. the target itself, without a token; a 401's WWW-Authenticate Bearer
//     resource_metadata names the protected resource metadata;
//  2. otherwise (or when that URL fails) the RFC 9728 well-known URLs,
//     path-inserted then root;
//  3. for each authorization_servers entry in turn (at most [maxIssuers]
//     of them), or for the target
//     itself when no protected resource metadata was found, the RFC 8414
//     and OpenID discovery URLs of [AuthServerCandidates], until one answers
//     200 with a JSON object.
//
// Redirects are recorded with their Location and not followed. Once an
// origin fails to answer at all, its other URLs are not requested. The
// returned error is only for a target that is not an http(s) URL or a
// cancelled context; everything the servers answered is in Tried and
// Findings (as-discovery when no metadata was found).
func Discover(ctx context.Context, target string, opts Options) (*Discovery, error) {
	if _, _, _, err := splitForWellKnown(target); err != nil {
		return nil, err
	}
	if opts.Get == nil {
		return nil, errors.New("authserver: Options.Get is nil")
	}
	r := &discoverer{opts: opts, failed: map[string]bool{}}
	d := &Discovery{Target: target}
	defer func() { d.Tried = r.tried }()

	prmURLs := r.askResource(ctx, d)
	if err := ctx.Err(); err != nil {
		return d, err
	}
	if done := r.readResource(ctx, d, prmURLs); done {
		return d, nil
	}
	if err := ctx.Err(); err != nil {
		return d, err
	}
	issuers := []string{target}
	if d.Resource != nil {
		issuers = d.Resource.AuthorizationServers
		if len(issuers) > maxIssuers {
			issuers = issuers[:maxIssuers]
		}
	}
	for _, issuer := range issuers {
		if r.readMetadata(ctx, d, issuer) {
			return d, nil
		}
		if err := ctx.Err(); err != nil {
			return d, err
		}
	}
	d.Findings = append(d.Findings, finding("as-discovery", validate.Error,
		"no authorization server metadata found; tried "+summarize(r.tried)))
	return d, nil
}

// askResource is step 1: the target as a client without a token sees it.
// It returns the protected resource metadata URLs to try, in order: the
// 401 challenge's resource_metadata, then the RFC 9728 well-known ones. It
// sets d.Scope from the challenge.
func (r *discoverer) askResource(ctx context.Context, d *Discovery) []Candidate {
	var prmURLs []Candidate
	first, _ := r.get(ctx, d.Target)
	if ctx.Err() != nil {
		return nil
	}
	if first != nil {
		// Whatever the MCP server answers is information, not a failure:
		// it is not metadata, and a 401 is what a protected one sends.
		last := &r.tried[len(r.tried)-1]
		last.Error, last.Err = "", nil
	}
	if first != nil && first.Status == http.StatusUnauthorized {
		u, err := ResourceMetadataURL(first.Header)
		if u != "" {
			if _, _, _, uerr := splitForWellKnown(u); uerr != nil {
				err = fmt.Errorf("resource_metadata: %w", uerr)
				u = ""
			}
		}
		if u != "" {
			prmURLs = append(prmURLs, Candidate{u, KindProtectedResource})
		} else if err != nil {
			r.tried[len(r.tried)-1].Error = "WWW-Authenticate: " + bound(err.Error(), 200)
		}
		d.Scope = bearerParam(first.Header, "scope")
	}
	if wk, err := ProtectedResourceCandidates(d.Target); err == nil {
		for _, c := range wk {
			if len(prmURLs) == 0 || c.URL != prmURLs[0].URL {
				prmURLs = append(prmURLs, c)
			}
		}
	}
	return prmURLs
}

// readResource is step 2: the first protected resource metadata that
// answers sets d.Resource (and the scope, when the challenge had none).
// done is true when discovery ends there: metadata that lists no
// authorization server.
func (r *discoverer) readResource(ctx context.Context, d *Discovery, prmURLs []Candidate) (done bool) {
	for _, c := range prmURLs {
		resp, ok := r.get(ctx, c.URL)
		if !ok {
			continue
		}
		pr, err := ParseProtectedResource(resp.Body)
		if err != nil && !errors.Is(err, ErrNoServers) {
			r.fail(err)
			continue
		}
		d.Resource, d.ResourceMetadataURL = pr, c.URL
		if err != nil {
			r.fail(err)
			d.Findings = append(d.Findings, finding("as-discovery", validate.Error,
				fmt.Sprintf("the protected resource metadata at %s lists no authorization_servers", bound(c.URL, 300))))
			return true
		}
		if err := CheckResource(pr, d.Target); err != nil {
			d.Findings = append(d.Findings, finding("as-resource-mismatch", validate.Error, err.Error()))
		}
		if d.Scope == "" {
			d.Scope = strings.Join(pr.ScopesSupported, " ")
		}
		return false
	}
	return false
}

// readMetadata is step 3 for one issuer: its RFC 8414 and OpenID discovery
// URLs in turn, until one answers 200 with a JSON object, which sets
// d.Metadata (found is then true).
func (r *discoverer) readMetadata(ctx context.Context, d *Discovery, issuer string) (found bool) {
	cands, err := AuthServerCandidates(issuer)
	if err != nil {
		r.tried = append(r.tried, Tried{URL: bound(issuer, 300), Error: bound(err.Error(), 300), Err: err})
		return false
	}
	for _, c := range cands {
		resp, ok := r.get(ctx, c.URL)
		if !ok {
			continue
		}
		md, fs, err := ParseMetadata(resp.Body, issuer)
		if err != nil {
			r.fail(err)
			// A body that claims to be JSON, or is JSON but not an
			// object, is broken metadata rather than a missing one (an
			// HTML fallback page is the usual "not here").
			if errors.Is(err, ErrNotObject) || (errors.Is(err, ErrNotJSON) && isJSONType(resp.Header.Get("Content-Type"))) {
				d.Findings = append(d.Findings, finding("as-metadata-invalid", validate.Error,
					fmt.Sprintf("the metadata at %s is %s", bound(c.URL, 300), bound(err.Error(), 300))))
			}
			continue
		}
		for _, f := range fs {
			if f.Rule == "as-issuer-mismatch" {
				r.tried[len(r.tried)-1].Error = "issuer mismatch"
				r.tried[len(r.tried)-1].Err = ErrWrongIssuer
			}
		}
		d.Issuer, d.MetadataURL, d.Metadata = issuer, c.URL, md
		d.Findings = append(d.Findings, fs...)
		return true
	}
	return false
}

// discoverer makes the requests of one discovery and records them.
type discoverer struct {
	opts   Options
	tried  []Tried
	failed map[string]bool // origins that did not answer at all
}

// get fetches u and records the exchange. ok is true for a complete 200;
// resp is whatever came back (nil when nothing did).
func (r *discoverer) get(ctx context.Context, u string) (resp *Response, ok bool) {
	origin := originOf(u)
	if r.failed[origin] || ctx.Err() != nil {
		return nil, false
	}
	t := Tried{URL: bound(u, 2000)}
	resp, err := r.opts.Get(ctx, u)
	if err != nil || resp == nil {
		if err == nil {
			err = errors.New("no response")
		}
		r.failed[origin] = true
		t.Error, t.Err = bound(err.Error(), 300), err
		r.tried = append(r.tried, t)
		return nil, false
	}
	t.Status = resp.Status
	if resp.Header != nil {
		t.ContentType = bound(resp.Header.Get("Content-Type"), 100)
	}
	switch {
	case resp.Status >= 300 && resp.Status < 400:
		t.Location = bound(resp.Header.Get("Location"), 2000)
		t.Err = fmt.Errorf("%w (status %d)", ErrRedirect, resp.Status)
	case resp.Status != http.StatusOK:
		t.Err = fmt.Errorf("%w %d", ErrStatus, resp.Status)
	case resp.Err != nil:
		t.Err = fmt.Errorf("%w: %v", ErrIncomplete, resp.Err)
	case !resp.Complete || len(resp.Body) > MaxMetadataBytes:
		t.Err = fmt.Errorf("%w: over %d bytes", ErrTooLarge, MaxMetadataBytes)
	}
	if t.Err != nil {
		t.Error = bound(t.Err.Error(), 300)
	}
	r.tried = append(r.tried, t)
	return resp, t.Err == nil
}

// fail records why the last response could not be used.
func (r *discoverer) fail(err error) {
	t := &r.tried[len(r.tried)-1]
	t.Err, t.Error = err, bound(err.Error(), 300)
}

func isJSONType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

func originOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	return p.Scheme + "://" + p.Host
}

// summarize lists what each URL answered, for the as-discovery message.
func summarize(tried []Tried) string {
	if len(tried) == 0 {
		return "nothing"
	}
	parts := make([]string, 0, len(tried))
	for _, t := range tried {
		var what []string
		if t.Status != 0 {
			what = append(what, fmt.Sprintf("%d", t.Status))
		}
		if mt, _, err := mime.ParseMediaType(t.ContentType); err == nil && t.Status != 0 {
			what = append(what, mt)
		}
		if t.Location != "" {
			what = append(what, "Location "+bound(t.Location, 200))
		}
		if t.Error != "" && t.Err != nil && !errors.Is(t.Err, ErrStatus) && !errors.Is(t.Err, ErrRedirect) {
			what = append(what, t.Error)
		}
		parts = append(parts, bound(t.URL, 200)+" ("+strings.Join(what, ", ")+")")
	}
	return strings.Join(parts, "; ")
}

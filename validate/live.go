package validate

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"mime"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// MaxBytes is the largest document a server accepts; a live body is read up
// to MaxBytes+1 bytes and no further.
const MaxBytes = 5120

// maxAgeLimit is the longest max-age worth serving: SEP-991 caps caching at a
// day, and a longer one delays every change that long.
const maxAgeLimit = 86400

// LiveOptions tunes a live check.
type LiveOptions struct {
	Options
	Timeout   time.Duration  // bounds the whole exchange; 0 means 10s
	RootCAs   *x509.CertPool // nil: the system roots
	UserAgent string         // "cimd/<version>"

	// ExtraRoots are trusted in addition to RootCAs (--cacert). A chain is
	// verified against them first, so the system roots, which take longer
	// to parse than the whole fetch, are only loaded when they are needed.
	ExtraRoots *x509.CertPool
}

// CheckLive fetches rawURL once, the way a strict authorization server does,
// and runs every rule (RULES.md §1-4) on what it got. Target is left empty for
// the caller; Valid is set with Judge(false).
//
// The host is resolved first and, unless opts.AllowPrivate, the URL is not
// fetched when any of its addresses is special-use; the connection then goes
// to exactly the addresses that were checked. Findings come in the order
// URL (§1), serving (§4), document (§2-3). HTTP is set for every URL that
// could be fetched, with Status 0 when no response came.
func CheckLive(ctx context.Context, rawURL string, opts LiveOptions) Result {
	r := checkLive(ctx, rawURL, opts)
	r.Judge(false)
	return r
}

func checkLive(ctx context.Context, rawURL string, opts LiveOptions) Result {
	r := Result{URL: rawURL}

	// The DNS-less url-private-address of CheckURL only sees IP literals and
	// names such as localhost; for a live target the resolved addresses
	// decide. Where the resolver has no answer for such a name (foo.localhost,
	// the legacy spelling 127.1), the DNS-less finding stands instead of a
	// DNS failure: it says what is really wrong.
	var offlinePrivate *Finding
	for _, f := range CheckURL(rawURL, opts.Options) {
		if f.Rule == "url-private-address" {
			offlinePrivate = &f
			continue
		}
		r.Findings = append(r.Findings, f)
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || r.Has("url-invalid") {
		if !r.Has("url-invalid") && !r.Has("url-scheme") {
			r.Findings = append(r.Findings, Finding{Rule: "url-invalid", Severity: Error,
				Message: "cannot fetch this URL: it is not an absolute https URL with a host"})
		}
		return r
	}

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	info := &HTTPInfo{}
	r.HTTP = info
	defer func() { info.ElapsedMS = time.Since(start).Milliseconds() }()

	host := u.Hostname()
	addrs, err := resolve(ctx, host)
	if err != nil && offlinePrivate != nil {
		offlinePrivate.Message += "; not fetched"
		r.Findings = append(r.Findings, *offlinePrivate)
		r.HTTP = nil
		return r
	}
	if err != nil {
		msg := fmt.Sprintf("DNS lookup of %s failed: %v", host, err)
		timedOut := ctx.Err() != nil
		if timedOut {
			msg = fmt.Sprintf("DNS lookup of %s timed out after %s", host, timeout)
		}
		r.Findings = append(r.Findings, Finding{Rule: "http-fetch", Severity: Error, Message: msg, Transient: timedOut})
		return r
	}
	if !opts.AllowPrivate {
		if bad := specialAddrs(addrs); len(bad) > 0 {
			what := fmt.Sprintf("%s resolves to %s,", host, strings.Join(bad, ", "))
			if _, err := netip.ParseAddr(host); err == nil {
				what = host + " is"
			}
			r.Findings = append(r.Findings, Finding{Rule: "url-private-address", Severity: Error,
				Message: what + " a special-use address that authorization servers refuse to fetch; not fetched (use a public host, or --allow-private for a local test)"})
			r.HTTP = nil // nothing was fetched
			return r
		}
	}

	f := fetch(ctx, u, addrs, opts)
	if f.resp == nil {
		r.Findings = append(r.Findings, Finding{Rule: "http-fetch", Severity: Error, Message: describeFetchError(f, host, timeout), Transient: transientFetch(f)})
		return r
	}
	resp := f.resp
	info.Status = resp.StatusCode
	info.ContentType = resp.Header.Get("Content-Type")
	info.CacheControl = strings.Join(resp.Header.Values("Cache-Control"), ", ")
	info.Bytes = len(f.body)
	if len(f.body) > MaxBytes && !resp.Uncompressed && resp.ContentLength >= int64(len(f.body)) {
		info.Bytes = int(min(resp.ContentLength, int64(^uint(0)>>1)))
	}
	r.Body = f.body

	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		r.Findings = append(r.Findings, redirectFinding(rawURL, resp))
		return r
	case resp.StatusCode != http.StatusOK:
		r.Findings = append(r.Findings, statusFinding(resp, f.body))
		return r
	}

	if f.err != nil {
		r.Findings = append(r.Findings, Finding{Rule: "http-fetch", Severity: Error, Message: describeFetchError(f, host, timeout), Transient: transientFetch(f)})
	}
	if fd := contentTypeFinding(u, info.ContentType, f.body); fd != nil {
		r.Findings = append(r.Findings, *fd)
	}
	if fd := sizeFinding(f, info.Bytes); fd != nil {
		r.Findings = append(r.Findings, *fd)
	}
	if fd := cacheControlFinding(resp.Header.Values("Cache-Control")); fd != nil {
		r.Findings = append(r.Findings, *fd)
	}
	if f.complete && f.err == nil {
		df, doc := CheckDocument(rawURL, f.body, opts.Options)
		r.Findings = append(r.Findings, df...)
		r.Document = doc
	}
	return r
}

// specialAddrs returns the addresses of addrs that servers must not fetch.
func specialAddrs(addrs []netip.Addr) []string {
	var bad []string
	for _, a := range addrs {
		if IsSpecialAddr(a) {
			bad = append(bad, a.String())
		}
	}
	return bad
}

// redirectFinding reports a 3xx with its Location: servers do not follow it,
// and the usual causes (a missing or extra trailing slash, http to https, a
// moved bucket) are visible in the target.
func redirectFinding(rawURL string, resp *http.Response) Finding {
	loc := resp.Header.Get("Location")
	msg := fmt.Sprintf("%s: redirects to %q, and authorization servers do not follow redirects; serve the document at exactly this URL", resp.Status, loc)
	switch {
	case loc == "":
		msg = fmt.Sprintf("%s with no Location; authorization servers do not follow redirects; serve the document at exactly this URL with status 200", resp.Status)
	case loc == rawURL:
		msg = fmt.Sprintf("%s: redirects to itself (a redirect loop); authorization servers do not follow redirects; serve the document at exactly this URL with status 200", resp.Status)
	case loc == rawURL+"/" || loc+"/" == rawURL:
		msg += " (the host adds or strips a trailing slash: publish the file under the exact path)"
	}
	return Finding{Rule: "http-redirect", Severity: Error, Message: msg}
}

// statusFinding reports a status other than 200, telling an HTML page apart:
// a host that answers a missing file with HTML is serving an error page, its
// SPA's index.html, or a bot challenge, and the fix differs for each.
func statusFinding(resp *http.Response, body []byte) Finding {
	msg := fmt.Sprintf("status %s; authorization servers accept only 200", resp.Status)
	switch {
	case resp.Header.Get("Cf-Mitigated") == "challenge":
		msg += "; Cloudflare answered with a bot challenge that a server cannot solve: exempt this path from Bot Fight Mode, challenges and WAF rules"
	case looksHTML(resp.Header.Get("Content-Type"), body):
		msg += "; the body is HTML, so this looks like an error page, an SPA fallback or a bot challenge"
		if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusServiceUnavailable {
			if strings.Contains(strings.ToLower(resp.Header.Get("Server")), "cloudflare") {
				msg += " (Cloudflare: exempt this path from bot protection)"
			}
		}
		if resp.StatusCode == http.StatusNotFound {
			msg += ": check that the file is deployed at this exact path"
		}
	case resp.StatusCode == http.StatusNotFound:
		msg += ": check that the file is deployed at this exact path"
	case resp.StatusCode > 200 && resp.StatusCode < 300:
		msg += " (a proxy or CDN may be rewriting the response)"
	}
	return Finding{Rule: "http-status", Severity: Error, Message: msg, Transient: transientStatus(resp.StatusCode)}
}

// transientStatus reports whether a status can change by itself: 404 while
// a deploy or a CDN's negative cache catches up, 408, 425 and 429, and
// server errors. 401, 403 and other 4xx are configuration.
func transientStatus(code int) bool {
	switch code {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return code >= 500
}

// looksHTML reports whether a response is an HTML page, by its type or, since
// error pages are often mislabelled, by how the body starts.
func looksHTML(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	b := bytes.ToLower(bytes.TrimLeft(body, " \t\r\n\ufeff"))
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html")) ||
		bytes.HasPrefix(b, []byte("<head")) || bytes.HasPrefix(b, []byte("<body"))
}

// contentTypeFinding checks the media type of a 200 response. Parameters
// (charset) do not matter; the hints name the hosts that get it wrong most.
func contentTypeFinding(u *url.URL, contentType string, body []byte) *Finding {
	fd := func(msg string) *Finding {
		return &Finding{Rule: "http-content-type", Severity: Error, Message: msg}
	}
	if strings.TrimSpace(contentType) == "" {
		return fd("served with no Content-Type; authorization servers expect application/json: configure the host to send it for this file")
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fd(fmt.Sprintf("Content-Type %q does not parse (%v); authorization servers expect application/json", contentType, err))
	}
	if mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		return nil
	}
	msg := fmt.Sprintf("served as %s; authorization servers expect application/json", mt)
	host := strings.ToLower(u.Hostname())
	switch {
	case mt == "text/plain" && (host == "raw.githubusercontent.com" || host == "gist.githubusercontent.com" || strings.HasSuffix(host, ".githubusercontent.com")):
		msg += ": raw GitHub and gist URLs always serve text/plain and cannot be changed; host the file on GitHub Pages, a CDN or an object store instead"
	case mt == "text/plain":
		msg += ": map .json to application/json on the host (nginx: types { application/json json; }), or host it elsewhere (raw GitHub and gists always send text/plain)"
	case mt == "binary/octet-stream":
		msg += ": binary/octet-stream is the S3 default for an object uploaded without a type; re-upload with ContentType application/json (aws s3 cp --content-type application/json, or cimd publish)"
	case mt == "application/octet-stream":
		msg += ": the host does not know the file's type; give the path a .json extension or set the type on the host (for S3, upload with ContentType application/json)"
	case mt == "text/html" || looksHTML("", body):
		msg += ": the host answered with an HTML page (an SPA fallback or error page served as 200?); check that the file is deployed at this exact path"
	}
	return fd(msg)
}

// sizeFinding checks the decoded size of a 200 body: servers cap it at
// 5120 bytes, Keycloak at 5000.
func sizeFinding(f fetched, served int) *Finding {
	switch {
	case len(f.body) > MaxBytes:
		size := fmt.Sprintf("%d bytes", served)
		if served == len(f.body) && f.resp.ContentLength < 0 {
			size = fmt.Sprintf("more than %d bytes", MaxBytes)
		}
		return &Finding{Rule: "http-size", Severity: Error, Message: fmt.Sprintf(
			"the body is %s; servers refuse documents over %d bytes (FastMCP, Cloudflare); drop optional fields, or move an inline jwks to jwks_uri", size, MaxBytes)}
	case f.complete && len(f.body) > sizeWarnBytes:
		return &Finding{Rule: "http-size", Severity: Warning, Message: fmt.Sprintf(
			"the body is %d bytes; Keycloak refuses documents over %d bytes", len(f.body), sizeWarnBytes)}
	}
	return nil
}

// cacheControlFinding checks that servers may cache the document, but not so
// long that a change takes more than a day to reach them.
func cacheControlFinding(values []string) *Finding {
	fd := func(msg string) *Finding {
		return &Finding{Rule: "http-cache-control", Severity: Warning, Message: msg}
	}
	if len(values) == 0 {
		return fd("no Cache-Control; servers then pick their own caching: send e.g. Cache-Control: public, max-age=3600")
	}
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, arg, _ := strings.Cut(strings.TrimSpace(d), "=")
			name = strings.ToLower(strings.TrimSpace(name))
			arg = strings.Trim(strings.TrimSpace(arg), `"`)
			switch name {
			case "no-store", "no-cache":
				return fd(fmt.Sprintf("Cache-Control has %s, so every login refetches the document; send e.g. public, max-age=3600", name))
			case "max-age":
				n, err := strconv.ParseInt(arg, 10, 64)
				switch {
				case err != nil:
					return fd(fmt.Sprintf("Cache-Control max-age=%q is not a number of seconds", arg))
				case n <= 0:
					return fd("Cache-Control has max-age=0, so every login refetches the document; send e.g. public, max-age=3600")
				case n > maxAgeLimit:
					return fd(fmt.Sprintf("Cache-Control max-age=%d is over a day (%d), so a change takes that long to reach servers; use at most max-age=%d", n, maxAgeLimit, maxAgeLimit))
				}
			}
		}
	}
	return nil
}

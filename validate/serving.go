package validate

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"strconv"
	"strings"
)

// MaxBytes is the largest document a server accepts; a live body is read up
// to MaxBytes+1 bytes and no further.
const MaxBytes = 5120

// maxAgeLimit is the longest max-age worth serving: SEP-991 caps caching at a
// day, and a longer one delays every change that long.
const maxAgeLimit = 86400

// Served is what a live GET of a client_id URL answered, as the serving
// rules (RULES.md §4) read it. It is plain values, so the rules need no
// HTTP client and no network: a caller converts its response to it.
type Served struct {
	Status     int    // the status code
	StatusLine string // the status as received, "404 Not Found"
	Header     Header
	Body       []byte // at most MaxBytes+1 decoded bytes
	Complete   bool   // the body was read to its end within MaxBytes
}

// Header is a response header: names to values, in the shape of
// net/http's Header, which converts to it as it is.
type Header map[string][]string

// Values returns the values of the header name, matched without regard to
// case (net/http stores canonical names; other callers need not).
func (h Header) Values(name string) []string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// Get returns the first value of the header name, or "".
func (h Header) Get(name string) string {
	if v := h.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// contentLength is the length the response announced, or -1. A transport
// that decoded gzip removes the header, so this is the encoded length only
// when the body was sent as it is.
func (s Served) contentLength() int64 {
	n, err := strconv.ParseInt(s.Header.Get("Content-Length"), 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// Info is what the JSON output reports of s. Bytes is the announced length
// of an oversized body sent as it is, else the bytes read.
func (s Served) Info() HTTPInfo {
	info := HTTPInfo{
		Status:       s.Status,
		ContentType:  s.Header.Get("Content-Type"),
		CacheControl: strings.Join(s.Header.Values("Cache-Control"), ", "),
		Bytes:        len(s.Body),
	}
	if n := s.contentLength(); len(s.Body) > MaxBytes && n >= int64(len(s.Body)) {
		info.Bytes = int(min(n, int64(^uint(0)>>1)))
	}
	return info
}

// CheckServing runs the serving rules (RULES.md §4) on what rawURL
// answered: a redirect or a status other than 200 is the one finding;
// a 200 gets its content type, size and caching checked. The document
// rules are the caller's, on a complete body.
func CheckServing(rawURL string, s Served) []Finding {
	switch {
	case s.Status >= 300 && s.Status < 400:
		return []Finding{redirectFinding(rawURL, s)}
	case s.Status != statusOK:
		return []Finding{statusFinding(s)}
	}
	var fs []Finding
	u, _ := url.Parse(rawURL)
	if u == nil {
		u = &url.URL{}
	}
	if fd := contentTypeFinding(u, s.Header.Get("Content-Type"), s.Body); fd != nil {
		fs = append(fs, *fd)
	}
	if fd := sizeFinding(s, s.Info().Bytes); fd != nil {
		fs = append(fs, *fd)
	}
	if fd := cacheControlFinding(s.Header.Values("Cache-Control")); fd != nil {
		fs = append(fs, *fd)
	}
	return fs
}

// The status codes the rules name.
const (
	statusOK                 = 200
	statusForbidden          = 403
	statusNotFound           = 404
	statusRequestTimeout     = 408
	statusTooEarly           = 425
	statusTooManyRequests    = 429
	statusServiceUnavailable = 503
)

// redirectFinding reports a 3xx with its Location: servers do not follow it,
// and the usual causes (a missing or extra trailing slash, http to https, a
// moved bucket) are visible in the target.
func redirectFinding(rawURL string, resp Served) Finding {
	loc := resp.Header.Get("Location")
	msg := fmt.Sprintf("%s: redirects to %q, and authorization servers do not follow redirects; serve the document at exactly this URL", resp.StatusLine, loc)
	switch {
	case loc == "":
		msg = fmt.Sprintf("%s with no Location; authorization servers do not follow redirects; serve the document at exactly this URL with status 200", resp.StatusLine)
	case loc == rawURL:
		msg = fmt.Sprintf("%s: redirects to itself (a redirect loop); authorization servers do not follow redirects; serve the document at exactly this URL with status 200", resp.StatusLine)
	case loc == rawURL+"/" || loc+"/" == rawURL:
		msg += " (the host adds or strips a trailing slash: publish the file under the exact path)"
	}
	return Finding{Rule: "http-redirect", Severity: Error, Message: msg}
}

// statusFinding reports a status other than 200, telling an HTML page apart:
// a host that answers a missing file with HTML is serving an error page, its
// SPA's index.html, or a bot challenge, and the fix differs for each.
func statusFinding(resp Served) Finding {
	msg := fmt.Sprintf("status %s; authorization servers accept only 200", resp.StatusLine)
	switch {
	case resp.Header.Get("Cf-Mitigated") == "challenge":
		msg += "; Cloudflare answered with a bot challenge that a server cannot solve: exempt this path from Bot Fight Mode, challenges and WAF rules"
	case looksHTML(resp.Header.Get("Content-Type"), resp.Body):
		msg += "; the body is HTML, so this looks like an error page, an SPA fallback or a bot challenge"
		if resp.Status == statusForbidden || resp.Status == statusServiceUnavailable {
			if strings.Contains(strings.ToLower(resp.Header.Get("Server")), "cloudflare") {
				msg += " (Cloudflare: exempt this path from bot protection)"
			}
		}
		if resp.Status == statusNotFound {
			msg += ": check that the file is deployed at this exact path"
		}
	case resp.Status == statusNotFound:
		msg += ": check that the file is deployed at this exact path"
	case resp.Status > 200 && resp.Status < 300:
		msg += " (a proxy or CDN may be rewriting the response)"
	}
	return Finding{Rule: "http-status", Severity: Error, Message: msg, Transient: transientStatus(resp.Status)}
}

// transientStatus reports whether a status can change by itself: 404 while
// a deploy or a CDN's negative cache catches up, 408, 425 and 429, and
// server errors. 401, 403 and other 4xx are configuration.
func transientStatus(code int) bool {
	switch code {
	case statusNotFound, statusRequestTimeout, statusTooEarly, statusTooManyRequests:
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
func sizeFinding(f Served, served int) *Finding {
	switch {
	case len(f.Body) > MaxBytes:
		size := fmt.Sprintf("%d bytes", served)
		if served == len(f.Body) && f.contentLength() < 0 {
			size = fmt.Sprintf("more than %d bytes", MaxBytes)
		}
		return &Finding{Rule: "http-size", Severity: Error, Message: fmt.Sprintf(
			"the body is %s; servers refuse documents over %d bytes (FastMCP, Cloudflare); drop optional fields, or move an inline jwks to jwks_uri", size, MaxBytes)}
	case f.Complete && len(f.Body) > sizeWarnBytes:
		return &Finding{Rule: "http-size", Severity: Warning, Message: fmt.Sprintf(
			"the body is %d bytes; Keycloak refuses documents over %d bytes", len(f.Body), sizeWarnBytes)}
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

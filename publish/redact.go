package publish

import (
	"io"
	"net/url"
	"regexp"
)

// Text from a store or a proxy is untrusted: one that reflects request
// headers into its error body hands back the Authorization header, the
// session token and the presigned query. redact removes every credential
// shape it knows from a line before it is printed or put into --json.
var redactions = []struct {
	re   *regexp.Regexp
	with string
}{
	// Credential=AKIA.../20260101/us-east-1/s3/aws4_request
	{regexp.MustCompile(`(?i)(Credential=)[^,\s&"'<]+`), "${1}REDACTED"},
	{regexp.MustCompile(`(?i)(Signature=)[0-9a-f]+`), "${1}REDACTED"},
	{regexp.MustCompile(`(?i)(X-Amz-(?:Security-Token|Signature|Credential)[=:]\s*)[^\s&"'<,]+`), "${1}REDACTED"},
	{regexp.MustCompile(`(?i)((?:aws_)?session_?token["']?\s*[=:]\s*["']?)[^\s&"'<,]+`), "${1}REDACTED"},
	// Access key ids: AKIA (long-term), ASIA (temporary) and the other
	// documented prefixes, 16 more characters.
	{regexp.MustCompile(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA|ABIA|ACCA)[A-Z0-9]{12,}\b`), "REDACTED-KEY-ID"},
	// user:password@ in any URL.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]*@`), "${1}"},
	// Query strings of URLs: presigned URLs carry the signature there.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://[^\s?"'<]*)\?[^\s"'<]*`), "${1}"},
}

// redact returns s with access key ids, session tokens, signatures,
// credentials, URL userinfo and URL query strings removed.
func redact(s string) string {
	for _, r := range redactions {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

// redactURL returns raw without userinfo, query or fragment: what an
// endpoint may be called in a message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return redact(raw)
	}
	u.User = nil
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return u.String()
}

// redactWriter redacts each Write, which for the Log is one line.
type redactWriter struct{ w io.Writer }

func (r redactWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

package validate

import (
	"cmp"
	"slices"
)

// Check runs the offline rules (RULES.md §1-3) on a document body that claims to
// be served at rawURL. It returns the findings in rule-table order and the
// decoded document, or nil when the body is not a JSON object.
func Check(rawURL string, body []byte, opts Options) ([]Finding, map[string]any) {
	f := CheckURL(rawURL, opts)
	df, doc := CheckDocument(rawURL, body, opts)
	return append(f, df...), doc
}

// CheckCompat is [Check] followed by [Compatibility] on the document it
// decoded, with the same results, but cheaper: the profiles' subject takes
// the client_id URL and each redirect and URL member as Check split them,
// rather than splitting them again.
func CheckCompat(rawURL string, body []byte, opts Options, compat CompatOptions) ([]Finding, map[string]any, Verdicts) {
	p := splitURI(rawURL)
	f := checkURL(rawURL, p, opts)
	df, doc, rs := checkDocumentCompat(rawURL, p, body, opts, compat)
	return append(f, df...), doc, rs
}

// CheckDocumentCompat is [CheckDocument] followed by [Compatibility] on
// the document it decoded (nil when the body is not a JSON object), with
// the same results, but cheaper, as [CheckCompat] is: for a caller that
// runs the URL rules apart, such as a live check.
func CheckDocumentCompat(rawURL string, body []byte, opts Options, compat CompatOptions) ([]Finding, map[string]any, Verdicts) {
	return checkDocumentCompat(rawURL, splitURI(rawURL), body, opts, compat)
}

// checkDocumentCompat is [CheckDocumentCompat] with rawURL split into p:
// the profiles' subject takes each redirect and URL member as the document
// rules split them.
func checkDocumentCompat(rawURL string, p uriParts, body []byte, opts Options, compat CompatOptions) ([]Finding, map[string]any, Verdicts) {
	s := subjects.Get().(*subject)
	defer putSubject(s)
	s.setURL(rawURL, p)
	df, doc := checkDocument(rawURL, body, opts, s)
	s.fillFrom(doc, compat.HTTP, true)
	return df, doc, judge(s, compat)
}

// ruleOrder lists the offline rule codes in RULES.md table order. Findings
// are sorted by it, so output does not depend on the order the checks happen
// to run in (or on Go's map iteration order).
var ruleOrder = [...]string{
	// §1 the client_id URL.
	"url-invalid",
	"url-scheme",
	"url-path-missing",
	"url-root-path",
	"url-dot-segment",
	"url-fragment",
	"url-userinfo",
	"url-query",
	"url-port",
	"url-not-normalized",
	"url-length",
	"url-private-address",

	// §2 the document.
	"doc-encoding",
	"doc-not-json",
	"doc-not-object",
	"doc-duplicate-key",
	"doc-client-id-missing",
	"doc-client-id-mismatch",
	"doc-client-secret",
	"doc-auth-method-secret",
	"doc-auth-method-missing",
	"doc-private-key",
	"doc-jwks-conflict",
	"doc-jwks-missing",
	"doc-jwks-invalid",
	"doc-client-name-missing",
	"doc-redirect-uris-missing",
	"doc-field-type",
	"doc-unsafe-uri",
	"doc-uri-not-https",
	"doc-scope",
	"doc-grant-types",
	"doc-server-metadata-field",
	"doc-auth-methods",
	"doc-i18n",
	"doc-application-type",
	"doc-unknown-field",
	"doc-uri-private-address",
	"doc-case-variant-key",
	"doc-lone-surrogate",

	// §3 redirect_uris.
	"redirect-wildcard",
	"redirect-invalid",
	"redirect-fragment",
	"redirect-unsafe-scheme",
	"redirect-http",
	"redirect-custom-scheme",
	"redirect-scheme",
	"redirect-localhost-name",
	"redirect-loopback-portless",
	"redirect-loopback-https",
	"redirect-cross-origin",
	"redirect-loopback-only",
}

// ruleIndex returns the position of rule in ruleOrder; an unknown code sorts
// last rather than panicking, so a rule added in a hurry still shows up.
func ruleIndex(rule string) int {
	if i := slices.Index(ruleOrder[:], rule); i >= 0 {
		return i
	}
	return len(ruleOrder)
}

// sortFindings puts fs in rule-table order. The sort is stable: findings of
// one rule keep the order they were found in, which follows the document
// (key order, then array index), so redirect_uris[0] comes before [1].
func sortFindings(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Compare(ruleIndex(a.Rule), ruleIndex(b.Rule))
	})
}

// profileSeverity is the severity of a row marked "mcp: error, cimd:
// warning": MCP requires what the draft only recommends.
func profileSeverity(opts Options) Severity {
	if opts.Profile == ProfileCIMD {
		return Warning
	}
	// "" and ProfileMCP, and also an unknown profile: the CLI rejects those
	// before we get here, and the stricter reading is the safer default.
	return Error
}

// findings collects findings; its methods keep the call sites short.
type findings []Finding

func (fs *findings) add(rule string, sev Severity, field, msg string) {
	*fs = append(*fs, Finding{Rule: rule, Severity: sev, Message: msg, Field: field})
}

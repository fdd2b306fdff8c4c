package validate

// CheckFile runs the offline rules on a local document, as if served at
// rawURL (when hasURL, even if rawURL is "": an empty URL is url-invalid) or,
// without one, at the document's own client_id member, read exactly. The
// file's size is judged as a served body's would be (http-size): a file too
// large to serve is as broken. Without a URL the document rules still run,
// and the missing client_id is one of their findings. Target is left for the
// caller; Valid is set with Judge(false).
//
// It also evaluates every server profile with compat on the document at
// that URL, into Compatibility, as [Compatibility] would, sharing the
// document rules' splits as [CheckCompat] does. The profiles' findings are
// not added to Findings: the caller picks those of the servers that count.
func CheckFile(body []byte, rawURL string, hasURL bool, opts Options, compat CompatOptions) Result {
	r := Result{URL: rawURL, Body: body}
	if !hasURL {
		r.URL, hasURL = DocumentClientID(body)
	}
	p := splitURI(r.URL)
	if hasURL {
		r.Findings = checkURL(r.URL, p, opts)
	}
	if f := CheckSize(len(body)); f != nil {
		r.Findings = append(r.Findings, *f)
	}
	df, doc, rs := checkDocumentCompat(r.URL, p, body, opts, compat)
	r.Findings, r.Document, r.Compatibility = append(r.Findings, df...), doc, rs
	r.Judge(false)
	return r
}

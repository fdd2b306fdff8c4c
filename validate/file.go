package validate

// CheckFile runs the offline rules on a local document, as if served at
// rawURL (when hasURL, even if rawURL is "": an empty URL is url-invalid) or,
// without one, at the document's own client_id member, read exactly. The
// file's size is judged as a served body's would be (http-size): a file too
// large to serve is as broken. Without a URL the document rules still run,
// and the missing client_id is one of their findings. Target is left for the
// caller; Valid is set with Judge(false).
func CheckFile(body []byte, rawURL string, hasURL bool, opts Options) Result {
	r := Result{URL: rawURL, Body: body}
	if !hasURL {
		r.URL, hasURL = DocumentClientID(body)
	}
	if hasURL {
		r.Findings = CheckURL(r.URL, opts)
	}
	if f := CheckSize(len(body)); f != nil {
		r.Findings = append(r.Findings, *f)
	}
	df, doc := CheckDocument(r.URL, body, opts)
	r.Findings, r.Document = append(r.Findings, df...), doc
	r.Judge(false)
	return r
}

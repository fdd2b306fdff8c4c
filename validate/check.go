package validate

// Check runs the offline rules (RULES.md §1-3) on a document body that claims to
// be served at rawURL. It returns the findings in rule-table order and the
// decoded document, or nil when the body is not a JSON object.
func Check(rawURL string, body []byte, opts Options) ([]Finding, map[string]any) {
	f := CheckURL(rawURL, opts)
	df, doc := CheckDocument(rawURL, body, opts)
	return append(f, df...), doc
}

// CheckURL runs the client_id URL rules (RULES.md §1) without DNS: for
// url-private-address only IP literals and "localhost" are judged.
func CheckURL(rawURL string, opts Options) []Finding {
	return nil // TODO(rules)
}

// CheckDocument runs the document and redirect_uris rules (RULES.md §2-3) on
// body, comparing its client_id with rawURL byte for byte.
func CheckDocument(rawURL string, body []byte, opts Options) ([]Finding, map[string]any) {
	return nil, nil // TODO(rules)
}

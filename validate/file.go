package validate

import "encoding/json"

// CheckFile runs the offline rules on a local document, as if served at
// rawURL or, when rawURL is "", at the document's own client_id. Without
// either, the document rules still run and the missing client_id is one of
// their findings. Target is left for the caller; Valid is set with
// Judge(false).
func CheckFile(body []byte, rawURL string, opts Options) Result {
	r := Result{URL: rawURL, Body: body}
	if r.URL == "" {
		r.URL = ownClientID(body)
	}
	if r.URL != "" {
		r.Findings, r.Document = Check(r.URL, body, opts)
	} else {
		r.Findings, r.Document = CheckDocument("", body, opts)
	}
	r.Judge(false)
	return r
}

// ownClientID returns the document's client_id when it is a string, or "".
func ownClientID(body []byte) string {
	var probe struct {
		ClientID any `json:"client_id"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return ""
	}
	id, _ := probe.ClientID.(string)
	return id
}

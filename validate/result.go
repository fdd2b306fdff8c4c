package validate

// HTTPInfo is what a live fetch saw; nil for a local file.
type HTTPInfo struct {
	Status       int    `json:"status"`
	ContentType  string `json:"content_type"`
	CacheControl string `json:"cache_control"`
	Bytes        int    `json:"bytes"`
	ElapsedMS    int64  `json:"elapsed_ms"`
}

// Result is the verdict on one target.
type Result struct {
	Target   string         `json:"target"`
	URL      string         `json:"url"`
	Valid    bool           `json:"valid"`
	Findings []Finding      `json:"findings"`
	HTTP     *HTTPInfo      `json:"http"`
	Document map[string]any `json:"document"`
	// JWKS is the fetch of the JWK Set cimd published at the document's
	// jwks_uri (config mode and publish's verify), omitted otherwise; its
	// findings are among Findings, with field "jwks_uri".
	JWKS *JWKSInfo `json:"jwks,omitempty"`

	// Compatibility is every server profile's verdict (SERVERS.md), in
	// its order; absent when the target could not be read.
	Compatibility Verdicts `json:"compatibility,omitzero"`

	// Body is the document as read (at most MaxBytes+1 bytes), for drift checks.
	Body []byte `json:"-"`
}

// Judge sets r.Valid: no error finding, and with strict no warning either.
// It never changes a finding's severity.
func (r *Result) Judge(strict bool) {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.Valid = true
	for _, f := range r.Findings {
		if f.Fails(strict) {
			r.Valid = false
			return
		}
	}
}

// Has reports whether r has a finding with the given rule code.
func (r *Result) Has(rule string) bool {
	for _, f := range r.Findings {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

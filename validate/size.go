package validate

import "fmt"

// sizeWarnBytes is Keycloak's cap, below the 5120 bytes others accept.
const sizeWarnBytes = 5000

// CheckSize applies http-size to a document that will be served as it is,
// n bytes long: build and publish refuse what every server would refuse,
// before it is uploaded.
func CheckSize(n int) *Finding {
	switch {
	case n > MaxBytes:
		return &Finding{Rule: "http-size", Severity: Error, Message: fmt.Sprintf(
			"the document is %d bytes; servers refuse documents over %d bytes (FastMCP, Cloudflare); drop optional fields, or move an inline jwks to jwks_uri", n, MaxBytes)}
	case n > sizeWarnBytes:
		return &Finding{Rule: "http-size", Severity: Warning, Message: fmt.Sprintf(
			"the document is %d bytes; Keycloak refuses documents over %d bytes", n, sizeWarnBytes)}
	}
	return nil
}

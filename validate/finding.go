// Package validate implements the rules of a Client ID Metadata Document: the
// client_id URL, the document, its redirect_uris and, for a live URL, how it is
// served. The rules take a URL, bytes and an HTTP response, so they serve local
// files, live URLs and freshly created documents alike.
package validate

// Severity is how much a finding counts.
type Severity string

// The severities, from worst to mildest.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is one broken rule.
type Finding struct {
	Rule     string   `json:"rule"`     // stable code, e.g. "url-scheme"
	Severity Severity `json:"severity"` // as the profile sets it
	Message  string   `json:"message"`  // what is wrong and how to fix it
	Field    string   `json:"field"`    // JSON path ("redirect_uris[1]") or ""

	// Server names the server profile (SERVERS.md) whose constraint this
	// is; "" for every rule of RULES.md.
	Server string `json:"server,omitempty"`
}

// Profile selects which requirements apply.
type Profile string

// The profiles: MCP adds the Model Context Protocol's requirements to the draft.
const (
	ProfileMCP  Profile = "mcp"
	ProfileCIMD Profile = "cimd"
)

// Options tunes the offline rules.
type Options struct {
	Profile      Profile // "" means ProfileMCP
	AllowPrivate bool    // skip url-private-address
}

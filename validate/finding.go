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

	// Transient marks a problem that can fix itself while Poll waits: a
	// stale or drifting copy, a 404 while a deploy propagates, a 5xx, a
	// timeout or a dropped connection. DNS failures, refused connections,
	// TLS errors and rule errors in a copy that matches the local one do
	// not, and Poll gives up on them at once.
	Transient bool `json:"-"`
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

// Fails reports whether f makes its target fail: an error always, a warning
// only with strict. It is the one rule every verdict, count and summary
// uses.
func (f Finding) Fails(strict bool) bool {
	return f.Severity == Error || (strict && f.Severity == Warning)
}

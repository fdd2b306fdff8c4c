package main

// propagationJSON is the worst-case time until authorization servers see
// a change of the document, as publish --json prints it.
type propagationJSON struct {
	Seconds int64    `json:"seconds"`          // the longest any known server keeps the old copy
	Server  string   `json:"server,omitempty"` // the server profile that keeps it that long
	Manual  []string `json:"manual,omitempty"` // profiles that re-read only when an admin refreshes
	Text    string   `json:"text"`             // the same in words
}

// propagation returns the worst case for a document last served with
// cacheControl, or nil when nothing is known.
func propagation(cacheControl string) *propagationJSON {
	return nil // wired once the server cache bounds are in validate
}

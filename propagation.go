package main

import "github.com/cimd-dev/cimd/validate"

// propagationJSON is the worst-case time until authorization servers see
// a change of the document, as publish --json prints it.
type propagationJSON struct {
	Seconds int64    `json:"seconds"`          // the longest any known server keeps the old copy
	Server  string   `json:"server,omitempty"` // the server profile that keeps it that long
	Manual  []string `json:"manual,omitempty"` // profiles that re-read only when an admin refreshes
	Text    string   `json:"text"`             // the same in words
}

// propagation returns the worst case for a document last served with
// cacheControl, over the [validate] servers when the config lists some,
// else over every server profile (SERVERS.md "Cache bounds").
func propagation(cacheControl string, servers []string) *propagationJSON {
	p := validate.PropagationOf(cacheControl, servers)
	return &propagationJSON{Seconds: int64(p.Worst.Seconds()), Server: p.Server, Manual: p.Manual, Text: p.String()}
}

// Package validate implements the rules of a Client ID Metadata Document: the
// client_id URL, the document, its redirect_uris and, for a live URL, how it is
// served (RULES.md §1-4), and the drift between a live copy and a local build.
// The rules are pure functions of values: a URL, bytes and, for serving, a
// [Served] response of status, header and body. So they serve local files,
// live URLs, freshly created documents and check-server alike.
//
// validate is the ground of the import graph: it uses no network (no
// net/http, no resolver; a test holds it to that) and imports no other
// package of cimd. It owns the special-use address table
// ([IsSpecialAddr]) that package fetch refuses by; package live judges a
// live URL with fetch and these rules; the commands sit on top.
package validate

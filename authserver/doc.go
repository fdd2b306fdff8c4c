// Package authserver answers "will this authorization server accept our
// client, and will MCP clients use CIMD there?" for cimd check-server.
//
// It finds the server's metadata the way MCP clients do (RFC 9728 protected
// resource metadata, then RFC 8414 and OpenID Connect discovery), judges the
// server's readiness for a Client ID Metadata Document (the as-* rules of
// RULES.md §6), says for each known MCP client whether it will use CIMD
// there, and builds and classifies the one authorization request of the
// probe.
//
// The package never touches the network itself: every GET goes through
// [Options.Get], which the caller wires to the hardened client of package
// fetch with [GetWith] (special-use addresses refused, redirects not
// followed, bodies capped). Everything else
// is a pure function of URLs, headers and bytes, and nothing here prints.
package authserver

package main

import (
	"context"
	"fmt"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/validate"
)

// placeholderClientID is FastMCP's stand-in when no --client-id is given.
const placeholderClientID = "https://your-domain.com/oauth/client.json"

func runCreate(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "create", `
Usage: cimd create --name NAME --redirect-uri URI [--redirect-uri URI ...]
                   [--client-id URL] [--client-uri URL] [--logo-uri URL]
                   [--scope SCOPE] [-o FILE] [--pretty=false]

Creates a Client ID Metadata Document from flags, with the same flags, defaults
and key order as FastMCP's 'fastmcp auth cimd create': client_id, client_name,
redirect_uris, token_endpoint_auth_method "none", grant_types
["authorization_code"], response_types ["code"], then client_uri, logo_uri and
scope when given. Then it checks the document against the offline rules and
prints the findings on stderr; the document is written either way, and the
exit code is 1 when a finding is an error.

For a document kept in a repository, prefer 'cimd init' and 'cimd build'.
`)
	name := fs.String("name", "", "the client's human-readable `NAME` (client_name), required")
	redirects := fs.StringArray("redirect-uri", nil, "a redirect `URI`; repeat for several, at least one")
	clientID := fs.String("client-id", "", "the `URL` where the document will be hosted (default "+placeholderClientID+")")
	clientURI := fs.String("client-uri", "", "the client's home page `URL`")
	logoURI := fs.String("logo-uri", "", "the client's logo `URL`")
	scope := fs.String("scope", "", "space-separated `SCOPE`s the client asks for")
	output := fs.StringP("output", "o", "", "write to `FILE` (parents created) instead of stdout")
	pretty := fs.Bool("pretty", true, "indent the JSON; --pretty=false prints one line")
	verbose := fs.BoolP("verbose", "v", false, "also show info findings")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usagef("create: --name is required")
	}
	if len(*redirects) == 0 {
		return usagef("create: at least one --redirect-uri is required, e.g. --redirect-uri http://127.0.0.1:8765/callback")
	}
	id := *clientID
	if id == "" {
		id = placeholderClientID
		fmt.Fprintf(s.err, "cimd: no --client-id: using the placeholder %s; replace it with the URL where you will host this document\n", printable(id))
	}
	doc, err := fastMCPDocument(id, *name, *redirects, *pretty,
		build.Member{Name: "client_uri", Value: *clientURI},
		build.Member{Name: "logo_uri", Value: *logoURI},
		build.Member{Name: "scope", Value: *scope})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if *output != "" {
		if err := build.WriteFile(*output, doc); err != nil {
			return fmt.Errorf("create: %w", err)
		}
		fmt.Fprintf(s.err, "cimd: wrote %s; host it at %s with Content-Type: application/json\n", printable(*output), printable(id))
	} else if _, err := s.out.Write(doc); err != nil {
		return err
	}
	return checkCreated(s, id, doc, *verbose)
}

// fastMCPDocument lays the document out as FastMCP's create does: the
// fixed members in its order, then each optional member that is not
// empty.
func fastMCPDocument(id, name string, redirects []string, pretty bool, optional ...build.Member) ([]byte, error) {
	members := []build.Member{
		{Name: "client_id", Value: id},
		{Name: "client_name", Value: name},
		{Name: "redirect_uris", Value: redirects},
		{Name: "token_endpoint_auth_method", Value: "none"},
		{Name: "grant_types", Value: []string{"authorization_code"}},
		{Name: "response_types", Value: []string{"code"}},
	}
	for _, m := range optional {
		if m.Value != "" {
			members = append(members, m)
		}
	}
	if !pretty {
		return build.MarshalCompact(members)
	}
	return build.Marshal(members)
}

// checkCreated prints the offline rules' findings on the created document
// and fails when one is an error; the document is already written.
func checkCreated(s stdio, id string, doc []byte, verbose bool) error {
	findings, _ := validate.Check(id, doc, validate.Options{})
	if f := validate.CheckSize(len(doc)); f != nil {
		findings = append(findings, *f)
	}
	printFindings(s.err, "", findings, verbose, newPainter(s, s.err))
	if countErrors(findings, false) > 0 {
		return errFailed
	}
	return nil
}

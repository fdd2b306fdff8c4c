package main

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/validate"
)

// placeholderClientID is FastMCP's stand-in when no --client-id is given.
const placeholderClientID = "https://your-domain.com/oauth/client.json"

func runCreate(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "create", `
Usage: cimd create --name NAME --redirect-uri URI [--redirect-uri URI ...]
                   [--client-id URL] [--client-uri URL] [--logo-uri URL]
                   [--scope SCOPE] [--application-type native|web]
                   [--loopback-port PORT ...] [-o FILE] [--pretty=false]

Creates a Client ID Metadata Document from flags, with the same flags, defaults
and key order as FastMCP's 'fastmcp auth cimd create': client_id, client_name,
redirect_uris, token_endpoint_auth_method "none", grant_types
["authorization_code"], response_types ["code"], then client_uri, logo_uri and
scope when given (and application_type, which FastMCP does not have).
--loopback-port adds, after the given URIs, the same URI with that port for
each port-less loopback --redirect-uri (http://127.0.0.1/callback): servers
that match exactly (Auth0, Keycloak) accept only the port the client binds.
Then it checks the document against the offline rules and
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
	appType := fs.String("application-type", "", "`native` (desktop and CLI apps, loopback redirects) or web")
	loopPorts := fs.IntSlice("loopback-port", nil, "a fixed `PORT` the client binds: adds it to each port-less loopback redirect URI; repeat for several")
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
	switch *appType {
	case "", "native", "web":
	default:
		return usagef("create: --application-type must be native or web, not %q", *appType)
	}
	uris, err := withLoopbackPorts(*redirects, *loopPorts)
	if err != nil {
		return err
	}
	id := *clientID
	if id == "" {
		id = placeholderClientID
		fmt.Fprintf(s.err, "cimd: no --client-id: using the placeholder %s; replace it with the URL where you will host this document\n", printable(id))
	}
	doc, err := fastMCPDocument(id, *name, uris, *pretty,
		build.Member{Name: "client_uri", Value: *clientURI},
		build.Member{Name: "logo_uri", Value: *logoURI},
		build.Member{Name: "scope", Value: *scope},
		build.Member{Name: "application_type", Value: *appType})
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

// withLoopbackPorts returns uris followed by, for each port-less http
// loopback URI among them and each port in order, the URI with that port,
// leaving out duplicates.
func withLoopbackPorts(uris []string, ports []int) ([]string, error) {
	if len(ports) == 0 {
		return uris, nil
	}
	for _, p := range ports {
		if p < 1 || p > 65535 {
			return nil, usagef("create: --loopback-port %d is not in 1-65535", p)
		}
	}
	out := slices.Clone(uris)
	found := false
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "http" || u.User != nil || u.Port() != "" || strings.HasSuffix(u.Host, ":") || !loopbackName(u.Hostname()) {
			continue
		}
		at := len("http://") + len(u.Host)
		if !strings.HasPrefix(raw, "http://"+u.Host) {
			continue // written in another case or form: leave it alone
		}
		found = true
		for _, p := range ports {
			if twin := raw[:at] + ":" + strconv.Itoa(p) + raw[at:]; !slices.Contains(out, twin) {
				out = append(out, twin)
			}
		}
	}
	if !found {
		return nil, usagef("create: --loopback-port adds a port to a port-less loopback --redirect-uri, such as http://127.0.0.1/callback, and none was given")
	}
	return out, nil
}

// loopbackName reports whether host is localhost, in 127.0.0.0/8 or ::1.
func loopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && (a.Is4() && a.IsLoopback() || a == netip.IPv6Loopback())
}

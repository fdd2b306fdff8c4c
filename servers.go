package main

import (
	"fmt"
	"iter"
	"slices"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// checkServerNames refuses a [validate] servers entry that names no profile,
// at its line, before any command renders a document.
func checkServerNames(f *config.File, cfgs iter.Seq[*config.Config]) error {
	for c := range cfgs {
		if _, err := validate.ParseServers(c.Validate.Servers); err != nil {
			at := f.Path
			if line := f.Line(c.Env, "validate", "servers"); line > 0 {
				at = fmt.Sprintf("%s:%d", f.Path, line)
			}
			return usagef("%s: validate.servers: %v", at, err)
		}
	}
	return nil
}

// serverFindings evaluates every server profile on a document and returns
// the results, and the findings of the listed servers that count (errors
// and warnings), which join the target's own: a server the client must work
// with fails the check when it would refuse the document.
func serverFindings(url string, doc map[string]any, http *validate.HTTPInfo, servers, redirects []string) ([]validate.ServerResult, []validate.Finding) {
	rs := validate.Compatibility(url, doc, validate.CompatOptions{Servers: servers, RedirectURIs: redirects, HTTP: http})
	return rs, listedFindings(rs, servers)
}

// listedFindings returns the findings of rs that count for the listed
// servers: their errors and warnings.
func listedFindings(rs []validate.ServerResult, servers []string) []validate.Finding {
	var listed []validate.Finding
	for _, r := range rs {
		for _, f := range r.Findings {
			if f.Severity != validate.Info && slices.Contains(servers, r.Server) {
				listed = append(listed, f)
			}
		}
	}
	return listed
}

// addCompatibility evaluates the server profiles on a validate result and
// judges it again with the listed servers' findings. A target that was
// never read (a failed fetch) has no document to judge and is left alone.
func addCompatibility(r *validate.Result, servers, redirects []string, strict bool) {
	if r.Body == nil {
		return
	}
	var listed []validate.Finding
	r.Compatibility, listed = serverFindings(r.URL, r.Document, r.HTTP, servers, redirects)
	r.Findings = append(r.Findings, listed...)
	r.Judge(strict)
}

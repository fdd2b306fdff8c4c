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

// listedFindings returns the findings of vs that count for the listed
// servers: their errors and warnings.
func listedFindings(vs *validate.Verdicts, servers []string) []validate.Finding {
	var listed []validate.Finding
	for i := range vs.Len() {
		r := vs.At(i)
		for _, f := range r.Findings {
			if f.Severity != validate.Info && slices.Contains(servers, r.Server) {
				listed = append(listed, f)
			}
		}
	}
	return listed
}

// addCompatibility evaluates the server profiles on a validate result,
// unless the live check did (live.Options.Compat, with the same servers
// and redirects), and judges it again with the listed servers' findings. A
// target that was never read (a failed fetch) has no document to judge and
// is left alone.
func addCompatibility(r *validate.Result, servers, redirects []string, strict bool) {
	if r.Body == nil {
		return
	}
	if r.Compatibility.IsZero() {
		r.Compatibility = validate.Compatibility(r.URL, r.Document, validate.CompatOptions{Servers: servers, RedirectURIs: redirects, HTTP: r.HTTP})
	}
	addListed(r, servers, strict)
}

// addListed judges a result that has its Compatibility again, with the
// listed servers' findings.
func addListed(r *validate.Result, servers []string, strict bool) {
	r.Findings = append(r.Findings, listedFindings(&r.Compatibility, servers)...)
	r.Judge(strict)
}

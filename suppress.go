package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// This file applies the [[suppress]] entries of cimd.toml: a finding an
// entry in force covers is set aside, reported as suppressed (in --sarif,
// --json and a count in the text) and not counted; an entry whose expires
// date has come is itself a warning, suppress-expired.

// suppressedFinding is a finding an entry set aside, with the entry's
// reason and line.
type suppressedFinding struct {
	validate.Finding
	Reason string `json:"reason"`
	Line   int    `json:"-"`
}

// checkSuppressions refuses [[suppress]] entries naming a rule code that
// docs/rules.md does not document: a configuration error at the rule's line.
func checkSuppressions(f *config.File) error {
	docs := ruleDocs()
	var errs []error
	for _, s := range f.Suppressions() {
		ok, near := knownRule(docs, s.Rule)
		if ok {
			continue
		}
		msg := fmt.Sprintf("unknown rule code %q (the codes are in docs/rules.md)", s.Rule)
		if near != "" {
			msg = fmt.Sprintf("unknown rule code %q; did you mean %s?", s.Rule, near)
		}
		errs = append(errs, &config.Error{File: f.Path, Line: s.RuleLine, Col: s.RuleCol, Key: s.Key + ".rule", Msg: msg})
	}
	return errors.Join(errs...)
}

// suppressor holds a file's entries in force and the warnings of those that
// have expired. It is only read once made, so the environments of one
// publish may share it.
type suppressor struct {
	active  []config.Suppression
	expired []validate.Finding
}

// newSuppressor sorts f's entries on the day of now; f may be nil (no
// config: nothing is suppressed).
func newSuppressor(f *config.File, now time.Time) *suppressor {
	s := &suppressor{}
	if f == nil {
		return s
	}
	for _, e := range f.Suppressions() {
		if !e.Expired(now) {
			s.active = append(s.active, e)
			continue
		}
		s.expired = append(s.expired, validate.Finding{
			Rule: "suppress-expired", Severity: validate.Warning, Field: e.Key,
			Message: fmt.Sprintf("the suppression of %s expired on %s (%s): its findings count again; fix them and delete the entry, or set a new expires",
				e.Rule, e.Expires.Format(time.DateOnly), e.Reason),
		})
	}
	return s
}

// apply splits findings into those that count and those an entry in force
// covers. With first (the run's first result) it also adds the
// suppress-expired warnings, so that a run over several environments says
// each once, and on the same one however they are scheduled.
func (s *suppressor) apply(findings []validate.Finding, first bool) ([]validate.Finding, []suppressedFinding) {
	if s == nil {
		return findings, nil
	}
	if first && len(s.expired) > 0 {
		findings = append(append([]validate.Finding{}, findings...), s.expired...)
	}
	if len(s.active) == 0 {
		return findings, nil
	}
	var kept []validate.Finding
	var hidden []suppressedFinding
	for _, f := range findings {
		if e, ok := s.match(f); ok {
			hidden = append(hidden, suppressedFinding{Finding: f, Reason: e.Reason, Line: e.Line})
			continue
		}
		kept = append(kept, f)
	}
	return kept, hidden
}

// match returns the first entry in force that covers f: same rule, and the
// entry's field empty, equal to f's, or a path prefix of it (redirect_uris
// covers redirect_uris[1]).
func (s *suppressor) match(f validate.Finding) (config.Suppression, bool) {
	for _, e := range s.active {
		if e.Rule != f.Rule {
			continue
		}
		if e.Field == "" || e.Field == f.Field {
			return e, true
		}
		if rest, ok := strings.CutPrefix(f.Field, e.Field); ok && (rest[0] == '.' || rest[0] == '[') {
			return e, true
		}
	}
	return config.Suppression{}, false
}

// ignores reports whether an entry in force covers f; a live check's poll
// (live.Options.Ignore) neither waits for such a finding nor stops at it.
func (s *suppressor) ignores(f validate.Finding) bool {
	_, ok := s.match(f)
	return ok
}

// noteSuppressed says on w how many findings were suppressed, if any.
func noteSuppressed(w io.Writer, n int, file string) {
	if n > 0 {
		fmt.Fprintf(w, "cimd: %s suppressed by [[suppress]] in %s\n", plural(n, "finding"), printable(file))
	}
}

// finishSARIF ends build's and publish's run in config mode: it says that
// file's [[suppress]] set aside n findings (not with --json or --quiet) and
// writes --sarif when it is given.
func finishSARIF(s stdio, of outputFlags, file string, n int, targets []sarifTarget) error {
	if !of.json && !of.quiet {
		noteSuppressed(s.err, n, file)
	}
	if of.sarif == "" {
		return nil
	}
	return writeSARIF(s, of.sarif, targets...)
}

// validateSARIF writes validate's --sarif: config-mode results at their
// cimd.toml lines, FILE targets at the file, URL targets at the URL.
func validateSARIF(s stdio, path string, results []validate.Result, origins []origin, hidden [][]suppressedFinding) error {
	targets := make([]sarifTarget, len(results))
	for i, r := range results {
		t := sarifTarget{Origin: origins[i], URL: r.URL, Findings: r.Findings, Suppressed: hidden[i]}
		if origins[i].file == nil && !isURLTarget(r.Target) && r.Target != "-" {
			t.File = r.Target
		}
		if t.URL == "" && t.File == "" && t.Origin.file == nil {
			t.File = "-" // standard input without a URL
		}
		targets[i] = t
	}
	return writeSARIF(s, path, targets...)
}

func countSuppressed(hidden [][]suppressedFinding) int {
	n := 0
	for _, h := range hidden {
		n += len(h)
	}
	return n
}

// suppressChecks applies the config's entries to check-server's results of
// config mode and judges them again.
func suppressChecks(results []checkResult, strict bool) {
	var sup *suppressor
	for i := range results {
		r := &results[i]
		if r.file == nil {
			continue
		}
		first := sup == nil
		if first {
			sup = newSuppressor(r.file, time.Now())
		}
		r.Findings, r.Suppressed = sup.apply(r.Findings, first)
		r.Judge(strict)
	}
}

package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// This file writes --sarif: a SARIF 2.1.0 log of the findings of one run,
// for GitHub code scanning and other SARIF readers. Every rule's text comes
// from docs/rules.md, the one place rules are explained.

//go:embed docs/rules.md
var rulesDoc string

// rulesURL is where docs/rules.md is read on the web; each rule code has an
// anchor of its own there.
const rulesURL = "https://github.com/cimd-dev/cimd/blob/main/docs/rules.md"

// sarifTarget is one checked thing and its findings, as --sarif reports
// them. Findings with an origin (a cimd.toml and environment) are located at
// the cimd.toml line of the key that produced them; the others at File (a
// FILE target) or else at URL.
type sarifTarget struct {
	Origin     origin
	URL        string // the client_id or fetched URL, if any
	File       string // a FILE target's path, if any
	Findings   []validate.Finding
	Suppressed []suppressedFinding
}

// ruleDoc is what docs/rules.md says about one rule code.
type ruleDoc struct {
	severity, when, fix, source string
}

// ruleDocs reads the rule tables of docs/rules.md: every row whose first
// cell is an anchored code, `<a id="CODE"></a>` followed by `CODE`.
func ruleDocs() map[string]ruleDoc {
	docs := map[string]ruleDoc{}
	for line := range strings.SplitSeq(rulesDoc, "\n") {
		rest, ok := strings.CutPrefix(line, `| <a id="`)
		if !ok {
			continue
		}
		code, rest, ok := strings.Cut(rest, `"></a>`)
		if !ok {
			continue
		}
		cells := strings.Split(rest, " | ")
		if len(cells) < 5 {
			continue
		}
		docs[code] = ruleDoc{severity: cells[1], when: cells[2], fix: cells[3], source: strings.TrimSuffix(cells[4], " |")}
	}
	return docs
}

// knownRule reports whether code is a rule docs/rules.md documents, and
// else the nearest code, for a "did you mean".
func knownRule(docs map[string]ruleDoc, code string) (bool, string) {
	if _, ok := docs[code]; ok {
		return true, ""
	}
	best, bestD := "", 4
	for _, c := range slices.Sorted(maps.Keys(docs)) {
		if d := config.EditDistance(code, c); d < bestD {
			best, bestD = c, d
		}
	}
	return false, best
}

// plainText drops the Markdown emphasis and code marks of docs/rules.md.
func plainText(md string) string {
	return strings.NewReplacer("`", "", "**", "").Replace(md)
}

// firstSentence is the text up to the first full stop that ends a sentence.
func firstSentence(s string) string {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && !strings.HasSuffix(s[:i], "e.g") && !strings.HasSuffix(s[:i], "i.e") {
			return s[:i+1]
		}
	}
	return s
}

// SARIF 2.1.0, the subset cimd writes.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		Results    []sarifResult `json:"results"`
		ColumnKind string        `json:"columnKind"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID               string         `json:"id"`
		ShortDescription *sarifMessage  `json:"shortDescription,omitempty"`
		FullDescription  *sarifMessage  `json:"fullDescription,omitempty"`
		Help             *sarifMessage  `json:"help,omitempty"`
		HelpURI          string         `json:"helpUri,omitempty"`
		Properties       map[string]any `json:"properties,omitempty"`
	}
	sarifMessage struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown,omitempty"`
	}
	sarifResult struct {
		RuleID              string             `json:"ruleId"`
		RuleIndex           int                `json:"ruleIndex"`
		Level               string             `json:"level"`
		Message             sarifMessage       `json:"message"`
		Locations           []sarifLocation    `json:"locations"`
		PartialFingerprints map[string]string  `json:"partialFingerprints"`
		Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
		Properties          map[string]string  `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           *sarifRegion  `json:"region,omitempty"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine int `json:"startLine"`
	}
	sarifSuppression struct {
		Kind          string         `json:"kind"`
		Justification string         `json:"justification"`
		Location      *sarifLocation `json:"location,omitempty"`
	}
)

// sarifSchema is the schema a SARIF 2.1.0 log names.
const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// writeSARIF writes one SARIF 2.1.0 log of targets to path, atomically (a
// reader sees the old file or the new one, never a part), for build,
// validate, publish and check-server alike. Relative config paths are
// written relative to $GITHUB_WORKSPACE when cimd runs there, as code
// scanning resolves them against the repository root. Nothing from the
// environment but that path goes in.
func writeSARIF(s stdio, path string, targets ...sarifTarget) error {
	data, err := sarifBytes(s.getenv("GITHUB_WORKSPACE"), targets)
	if err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	if err := build.WriteFile(path, data); err != nil {
		return fmt.Errorf("sarif: %w", err)
	}
	return nil
}

// sarifBytes renders the log: one run, one rule per rule code that has a
// result (in code order), one result per finding (suppressed ones with their
// suppression), in the order of targets.
func sarifBytes(workspace string, targets []sarifTarget) ([]byte, error) {
	docs := ruleDocs()
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "cimd", Version: strings.TrimPrefix(userAgent(), "cimd/"),
			InformationURI: "https://github.com/cimd-dev/cimd", Rules: []sarifRule{},
		}},
		Results:    []sarifResult{},
		ColumnKind: "unicodeCodePoints",
	}
	index := map[string]int{}
	var codes []string
	see := func(code string) {
		if _, ok := index[code]; !ok {
			index[code] = 0
			codes = append(codes, code)
		}
	}
	for _, t := range targets {
		for _, f := range t.Findings {
			see(f.Rule)
		}
		for _, f := range t.Suppressed {
			see(f.Rule)
		}
	}
	slices.Sort(codes)
	for i, code := range codes {
		index[code] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(code, docs))
	}
	cache := newLocator(workspace)
	for _, t := range targets {
		for _, f := range t.Findings {
			run.Results = append(run.Results, cache.result(t, f, index[f.Rule]))
		}
		for _, sf := range t.Suppressed {
			r := cache.result(t, sf.Finding, index[sf.Rule])
			sup := sarifSuppression{Kind: "inSource", Justification: sf.Reason}
			if t.Origin.file != nil && sf.Line > 0 {
				sup.Location = &sarifLocation{sarifPhysical{sarifArtifact{cache.fileURI(t.Origin.file.Path)}, &sarifRegion{sf.Line}}}
			}
			r.Suppressions = []sarifSuppression{sup}
			run.Results = append(run.Results, r)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// sarifRuleOf describes code from docs/rules.md; a code the page does not
// document gets its id alone.
func sarifRuleOf(code string, docs map[string]ruleDoc) sarifRule {
	d, ok := docs[code]
	if !ok {
		return sarifRule{ID: code, ShortDescription: &sarifMessage{Text: code}}
	}
	help := fmt.Sprintf("Severity: %s. Fix: %s Source: %s.", d.severity, d.fix, d.source)
	return sarifRule{
		ID:               code,
		ShortDescription: &sarifMessage{Text: plainText(firstSentence(d.when))},
		FullDescription:  &sarifMessage{Text: plainText(d.when), Markdown: d.when},
		Help:             &sarifMessage{Text: plainText(help), Markdown: help},
		HelpURI:          rulesURL + "#" + code,
	}
}

// locator turns findings into located results; it remembers each file's
// URI so that n findings cost n lookups in one key index, not n scans.
type locator struct {
	workspace string
	uris      map[string]string
}

func newLocator(workspace string) *locator {
	return &locator{workspace: workspace, uris: map[string]string{}}
}

// fileURI is the URI of a local file: relative to the workspace when it is
// inside it, else relative as given, else a file: URI.
func (l *locator) fileURI(path string) string {
	if u, ok := l.uris[path]; ok {
		return u
	}
	p := path
	if l.workspace != "" {
		if abs, err := filepath.Abs(p); err == nil {
			if rel, err := filepath.Rel(l.workspace, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				p = rel
			}
		}
	}
	u := (&url.URL{Path: filepath.ToSlash(p)}).String()
	if filepath.IsAbs(p) {
		u = (&url.URL{Scheme: "file", Path: filepath.ToSlash(p)}).String()
	}
	l.uris[path] = u
	return u
}

// result is one finding of t as a SARIF result.
func (l *locator) result(t sarifTarget, f validate.Finding, ruleIndex int) sarifResult {
	level := "note"
	switch f.Severity {
	case validate.Error:
		level = "error"
	case validate.Warning:
		level = "warning"
	}
	props := map[string]string{}
	msg := f.Message
	if f.Field != "" {
		msg = f.Field + ": " + msg
		props["field"] = f.Field
	}
	if t.Origin.env != "" {
		msg = "[" + t.Origin.env + "] " + msg
		props["env"] = t.Origin.env
	}
	if f.Server != "" {
		props["server"] = f.Server
	}
	u := withoutUserinfo(t.URL)
	if u != "" {
		props["url"] = u
	}
	var loc sarifPhysical
	where := u
	switch {
	case t.Origin.file != nil:
		where = t.Origin.file.Path
		loc.ArtifactLocation.URI = l.fileURI(where)
		// A key the file does not set (a default) is located at the
		// nearest table that holds it, [client] for client.application_type.
		for k := sarifKey(f); len(k) > 0; k = k[:len(k)-1] {
			if line := t.Origin.file.Line(t.Origin.env, k...); line > 0 {
				loc.Region = &sarifRegion{line}
				break
			}
		}
	case t.File != "":
		where = t.File
		loc.ArtifactLocation.URI = l.fileURI(t.File)
	default:
		loc.ArtifactLocation.URI = u
	}
	sum := sha256.Sum256([]byte(strings.Join([]string{where, t.Origin.env, u, f.Rule, f.Field, f.Server}, "\x00")))
	return sarifResult{
		RuleID: f.Rule, RuleIndex: ruleIndex, Level: level,
		Message:             sarifMessage{Text: printable(msg)},
		Locations:           []sarifLocation{{loc}},
		PartialFingerprints: map[string]string{"cimdFinding/v1": hex.EncodeToString(sum[:16])},
		Properties:          props,
	}
}

// sarifKey is the cimd.toml key a finding of the built document is located
// at: configKey's, and for what is about serving the URL (no key of its
// own) the path that makes the URL, for drift the [client] table, for the
// served JWK Set [client.keys].
func sarifKey(f validate.Finding) []string {
	if strings.HasPrefix(f.Rule, "as-") {
		// check-server's readiness rules are about a server of [check].
		return []string{"check", "servers"}
	}
	if k := configKey(f); k != nil {
		return k
	}
	switch {
	case f.Rule == "live-drift":
		return []string{"client"}
	case strings.HasPrefix(f.Rule, "jwks-") || f.Field == "jwks_uri":
		// the JWK Set served beside the document, from [client.keys]
		return []string{"client", "keys"}
	}
	return []string{"path"}
}

// withoutUserinfo drops a user:password@ part from a URL's authority: the
// log is uploaded, and a password typed into a URL target must not go with
// it (url-userinfo has already said it is there).
func withoutUserinfo(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	authority, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		return scheme + "://" + authority[i+1:] + path
	}
	return u
}

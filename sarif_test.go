package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

func loadForTest(t *testing.T, path string) (*config.File, []*config.Config) {
	t.Helper()
	f, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	cfgs, err := f.Select("", true)
	if err != nil {
		t.Fatal(err)
	}
	return f, cfgs
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The official SARIF 2.1.0 schema (OASIS, errata 01), committed so that no
// test fetches it; every SARIF log a test writes is checked against it.
const (
	sarifSchemaFile = "testdata/sarif/sarif-schema-2.1.0.json"
	sarifSchemaID   = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

var sarifSchemaOnce = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat() // uri and uri-reference values are checked too
	if err := c.AddResource(sarifSchemaID, doc); err != nil {
		return nil, err
	}
	return c.Compile(sarifSchemaID)
})

// fataler is what *testing.T and testscript.T share.
type fataler interface{ Fatal(args ...any) }

// checkSARIF fails unless data is a SARIF 2.1.0 log the schema accepts.
func checkSARIF(t fataler, name string, data []byte) {
	sch, err := sarifSchemaOnce()
	if err != nil {
		t.Fatal("SARIF schema: " + err.Error())
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(name + ": not JSON: " + err.Error())
	}
	if err := sch.Validate(v); err != nil {
		t.Fatal(name + ": not valid SARIF 2.1.0: " + err.Error())
	}
}

// checkSARIFFiles checks every *.sarif file under dir: the stories call it
// when they end, so no SARIF a story writes goes unchecked.
func checkSARIFFiles(t fataler, dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sarif") {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err.Error())
			}
			checkSARIF(t, p, data)
		}
		return nil
	})
}

// readSARIF checks the log at path and decodes it.
func readSARIF(t *testing.T, path string) sarifLog {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSARIF(t, path, data)
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	return log
}

// TestSARIFSchemaRejects proves the schema check can fail: a log without
// version, and one whose result has no message, are refused.
func TestSARIFSchemaRejects(t *testing.T) {
	sch, err := sarifSchemaOnce()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "cimd"}}, "results": [{"ruleId": "x"}]}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "cimd", "informationUri": "not a uri"}}}]}`,
	} {
		v, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if sch.Validate(v) == nil {
			t.Errorf("schema accepts %s; want an error", bad)
		}
	}
}

// TestRuleDocs checks that docs/rules.md gives every rule code text and an
// anchor, which the SARIF rules and the suppress check rely on.
func TestRuleDocs(t *testing.T) {
	docs := ruleDocs()
	if len(docs) < 55 {
		t.Fatalf("ruleDocs() found %d rules in docs/rules.md; want every rule table row (at least 55)", len(docs))
	}
	for _, code := range []string{"url-invalid", "doc-client-name-missing", "redirect-wildcard", "http-cache-control", "live-drift", "suppress-expired"} {
		d, ok := docs[code]
		if !ok || d.severity == "" || d.when == "" || d.fix == "" || d.source == "" {
			t.Errorf("docs[%q] = %+v, %v; want every column", code, d, ok)
		}
		if !strings.Contains(rulesDoc, `<a id="`+code+`"></a>`) {
			t.Errorf("docs/rules.md has no anchor for %s", code)
		}
	}
	for code, d := range docs {
		if strings.HasSuffix(d.source, "|") || strings.Contains(d.when, " | ") {
			t.Errorf("docs[%q] split badly: %+v", code, d)
		}
	}
	// A rule row added without its anchor would lose its SARIF text and
	// could not be suppressed.
	bare := regexp.MustCompile("(?m)^\\| `[a-z0-9]+(-[a-z0-9]+)+` \\|")
	for _, row := range bare.FindAllString(rulesDoc, -1) {
		// A second row of a code anchored already (a rule that also
		// applies elsewhere) keeps the first row's anchor: ids are unique.
		code := strings.Trim(row, "| `")
		if _, ok := docs[code]; !ok {
			t.Errorf("docs/rules.md: rule row %q has no anchor; start it with <a id=\"CODE\"></a>", row)
		}
	}
	if ok, near := knownRule(docs, "url-lenght"); ok || near != "url-length" {
		t.Errorf(`knownRule("url-lenght") = %v, %q; want false, "url-length"`, ok, near)
	}
}

// TestSARIFLog writes a log of every kind of target and checks it against
// the schema and for what code scanning shows: rule text, levels,
// locations, suppressions.
func TestSARIFLog(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cimd.toml")
	os.WriteFile(cfg, []byte(`host = "app.example.com"
path = "/oauth/client.json"

[client]
client_name = "Example"
redirect_uris = ["http://127.0.0.1/callback"]

[env.staging]
host = "staging.example.com"

[[suppress]]
rule = "redirect-loopback-portless"
reason = "RFC 8252 servers only"
expires = 2099-01-01
`), 0o644)
	file, cfgs := loadForTest(t, cfg)
	if len(cfgs) != 2 {
		t.Fatalf("%d configs; want 2", len(cfgs))
	}
	sup := newSuppressor(file, mustDate(t, "2026-12-01"))
	kept, hidden := sup.apply([]validate.Finding{
		{Rule: "redirect-loopback-portless", Severity: validate.Warning, Field: "redirect_uris[0]", Message: "no port"},
		{Rule: "http-status", Severity: validate.Error, Message: "404"},
		{Rule: "doc-application-type", Severity: validate.Warning, Field: "application_type", Message: "not native"},
	}, false)
	if len(kept) != 2 || len(hidden) != 1 || hidden[0].Reason != "RFC 8252 servers only" || hidden[0].Line != 11 {
		t.Fatalf("apply = %v, %+v; want 2 kept and the loopback finding suppressed by the entry at line 11", kept, hidden)
	}
	out := filepath.Join(dir, "out", "cimd.sarif")
	// Under GitHub Actions a config inside the workspace is named relative
	// to it, as code scanning resolves paths against the repository root.
	env := func(k string) string {
		if k == "GITHUB_WORKSPACE" {
			return dir
		}
		return ""
	}
	err := writeSARIF(stdio{getenv: env}, out,
		sarifTarget{Origin: origin{file, "staging"}, URL: "https://staging.example.com/oauth/client.json", Findings: kept, Suppressed: hidden},
		sarifTarget{URL: "https://other.example.com/c.json", Findings: []validate.Finding{{Rule: "server-url-query", Severity: validate.Info, Message: "not in docs"}}},
		sarifTarget{File: "docs/client.json", Findings: []validate.Finding{{Rule: "url-port", Severity: validate.Warning, Message: ":443"}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	log := readSARIF(t, out)
	run := log.Runs[0]
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	if got, want := strings.Join(ids, " "), "doc-application-type http-status redirect-loopback-portless server-url-query url-port"; got != want {
		t.Errorf("rules = %s; want %s (one per code, sorted)", got, want)
	}
	status := run.Tool.Driver.Rules[1]
	if status.HelpURI != rulesURL+"#http-status" || !strings.HasPrefix(status.ShortDescription.Text, "Any status but 200") || !strings.Contains(status.Help.Text, "Fix: Deploy the file") {
		t.Errorf("http-status rule = %+v; want its docs/rules.md text and anchor", status)
	}
	if len(run.Results) != 5 {
		t.Fatalf("%d results; want 5", len(run.Results))
	}
	type want struct {
		rule, level, uri string
		line             int
		suppressed       bool
	}
	wants := []want{
		{"http-status", "error", "cimd.toml", 2, false},            // serving: at path, which staging inherits
		{"doc-application-type", "warning", "cimd.toml", 4, false}, // not set: the [client] table
		{"redirect-loopback-portless", "warning", "cimd.toml", 6, true},
		{"server-url-query", "note", "https://other.example.com/c.json", 0, false},
		{"url-port", "warning", "docs/client.json", 0, false},
	}
	for i, w := range wants {
		r := run.Results[i]
		loc := r.Locations[0].PhysicalLocation
		line := 0
		if loc.Region != nil {
			line = loc.Region.StartLine
		}
		if r.RuleID != w.rule || r.Level != w.level || loc.ArtifactLocation.URI != w.uri || line != w.line || (len(r.Suppressions) > 0) != w.suppressed {
			t.Errorf("result %d = %s %s at %s:%d suppressed %v; want %s %s at %s:%d suppressed %v",
				i, r.RuleID, r.Level, loc.ArtifactLocation.URI, line, len(r.Suppressions) > 0, w.rule, w.level, w.uri, w.line, w.suppressed)
		}
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %d: ruleIndex %d is %s; want %s", i, r.RuleIndex, run.Tool.Driver.Rules[r.RuleIndex].ID, r.RuleID)
		}
	}
	if s := run.Results[2].Suppressions[0]; s.Kind != "inSource" || s.Justification != "RFC 8252 servers only" {
		t.Errorf("suppression = %+v; want inSource with the reason", s)
	}
	if !strings.HasPrefix(run.Results[0].Message.Text, "[staging] ") {
		t.Errorf("message %q; want the environment named", run.Results[0].Message.Text)
	}
}

// BenchmarkSARIF writes the log of a config with n environments and one
// warning each, located at each environment's own host line: the time per
// finding must stay flat from 100 to 10000 (linear in all).
func BenchmarkSARIF(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("findings=%d", n), func(b *testing.B) {
			var src strings.Builder
			src.WriteString("host = \"app.example.com\"\npath = \"/oauth/client.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"http://127.0.0.1:8765/cb\"]\n")
			for i := range n {
				fmt.Fprintf(&src, "[env.e%d]\nhost = \"e%d.example.com:8443\"\n", i, i)
			}
			path := filepath.Join(b.TempDir(), "cimd.toml")
			if err := os.WriteFile(path, []byte(src.String()), 0o644); err != nil {
				b.Fatal(err)
			}
			f, err := config.Load(path)
			if err != nil {
				b.Fatal(err)
			}
			targets := make([]sarifTarget, n)
			for i := range n {
				env := fmt.Sprintf("e%d", i)
				targets[i] = sarifTarget{Origin: origin{f, env}, URL: "https://" + env + ".example.com:8443/oauth/client.json",
					Findings: []validate.Finding{{Rule: "url-port", Severity: validate.Warning, Message: `the client_id URL has an explicit port ":8443"`}}}
			}
			b.ResetTimer()
			for b.Loop() {
				data, err := sarifBytes("", targets)
				if err != nil || len(data) == 0 {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/finding")
		})
	}
}

func TestWithoutUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@app.example.com/c.json": "https://app.example.com/c.json",
		"https://@app.example.com/c.json?a=b@c":      "https://app.example.com/c.json?a=b@c",
		"https://app.example.com/@me/c.json":         "https://app.example.com/@me/c.json",
		"not a url":                                  "not a url",
	} {
		if got := withoutUserinfo(in); got != want {
			t.Errorf("withoutUserinfo(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestSARIFKey(t *testing.T) {
	for _, tt := range []struct {
		f    validate.Finding
		want string
	}{
		{validate.Finding{Rule: "http-status"}, "path"},
		{validate.Finding{Rule: "live-drift"}, "client"},
		{validate.Finding{Rule: "jwks-drift", Field: "jwks_uri"}, "client.keys"},
		{validate.Finding{Rule: "doc-private-key", Field: "jwks_uri"}, "client.keys"},
		{validate.Finding{Rule: "url-port"}, "host"},
		{validate.Finding{Rule: "as-cimd-unsupported"}, "check.servers"},
		{validate.Finding{Rule: "redirect-http", Field: "redirect_uris[1]"}, "client.redirect_uris"},
		{validate.Finding{Rule: "suppress-expired", Field: "suppress[2]"}, "suppress.[2]"},
	} {
		if got := strings.Join(sarifKey(tt.f), "."); got != tt.want {
			t.Errorf("sarifKey(%s %s) = %s; want %s", tt.f.Rule, tt.f.Field, got, tt.want)
		}
	}
}

// TestSARIFServerFindings: the same breach at two servers is two results
// that code scanning keeps apart (their fingerprints differ), each naming
// its server.
func TestSARIFServerFindings(t *testing.T) {
	data, err := sarifBytes("", []sarifTarget{{URL: "https://app.example.com/c.json?v=1", Findings: []validate.Finding{
		{Rule: "server-url-query", Severity: validate.Error, Server: "auth0", Message: "auth0 refuses"},
		{Rule: "server-url-query", Severity: validate.Error, Server: "keycloak", Message: "keycloak refuses"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	checkSARIF(t, "server findings", data)
	var log sarifLog
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	rs := log.Runs[0].Results
	if len(rs) != 2 || rs[0].Properties["server"] != "auth0" || rs[1].Properties["server"] != "keycloak" ||
		rs[0].PartialFingerprints["cimdFinding/v1"] == rs[1].PartialFingerprints["cimdFinding/v1"] {
		t.Errorf("results = %+v; want two, naming auth0 and keycloak, with different fingerprints", rs)
	}
	if r := log.Runs[0].Tool.Driver.Rules; len(r) != 1 || r[0].HelpURI != rulesURL+"#server-url-query" {
		t.Errorf("rules = %+v; want server-url-query once, with its anchor", r)
	}
}

// TestEveryRuleDocumented finds the rule codes written in the code (string
// literals of the rule families, outside tests) and requires each to have
// its anchored row in docs/rules.md: else its SARIF rule has no text and a
// [[suppress]] entry naming it is refused.
func TestEveryRuleDocumented(t *testing.T) {
	docs := ruleDocs()
	code := regexp.MustCompile(`"((?:url|doc|redirect|http|jwks|live|as|server|suppress)-[a-z0-9-]*[a-z0-9])"`)
	notRules := map[string]bool{
		"redirect-uri": true, // a flag name
		// change kinds of validate.Impact (publish --dry-run), not findings
		"redirect-removed": true, "redirect-added": true,
	}
	seen := 0
	filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "tools" || d.Name() == "internal") && p != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllStringSubmatch(string(src), -1) {
			if notRules[m[1]] {
				continue
			}
			seen++
			if _, ok := docs[m[1]]; !ok {
				t.Errorf("%s: rule code %q has no anchored row in docs/rules.md", p, m[1])
			}
		}
		return nil
	})
	if seen < 50 {
		t.Errorf("found %d rule codes in the code; the scan is broken", seen)
	}
}

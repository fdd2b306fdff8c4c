package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// github reports to GitHub Actions when GITHUB_ACTIONS=true: every error and
// warning finding also as a workflow command (an annotation on the run, and
// on the cimd.toml line when the finding comes from a config key), and a
// Markdown table appended to $GITHUB_STEP_SUMMARY when that is set.
//
// Workflow commands go to stderr: the runner reads commands from both
// streams, and stdout stays clean for --json.
type github struct {
	on      bool
	w       io.Writer
	summary string
}

func newGitHub(s stdio) github {
	return github{on: s.getenv("GITHUB_ACTIONS") == "true", w: s.err, summary: s.getenv("GITHUB_STEP_SUMMARY")}
}

// origin says where a result's findings come from: a config file and
// environment, or nothing for a URL or file target.
type origin struct {
	file *config.File
	env  string
}

// annotate prints one workflow command per error or warning finding.
func (g github) annotate(findings []validate.Finding, o origin) {
	if !g.on {
		return
	}
	for _, f := range findings {
		level := "error"
		switch f.Severity {
		case validate.Error:
		case validate.Warning:
			level = "warning"
		default:
			continue
		}
		props := ""
		if o.file != nil {
			props = "file=" + escapeProperty(o.file.Path) + ","
			if line := o.file.Line(o.env, configKey(f)...); line > 0 {
				props += fmt.Sprintf("line=%d,", line)
			}
		}
		props += "title=" + escapeProperty("cimd "+f.Rule)
		msg := f.Message
		if f.Field != "" {
			msg = f.Field + ": " + msg
		}
		fmt.Fprintf(g.w, "::%s %s::%s\n", level, props, escapeData(msg))
	}
}

// summaryRow is one line of the step summary table.
type summaryRow struct {
	target   string
	verdict  string
	findings []validate.Finding
}

// writeSummary appends a Markdown table of rows to $GITHUB_STEP_SUMMARY.
// summaryOn reports whether writeSummary writes anything.
func (g github) summaryOn() bool { return g.on && g.summary != "" }

func (g github) writeSummary(title string, rows []summaryRow) error {
	if !g.on || g.summary == "" {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### cimd %s\n\n| target | verdict | findings |\n|---|---|---|\n", title)
	for _, r := range rows {
		var cells []string
		for _, f := range r.findings {
			if f.Severity == validate.Info {
				continue
			}
			cells = append(cells, fmt.Sprintf("%s `%s`", f.Severity, cell(f.Rule)))
		}
		list := strings.Join(cells, "<br>")
		if list == "" {
			list = "none"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", cell(r.target), r.verdict, list)
	}
	b.WriteString("\n")
	return g.appendSummary(b.String())
}

// configKey maps a finding about the built document to the cimd.toml key it
// came from: URL rules to host or path, a field to its [client] key (or its
// [client.extra] key, or jwks to jwks_file). Findings about how a URL is
// served have no key.
func configKey(f validate.Finding) []string {
	switch {
	case strings.HasPrefix(f.Rule, "url-"):
		switch f.Rule {
		case "url-path-missing", "url-root-path", "url-dot-segment", "url-fragment", "url-query", "url-length":
			return []string{"path"}
		}
		return []string{"host"}
	case strings.HasPrefix(f.Rule, "http-") || strings.HasPrefix(f.Rule, "jwks-") || f.Rule == "live-drift":
		return nil
	case f.Field == "jwks_uri" && (f.Rule == "doc-jwks-invalid" || f.Rule == "doc-private-key"):
		// the JWK Set served at jwks_uri, not a key of the config
		return nil
	case f.Rule == "suppress-expired":
		// Its field is the entry, suppress[i]: the index finds the i-th header.
		name, i, _ := strings.Cut(f.Field, "[")
		return []string{name, "[" + i}
	}
	field := f.Field
	if i := strings.IndexAny(field, ".["); i >= 0 {
		field = field[:i]
	}
	switch field {
	case "":
		return []string{"client"}
	case "jwks":
		return []string{"client", "jwks_file"}
	case "client_name", "redirect_uris", "client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri",
		"scope", "token_endpoint_auth_method", "grant_types", "response_types", "application_type",
		"contacts", "software_id", "software_version":
		return []string{"client", field}
	}
	return []string{"client", "extra", field}
}

// escapeData escapes a workflow command's message: first what no output may
// carry (printable), then what the workflow-command syntax gives a meaning
// (%, CR, LF), so a hostile document key cannot end the command early or
// start a new one.
func escapeData(s string) string {
	return dataEscaper.Replace(printable(s))
}

// The escapers are made once: a Replacer builds its tables when made, and
// a run of ten thousand environments makes ten thousand annotations.
var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
	cellEscaper     = strings.NewReplacer("|", "\\|", "\n", " ", "`", "\\`", "<", "&lt;", ">", "&gt;")
)

// escapeProperty escapes a workflow command's property value: as escapeData,
// and also the ':' and ',' that end a property.
func escapeProperty(s string) string {
	return propertyEscaper.Replace(printable(s))
}

// cell makes s safe inside a Markdown table cell.
func cell(s string) string {
	return cellEscaper.Replace(printable(s))
}

// annotateConfigError prints one workflow command per problem of a config
// error, on its cimd.toml line and column when it has one, so a pull request
// shows the mistake where it is written.
func (g github) annotateConfigError(err error) {
	if !g.on {
		return
	}
	for _, p := range configProblems(err) {
		props := ""
		if p.File != "" {
			props = "file=" + escapeProperty(p.File) + ","
			if p.Line > 0 {
				props += fmt.Sprintf("line=%d,col=%d,", p.Line, p.Col)
			}
		}
		fmt.Fprintf(g.w, "::error %stitle=cimd config::%s\n", props, escapeData(p.Message))
	}
}

// writeTable appends a Markdown table to $GITHUB_STEP_SUMMARY under the
// heading "cimd TITLE": rows[0] is the header, every cell is escaped.
func (g github) writeTable(title string, rows [][]string) error {
	if !g.on || g.summary == "" || len(rows) == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### cimd %s\n\n", title)
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = cell(c)
		}
		fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
		if i == 0 {
			fmt.Fprintf(&b, "|%s\n", strings.Repeat("---|", len(row)))
		}
	}
	b.WriteString("\n")
	return g.appendSummary(b.String())
}

// appendSummary adds text to the step summary file.
func (g github) appendSummary(text string) error {
	f, err := os.OpenFile(g.summary, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("step summary: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("step summary: %w", err)
	}
	return f.Close()
}

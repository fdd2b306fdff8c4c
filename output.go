package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// This file holds how every command prints: text reports and findings, the
// painter, the one escape for outside text, JSON and config problems.

// writeBlocks prints one block per result, a blank line between, then,
// when there are several, how many of them pass: "2 of 3 valid".
func writeBlocks[T any](w io.Writer, results []T, passes func(T) bool, tally string, block func(T)) {
	n := 0
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if passes(r) {
			n++
		}
		block(r)
	}
	if len(results) > 1 {
		fmt.Fprintf(w, "\n%d of %d %s\n", n, len(results), tally)
	}
}

// writeResultText prints one target of validate's text report.
func writeResultText(w io.Writer, r validate.Result, verbose bool, p painter) {
	head := p.verdict(r.Valid, "✓ valid", "✗ invalid")
	name := r.Target
	if r.URL != "" && r.URL != r.Target {
		name += " (" + r.URL + ")"
	}
	fmt.Fprintf(w, "%s  %s\n", head, printable(name))
	if h := r.HTTP; h != nil {
		cc := h.CacheControl
		if cc == "" {
			cc = "none"
		}
		ct := h.ContentType
		if ct == "" {
			ct = "no content type"
		}
		if h.Status == 0 {
			fmt.Fprintf(w, "  no response · %d ms\n", h.ElapsedMS)
		} else {
			fmt.Fprintf(w, "  HTTP %d · %s · %d bytes · cache-control: %s · %d ms\n", h.Status, printable(ct), h.Bytes, printable(cc), h.ElapsedMS)
		}
	}
	if j := r.JWKS; j != nil {
		writeJWKSLine(w, j)
	}
	printFindings(w, "  ", r.Findings, verbose, p)
	if r.Compatibility.Len() > 0 {
		fmt.Fprintf(w, "  %s\n", validate.CompatibilityLine(&r.Compatibility))
	}
	writeDetails(w, r.Document)
}

// writeJWKSLine prints the fetch of the document's JWK Set under its
// headline: what came back and the kids it carries.
func writeJWKSLine(w io.Writer, j *validate.JWKSInfo) {
	if j.Status == 0 {
		fmt.Fprintf(w, "  jwks_uri %s: no response · %d ms\n", printable(j.URL), j.ElapsedMS)
		return
	}
	ct := j.ContentType
	if ct == "" {
		ct = "no content type"
	}
	kids := "no keys"
	if len(j.Kids) > 0 {
		kids = "kid " + strings.Join(j.Kids, ", ")
	}
	fmt.Fprintf(w, "  jwks_uri %s: HTTP %d · %s · %d bytes · %s · %d ms\n", printable(j.URL), j.Status, printable(ct), j.Bytes, printable(kids), j.ElapsedMS)
}

// writeDetails prints the fields a reader checks first.
func writeDetails(w io.Writer, doc map[string]any) {
	if doc == nil {
		return
	}
	show := func(label, key string) {
		if v, ok := doc[key]; ok {
			fmt.Fprintf(w, "  %-13s %s\n", label+":", printable(fmt.Sprint(v)))
		}
	}
	show("client_id", "client_id")
	show("client_name", "client_name")
	show("auth method", "token_endpoint_auth_method")
	if uris, ok := doc["redirect_uris"].([]any); ok {
		fmt.Fprintf(w, "  redirect_uris (%d):\n", len(uris))
		for _, u := range uris {
			fmt.Fprintf(w, "    • %s\n", printable(fmt.Sprint(u)))
		}
	}
}

// printable escapes control and format characters (C0 and C1 controls such
// as ESC, CR, BEL and CSI, bidi embeddings, overrides and isolates, line and
// paragraph separators) as \uXXXX. It is the one escape for everything cimd
// prints that came from outside: documents and headers from servers the user
// does not control, values from cimd.toml, error text. Such text must not be
// able to move the cursor, recolour the terminal, reorder a line or forge a
// "✓ valid" one. Text output, error lines, GitHub annotations and step
// summaries all pass through it (the last two add their own syntax's escapes
// on top: escapeData, escapeProperty, cell). A byte that is not UTF-8 (a
// raw 8-bit CSI, 0x9b, from a header) is shown as \xNN.
func printable(s string) string {
	i := 0
	for i < len(s) && s[i] >= 0x20 && s[i] < 0x7f {
		i++ // printable ASCII, most of what is printed: no table look-up
	}
	if i == len(s) {
		return s
	}
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isUnprintable) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case isUnprintable(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isUnprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// progressFor returns where a target's --wait progress lines go: stderr,
// with the target named when several targets poll at once.
func progressFor(s stdio, target string, n int) io.Writer {
	if n <= 1 {
		return s.err
	}
	return &prefixWriter{w: s.err, prefix: target + ": "}
}

// prefixWriter puts a prefix before every line, so concurrent progress stays
// readable. Each Write is expected to hold whole lines.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var buf bytes.Buffer
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		// "cimd: attempt 2: ..." becomes "cimd: TARGET: attempt 2: ...".
		rest, had := bytes.CutPrefix(line, []byte("cimd: "))
		if had {
			buf.WriteString("cimd: ")
		}
		buf.WriteString(p.prefix)
		buf.Write(rest)
	}
	if _, err := p.w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}

// writeJSON prints v as indented JSON, without HTML escaping. Only the
// first maxIndentDepth levels are indented, deeper ones are written compact:
// a document nested 60 levels deep would otherwise come out with the square
// of its depth in spaces (5 KB in, megabytes out).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(indentJSON(buf.Bytes(), maxIndentDepth))
	return err
}

// maxIndentDepth is deep enough for every member of a document in validate's
// --json output: results, a result, document, jwks, keys, a key, its members.
const maxIndentDepth = 8

// indentJSON indents compact JSON text (as json.Encoder writes it) by two
// spaces a level, like json.Indent, down to maxDepth levels of nesting.
func indentJSON(src []byte, maxDepth int) []byte {
	out := make([]byte, 0, len(src)+len(src)/2)
	newline := func(depth int) {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	depth, inString := 0, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			out = append(out, c)
			switch c {
			case '\\':
				i++
				if i < len(src) {
					out = append(out, src[i])
				}
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			out = append(out, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				out = append(out, src[i+1])
				i++
				continue
			}
			depth++
			if depth <= maxDepth {
				newline(depth)
			}
		case '}', ']':
			depth--
			if depth < maxDepth {
				newline(depth)
			}
			out = append(out, c)
		case ',':
			out = append(out, c)
			if depth <= maxDepth {
				newline(depth)
			}
		case ':':
			out = append(out, c)
			if depth <= maxDepth {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// envName is how an environment is named in messages.
func envName(c *config.Config) string { return c.Name() }

// countErrors returns how many findings have severity error (and warning,
// with strict).
func countErrors(findings []validate.Finding, strict bool) int {
	n := 0
	for _, f := range findings {
		if f.Fails(strict) {
			n++
		}
	}
	return n
}

// printFindings writes one line per finding; info findings only when verbose.
func printFindings(w io.Writer, indent string, findings []validate.Finding, verbose bool, p painter) {
	for _, f := range findings {
		if f.Severity == validate.Info && !verbose {
			continue
		}
		where := ""
		if f.Field != "" {
			where = f.Field + ": "
		}
		fmt.Fprintf(w, "%s%s %s %s\n", indent, p.severity(f.Severity), f.Rule, printable(where+f.Message))
	}
}

// painter colours output, or does nothing when colour is off.
type painter bool

// newPainter turns colour on only for a terminal, and never with NO_COLOR.
func newPainter(s stdio, w io.Writer) painter {
	if s.getenv("NO_COLOR") != "" || s.getenv("TERM") == "dumb" {
		return false
	}
	// A character device is not enough: /dev/null is one too. Ask the
	// terminal driver, as isatty does.
	f, ok := w.(*os.File)
	return painter(ok && term.IsTerminal(int(f.Fd())))
}

func (p painter) paint(code, s string) string {
	if !p {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p painter) severity(s validate.Severity) string {
	label := fmt.Sprintf("%-7s", s)
	switch s {
	case validate.Error:
		return p.paint("31", label)
	case validate.Warning:
		return p.paint("33", label)
	}
	return p.paint("2", label)
}

func (p painter) ok(s string) string  { return p.paint("32", s) }
func (p painter) bad(s string) string { return p.paint("31", s) }

// verdict is good painted green when ok holds, else bad painted red.
func (p painter) verdict(ok bool, good, bad string) string {
	if ok {
		return p.ok(good)
	}
	return p.bad(bad)
}

// ruleList names the distinct rules of the error findings, for one-line
// summaries.
func ruleList(findings []validate.Finding, strict bool) string {
	seen := map[string]bool{}
	var rules []string
	for _, f := range findings {
		if f.Fails(strict) && !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
	}
	sort.Strings(rules)
	return strings.Join(rules, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// prefixed names the environment in each finding's message when there is
// more than the top level, so --all-envs output says which one broke.
func prefixed(c *config.Config, findings []validate.Finding) []validate.Finding {
	if c.Env == "" {
		return findings
	}
	out := make([]validate.Finding, len(findings))
	for i, f := range findings {
		f.Field = strings.TrimSpace("[" + c.Env + "] " + f.Field)
		out[i] = f
	}
	return out
}

// problemJSON is one configuration problem in --json output: where it is
// (file, 1-based line and column, 0 when unknown) and what is wrong.
type problemJSON struct {
	Message string `json:"message"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Key     string `json:"key"`
}

// configProblems lists the problems of an error from loading a config: one
// per [config.Error] that errors.Join put together, or the error itself
// when it has no position (an unknown --env, a missing file).
func configProblems(err error) []problemJSON {
	var out []problemJSON
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case *config.Error:
			msg := x.Msg
			if x.Key != "" {
				msg = x.Key + ": " + msg
			}
			out = append(out, problemJSON{Message: msg, File: x.File, Line: x.Line, Col: x.Col, Key: x.Key})
		case *exitError:
			walk(x.err)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			out = append(out, problemJSON{Message: e.Error()})
		}
	}
	walk(err)
	return out
}

// configFailed reports a configuration error where a machine reads it, then
// returns it for exitCode to print on stderr (exit 2): as annotations under
// GitHub Actions, and with --json as one object on stdout,
//
//	{"ok": false, "error": {...}, "errors": [{...}, ...], "results": []}
//
// where error is the first problem and errors all of them (problemJSON).
// validate's object also has "valid": false, the name it used before "ok".
func configFailed(s stdio, of outputFlags, cmd string, err error) error {
	newGitHub(s).annotateConfigError(err)
	if !of.json {
		return err
	}
	ps := configProblems(err)
	if len(ps) == 0 {
		ps = []problemJSON{{Message: err.Error()}}
	}
	v := struct {
		OK      bool          `json:"ok"`
		Valid   *bool         `json:"valid,omitempty"`
		Error   problemJSON   `json:"error"`
		Errors  []problemJSON `json:"errors"`
		Results []struct{}    `json:"results"`
	}{Error: ps[0], Errors: ps, Results: []struct{}{}}
	if cmd == "validate" {
		v.Valid = new(bool)
	}
	if werr := writeJSON(s.out, v); werr != nil {
		return werr
	}
	return err
}

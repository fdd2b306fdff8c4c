package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/cimd-dev/cimd/validate"
)

// writeText prints validate's human-readable report: per target a headline,
// the HTTP facts, one line per finding, then the document's main fields, as
// FastMCP's validate prints them.
func writeText(w io.Writer, results []validate.Result, verbose bool, p painter) {
	nValid := 0
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		head := p.bad("✗ invalid")
		if r.Valid {
			head = p.ok("✓ valid")
			nValid++
		}
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
		printFindings(w, "  ", r.Findings, verbose, p)
		writeDetails(w, r.Document)
	}
	if len(results) > 1 {
		fmt.Fprintf(w, "\n%d of %d valid\n", nValid, len(results))
	}
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

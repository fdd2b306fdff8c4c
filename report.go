package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

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
				fmt.Fprintf(w, "  HTTP %d · %s · %d bytes · cache-control: %s · %d ms\n", h.Status, ct, h.Bytes, cc, h.ElapsedMS)
			}
		}
		printFindings(w, "  ", r.Findings, verbose, p)
		if len(r.Compatibility) > 0 {
			fmt.Fprintf(w, "  %s\n", validate.CompatibilityLine(r.Compatibility))
		}
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

// printable escapes control and format characters (ESC, CR, BEL, bidi
// overrides) as \uXXXX. Documents come from servers the user does not
// control, and their text must not be able to move the cursor, recolour the
// terminal or forge a "✓ valid" line.
func printable(s string) string {
	if !strings.ContainsFunc(s, isUnprintable) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isUnprintable(r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isUnprintable(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
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

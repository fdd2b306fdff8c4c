package authserver

import (
	"fmt"
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrorText joins an OAuth error code and its error_description as
// "code: description"; either alone when the other is empty.
func ErrorText(code, description string) string {
	switch {
	case code == "":
		return description
	case description == "":
		return code
	}
	return code + ": " + description
}

// bound makes s safe to print and at most n runes long: control, format
// and other non-printing characters (terminal escapes, bidi overrides) are
// written as Go escapes, invalid UTF-8 as U+FFFD, and a longer text is cut
// with "…". Everything a server sends is passed through it before it is
// shown.
func bound(s string, n int) string {
	var b strings.Builder
	count := 0 // runes written
	for i, r := range s {
		var piece string
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			piece = "\uFFFD"
		case r == ' ' || unicode.IsPrint(r):
			piece = string(r)
		case r < 0x100:
			piece = fmt.Sprintf(`\x%02x`, r)
		default:
			piece = fmt.Sprintf(`\u%04x`, r)
		}
		w := utf8.RuneCountInString(piece)
		if count+w > n {
			b.WriteString("…")
			return b.String()
		}
		count += w
		b.WriteString(piece)
	}
	return b.String()
}

// maxPageText bounds the text taken from an error page.
const maxPageText = 300

// pageText returns the visible text of an HTML page (or the body itself when
// it is not HTML), bounded for display; see [visibleText].
func pageText(body []byte) string {
	return bound(visibleText(body), maxPageText)
}

// visibleText returns the text of a page with scripts, styles and tags
// dropped, entities decoded and runs of white space collapsed, not yet
// bounded or escaped. It is not an HTML parser and need not be one: the text
// is only shown, never interpreted.
func visibleText(body []byte) string {
	s := string(body[:min(len(body), 64<<10)])
	s = dropElement(s, "script")
	s = dropElement(s, "style")
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			break
		}
		b.WriteByte(' ')
		s = s[i+j+1:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// dropElement removes every <name ...>...</name> from s, case-insensitively.
func dropElement(s, name string) string {
	lower := strings.ToLower(s)
	open, closing := "<"+name, "</"+name
	var b strings.Builder
	for {
		i := strings.Index(lower, open)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.Index(lower[i:], closing)
		if j < 0 {
			return b.String()
		}
		k := strings.IndexByte(lower[i+j:], '>')
		if k < 0 {
			return b.String()
		}
		end := i + j + k + 1
		s, lower = s[end:], lower[end:]
	}
}

package config

import (
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// locate finds where key is written in the TOML source src and returns its
// 1-based line and column, or 0, 0 when it cannot be found.
//
// toml.MetaData keeps key positions unexported, so the error messages that
// must say "cimd.toml:12:3" rescan the source. The scan understands table
// headers, dotted and quoted keys and skips multi-line strings; it is not a
// TOML parser, only good enough to point at a key of a file that already
// parsed. A key written inside an inline table is reported at the line of the
// enclosing key, and a table only implied by a deeper header (env.staging by
// [env.staging.client]) at the first line that defines something inside it.
func locate(src string, key toml.Key) (line, col int) {
	if len(key) == 0 {
		return 0, 0
	}
	var (
		table     toml.Key
		multiline string // closing delimiter while inside a multi-line string
		bestLine  int    // best approximation found so far
		bestCol   int
		bestRank  int // 2: enclosing key (inline table), 1: something inside key
	)
	better := func(rank, l, c int) {
		if rank > bestRank {
			bestRank, bestLine, bestCol = rank, l, c
		}
	}
	for i, text := range strings.Split(src, "\n") {
		n := i + 1
		if multiline != "" {
			if strings.Contains(text, multiline) {
				multiline = ""
			}
			continue
		}
		start := len(text) - len(strings.TrimLeft(text, " \t"))
		rest := text[start:]
		switch {
		case rest == "" || rest[0] == '#':
			continue
		case rest[0] == '[':
			open := 1
			if strings.HasPrefix(rest, "[[") {
				open = 2
			}
			k, _, ok := parseKey(rest, open)
			if !ok {
				continue
			}
			table = k
			switch {
			case equalKey(k, key):
				return n, start + 1
			case hasPrefix(k, key):
				better(1, n, start+1)
			}
		default:
			k, end, ok := parseKey(rest, 0)
			if !ok || !strings.HasPrefix(strings.TrimLeft(rest[end:], " \t"), "=") {
				continue
			}
			full := append(append(toml.Key{}, table...), k...)
			switch {
			case equalKey(full, key):
				return n, start + 1
			case hasPrefix(full, key):
				better(1, n, start+1)
			case hasPrefix(key, full):
				better(2, n, start+1)
			}
			value := strings.TrimLeft(rest[end:], " \t=")
			for _, d := range []string{`"""`, `'''`} {
				if strings.HasPrefix(value, d) && !strings.Contains(value[3:], d) {
					multiline = d
				}
			}
		}
	}
	return bestLine, bestCol
}

// parseKey reads a dotted key from s starting at byte i and returns its parts
// and the offset just after it (after the closing brackets of a table header
// when s starts with "["). ok is false when s does not start with a key.
func parseKey(s string, i int) (key toml.Key, end int, ok bool) {
	header := i > 0
	for {
		i = skipSpace(s, i)
		if i >= len(s) {
			return nil, 0, false
		}
		var part string
		switch s[i] {
		case '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, 0, false
			}
			u, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				u = s[i+1 : j] // an escape Go does not know; close enough to name it
			}
			part, i = u, j+1
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, 0, false
			}
			part, i = s[i+1:i+1+j], i+j+2
		default:
			j := i
			for j < len(s) && isBare(s[j]) {
				j++
			}
			if j == i {
				return nil, 0, false
			}
			part, i = s[i:j], j
		}
		key = append(key, part)
		i = skipSpace(s, i)
		if i < len(s) && s[i] == '.' {
			i++
			continue
		}
		if header {
			if !strings.HasPrefix(s[i:], "]") {
				return nil, 0, false
			}
			i += strings.Count(s[:2], "[") // "]" or "]]"
		}
		return key, i, true
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isBare(c byte) bool {
	return c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func equalKey(a, b toml.Key) bool {
	return len(a) == len(b) && hasPrefix(a, b)
}

// hasPrefix reports whether k starts with every part of prefix.
func hasPrefix(k, prefix toml.Key) bool {
	if len(prefix) > len(k) {
		return false
	}
	for i := range prefix {
		if k[i] != prefix[i] {
			return false
		}
	}
	return true
}

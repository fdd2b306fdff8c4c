package config

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// locate finds where key is written in the TOML source src and returns its
// 1-based line and column, or 0, 0 when it cannot be found. It scans the
// whole source: to find many keys, build a [keyIndex] once.
func locate(src string, key toml.Key) (line, col int) {
	return newKeyIndex(src).locate(key)
}

// keyIndex records where each key of a TOML source is written, so that
// reporting n problems costs one scan of the file, not n scans.
//
// toml.MetaData keeps key positions unexported, so the error messages that
// must say "cimd.toml:12:3" scan the source. The scan understands table
// headers, dotted and quoted keys and skips multi-line strings; it is not a
// TOML parser, only good enough to point at a key of a file that already
// parsed. A key written inside an inline table is reported at the line of the
// enclosing key, and a table only implied by a deeper header (env.staging by
// [env.staging.client]) at the first line that defines something inside it.
type keyIndex struct {
	exact  map[string]pos // the first header or key line of exactly this path
	values map[string]pos // the first key = value line (not a header) of this path
	inside map[string]pos // the first header or key line under this path
	count  map[string]int // how many [[x]] headers of each path so far
}

type pos struct{ line, col int }

// lazyKeys is the keyIndex of a source, made at its first use: most runs
// never report a position, and the index of a file of ten thousand
// environments is several times the file's size.
//
// For a file read a section at a time, the index covers the top level's
// text only, and a key of an environment is looked for in that
// environment's section, indexed when asked: no index of the whole file is
// ever built, and nothing per key is kept.
type lazyKeys struct {
	once sync.Once
	src  string
	ix   *keyIndex

	top     string                         // with section: the top level's text
	section func(name string) (span, bool) // where environment name's section is
}

func newLazyKeys(src string) *lazyKeys { return &lazyKeys{src: src} }

// locate is keyIndex.locate. It is safe for concurrent use.
func (l *lazyKeys) locate(key toml.Key) (line, col int) {
	if l == nil {
		return 0, 0
	}
	if l.section != nil {
		if len(key) >= 2 && key[0] == "env" {
			if sp, ok := l.section(key[1]); ok {
				line, col = newKeyIndex(l.src[sp.start:sp.end]).locate(key)
				if line > 0 {
					line += sp.line - 1
				}
				return line, col
			}
		}
		l.once.Do(func() { l.ix = newKeyIndex(l.top) })
		return l.ix.locate(key)
	}
	l.once.Do(func() { l.ix, l.src = newKeyIndex(l.src), "" })
	return l.ix.locate(key)
}

// indexKey is a key path as a map key.
func indexKey(k toml.Key) string { return strings.Join(k, "\x00") }

func newKeyIndex(src string) *keyIndex {
	ix := &keyIndex{exact: map[string]pos{}, values: map[string]pos{}, inside: map[string]pos{}, count: map[string]int{}}
	first := func(m map[string]pos, k string, p pos) {
		if _, ok := m[k]; !ok {
			m[k] = p
		}
	}
	record := func(full toml.Key, p pos, value bool) {
		first(ix.exact, indexKey(full), p)
		if value {
			first(ix.values, indexKey(full), p)
		}
		for n := 1; n < len(full); n++ {
			first(ix.inside, indexKey(full[:n]), p)
		}
	}
	var (
		table     toml.Key
		plain     toml.Key // table without the entry index of a [[x]] header
		multiline string   // closing delimiter while inside a multi-line string
	)
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
			table, plain = k, k
			record(k, pos{n, start + 1}, false)
			if open == 2 {
				// The i-th [[x]] entry is also the path x, "[i]", so that
				// each entry's keys can be found (see [entryKey]).
				table = entryKey(k, ix.count[indexKey(k)])
				ix.count[indexKey(k)]++
				record(table, pos{n, start + 1}, false)
			}
		default:
			k, end, ok := parseKey(rest, 0)
			if !ok || !strings.HasPrefix(strings.TrimLeft(rest[end:], " \t"), "=") {
				continue
			}
			full := append(append(toml.Key{}, table...), k...)
			record(full, pos{n, start + 1}, true)
			if len(plain) != len(table) {
				record(append(append(toml.Key{}, plain...), k...), pos{n, start + 1}, true)
			}
			value := strings.TrimLeft(rest[end:], " \t=")
			for _, d := range []string{`"""`, `'''`} {
				if strings.HasPrefix(value, d) && !strings.Contains(value[3:], d) {
					multiline = d
				}
			}
		}
	}
	return ix
}

// entryKey is the path of the i-th (0-based) [[k]] entry of an array of
// tables, as the index records it.
func entryKey(k toml.Key, i int) toml.Key {
	return append(slices.Clip(k), "["+strconv.Itoa(i)+"]")
}

// locate returns where key is written: its first header or key line; else
// the first key line whose inline value holds it; else the first line that
// defines something inside it; else 0, 0.
func (ix *keyIndex) locate(key toml.Key) (line, col int) {
	if ix == nil || len(key) == 0 {
		return 0, 0
	}
	if p, ok := ix.exact[indexKey(key)]; ok {
		return p.line, p.col
	}
	var best pos
	for n := 1; n < len(key); n++ {
		if p, ok := ix.values[indexKey(key[:n])]; ok && (best.line == 0 || p.line < best.line) {
			best = p
		}
	}
	if best.line > 0 {
		return best.line, best.col
	}
	p := ix.inside[indexKey(key)]
	return p.line, p.col
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

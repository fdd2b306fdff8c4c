package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is the deepest nesting of objects and arrays a document may have.
// A CIMD is a flat object with a jwks two levels down; a deeper one is an
// attack on whoever decodes it, and RULES.md §7 makes it doc-not-json.
const maxDepth = 64

// decodeBody runs the body rules (doc-encoding, doc-not-json, doc-not-object,
// doc-duplicate-key, doc-case-variant-key, doc-lone-surrogate) and decodes the
// document. It returns a nil doc when the body cannot be decoded into an
// object, and then the other document rules must not run. keys lists the
// top-level member names in document order, each once, so the later rules
// report in an order the user can follow.
//
// A byte-order mark stops here, like invalid UTF-8: RFC 8259 only lets a
// parser ignore it, and Go servers (encoding/json) reject the body outright.
//
// The body is parsed once, by hand: the syntax, the nesting depth, the member
// names of every object and the string escapes are all checked in the pass
// that builds the value. Numbers are kept as json.Number, exactly as written,
// so a number no float64 holds (1e999999) is still a number.
func decodeBody(body []byte) (fs findings, doc map[string]any, keys []string) {
	if msg := encodingProblem(body); msg != "" {
		fs.add("doc-encoding", Error, "", msg)
		return fs, nil, nil
	}
	p := &parser{b: body}
	v, ok := p.document()
	if !ok {
		fs.add("doc-not-json", Error, "", p.syntaxMessage())
		return fs, nil, nil
	}
	doc, isObject := v.(map[string]any)
	if !isObject {
		fs.add("doc-not-object", Error, "", fmt.Sprintf("the document is a JSON %s, not an object; it must be one object {...} holding the client metadata", JSONKind(v)))
		return fs, nil, nil
	}
	return append(fs, p.fs...), doc, p.keys
}

// encodingProblem says why body is not plain UTF-8 JSON text, or "".
func encodingProblem(body []byte) string {
	switch {
	case bytes.HasPrefix(body, []byte("\xef\xbb\xbf")):
		return "the body starts with a UTF-8 byte-order mark, which JSON forbids and many servers reject; save the file as UTF-8 without BOM"
	case bytes.HasPrefix(body, []byte("\xff\xfe")), bytes.HasPrefix(body, []byte("\xfe\xff")):
		return "the body is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8 without BOM"
	}
	if utf8.Valid(body) {
		return ""
	}
	i := 0
	for i < len(body) {
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	line, col := position(body, i)
	return fmt.Sprintf("the body is not valid UTF-8 (byte 0x%02x at line %d, column %d, byte offset %d); save it as UTF-8", body[i], line, col, i)
}

// position turns a byte offset into a 1-based line and a 1-based column
// counted in characters, not bytes, so it matches an editor on non-ASCII text.
func position(body []byte, off int) (line, col int) {
	before := body[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return line, 1 + utf8.RuneCount(before)
}

// JSONKind names the JSON type of a value decoded by encoding/json (with
// or without UseNumber): "null", "boolean", "number", "string", "array"
// or "object".
func JSONKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// parser is a single-pass RFC 8259 parser over a UTF-8 body. It stops at the
// first syntax error, recording what was expected and where; the findings it
// collects on the way (duplicate, case-variant and lone-surrogate names) only
// count when the whole body parses.
type parser struct {
	b     []byte
	i     int
	depth int
	keys  []string // top-level member names, each once
	fs    findings

	errMsg string // set on the first syntax error
	errAt  int    // byte offset of the offending byte, len(b) at the end
}

// fail records a syntax error at the current byte and returns false.
func (p *parser) fail(what string) bool {
	if p.errMsg == "" {
		p.errAt = p.i
		if p.i >= len(p.b) {
			p.errMsg = "unexpected end of JSON input"
		} else {
			p.errMsg = fmt.Sprintf("invalid character %s %s", quoteByte(p.b, p.i), what)
		}
	}
	return false
}

// quoteByte shows the character at b[i] the way encoding/json does, whole
// even when it is a multi-byte UTF-8 sequence.
func quoteByte(b []byte, i int) string {
	r, _ := utf8.DecodeRune(b[i:])
	switch {
	case r == '\'':
		return `'\''`
	case r == '"':
		return `'"'`
	case r < 0x20 || r == utf8.RuneError:
		return strconv.QuoteRune(r)
	}
	return "'" + string(r) + "'"
}

// syntaxMessage says where the JSON went wrong, as line and column (what an
// editor shows) plus the byte offset (what a hex dump shows).
func (p *parser) syntaxMessage() string {
	if len(bytes.TrimSpace(p.b)) == 0 {
		return "the body is empty; it must be a JSON object"
	}
	line, col := position(p.b, p.errAt)
	return fmt.Sprintf("the body is not JSON: %s at line %d, column %d (byte offset %d)", p.errMsg, line, col, p.errAt)
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// document parses the whole body: one value and nothing but white space.
func (p *parser) document() (any, bool) {
	p.space()
	v, ok := p.value(jsonRef{root: true})
	if !ok {
		return nil, false
	}
	p.space()
	if p.i < len(p.b) {
		return nil, p.fail("after top-level value")
	}
	return v, true
}

// jsonRef names a value for findings without building its JSON path: the
// path of its container, and its member name or index there. Most values
// never need the path, so it is only made for containers and findings.
type jsonRef struct {
	parent string
	key    string
	index  int // -1 for a member, else the array index
	root   bool
}

func (r jsonRef) path() string {
	switch {
	case r.root:
		return ""
	case r.index >= 0:
		return r.parent + "[" + strconv.Itoa(r.index) + "]"
	}
	return jsonPath(r.parent, r.key)
}

// value parses the value at p.i, named by ref (for findings).
func (p *parser) value(ref jsonRef) (any, bool) {
	if p.i >= len(p.b) {
		return nil, p.fail("")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(ref.path())
	case c == '[':
		return p.array(ref.path())
	case c == '"':
		s, lone, ok := p.str()
		if ok && lone {
			path := ref.path()
			p.fs.add("doc-lone-surrogate", Warning, path, fmt.Sprintf("the string at %s has a \\u escape of half a UTF-16 surrogate pair (\\uD800-\\uDFFF without its other half); decoders disagree on what it means, so write the character itself", pathName(path)))
		}
		return s, ok
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, p.fail("looking for beginning of value")
}

func pathName(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

func (p *parser) literal(word string) bool {
	for j := 0; j < len(word); j++ {
		if p.i >= len(p.b) || p.b[p.i] != word[j] {
			return p.fail("in literal " + word + " (expecting '" + word[j:j+1] + "')")
		}
		p.i++
	}
	return true
}

// enter counts one more level of nesting and refuses the level past maxDepth.
func (p *parser) enter() bool {
	p.depth++
	if p.depth > maxDepth {
		if p.errMsg == "" {
			p.errAt = p.i
			p.errMsg = fmt.Sprintf("nested deeper than %d levels", maxDepth)
		}
		return false
	}
	return true
}

func (p *parser) object(path string) (any, bool) {
	if !p.enter() {
		return nil, false
	}
	p.i++ // '{'
	m := map[string]any{}
	var (
		names    []string        // in order, for the case-variant check
		folded   bool            // a name has a byte a case fold may change
		reported map[string]bool // duplicates already reported
	)
	p.space()
	if p.closed('}') {
		return m, true
	}
	for {
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return nil, p.fail("looking for beginning of object key string")
		}
		key, lone, ok := p.str()
		if !ok {
			return nil, false
		}
		ref := jsonRef{parent: path, key: key, index: -1}
		if lone {
			p.fs.add("doc-lone-surrogate", Error, ref.path(), fmt.Sprintf("the member name %q has a \\u escape of half a UTF-16 surrogate pair (\\uD800-\\uDFFF without its other half); decoders turn it into U+FFFD or fail, so two such names can become one: rename it", key))
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return nil, p.fail("after object key")
		}
		p.i++
		p.space()
		v, ok := p.value(ref)
		if !ok {
			return nil, false
		}
		if _, dup := m[key]; dup {
			if !reported[key] {
				if reported == nil {
					reported = map[string]bool{}
				}
				reported[key] = true
				p.fs.add("doc-duplicate-key", Error, ref.path(), fmt.Sprintf("the member %q appears more than once in one object; servers differ on which value wins, so keep only one", key))
			}
		} else {
			names = append(names, key)
			folded = folded || mayFold(key)
			if p.depth == 1 {
				p.keys = append(p.keys, key)
			}
		}
		m[key] = v
		if more, ok := p.more('}', "after object key:value pair"); !ok {
			return nil, false
		} else if !more {
			if folded {
				p.caseVariants(path, names)
			}
			return m, true
		}
	}
}

// closed consumes c, the byte that closes the object or array being
// parsed, when it comes next.
func (p *parser) closed(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		p.depth--
		return true
	}
	return false
}

// more reads what follows a member or element of the object or array that
// c closes: a ',' (more) or c (done). For anything else ok is false and
// the failure is recorded, after saying what the byte came after.
func (p *parser) more(c byte, after string) (more, ok bool) {
	p.space()
	switch {
	case p.i >= len(p.b):
		return false, p.fail("")
	case p.b[p.i] == ',':
		p.i++
		p.space()
		return true, true
	case p.closed(c):
		return false, true
	}
	return false, p.fail(after)
}

// mayFold reports whether key has a byte that case folding may change: an
// upper-case ASCII letter or any non-ASCII byte. Two names made only of
// other bytes are equal under folding only when they are equal.
func mayFold(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// caseVariants reports each member name that equals an earlier one of the
// same object but for letter case, the way Go's encoding/json (and other
// case-insensitive decoders) match names.
func (p *parser) caseVariants(path string, names []string) {
	first := make(map[string]string, len(names))
	for _, n := range names {
		f := strings.ToLower(n)
		if prev, ok := first[f]; ok {
			p.fs.add("doc-case-variant-key", Warning, jsonPath(path, n), fmt.Sprintf("the member names %q and %q differ only in letter case; a server that matches names case-insensitively (Go's encoding/json does) may take either value, so keep only one", prev, n))
			continue
		}
		first[f] = n
	}
}

func (p *parser) array(path string) (any, bool) {
	if !p.enter() {
		return nil, false
	}
	p.i++ // '['
	a := []any{}
	p.space()
	if p.closed(']') {
		return a, true
	}
	for {
		v, ok := p.value(jsonRef{parent: path, index: len(a)})
		if !ok {
			return nil, false
		}
		a = append(a, v)
		if more, ok := p.more(']', "after array element"); !ok {
			return nil, false
		} else if !more {
			return a, true
		}
	}
}

// number parses -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? and keeps it
// as written.
func (p *parser) number() (any, bool) {
	start := p.i
	digits := func() bool {
		n := p.i
		for p.i < len(p.b) && '0' <= p.b[p.i] && p.b[p.i] <= '9' {
			p.i++
		}
		return p.i > n
	}
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case !digits():
		return nil, p.fail("in numeric literal")
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if !digits() {
			return nil, p.fail("after decimal point in numeric literal")
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if !digits() {
			return nil, p.fail("in exponent of numeric literal")
		}
	}
	return json.Number(p.b[start:p.i]), true
}

// str parses the string at p.i (on its opening quote). lone reports a \u
// escape of an unpaired surrogate, which is decoded as U+FFFD, as
// encoding/json does.
func (p *parser) str() (s string, lone, ok bool) {
	p.i++ // '"'
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s = string(p.b[start:p.i])
			p.i++
			return s, false, true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false, p.fail("in string literal")
		}
		p.i++
	}
	return "", false, p.fail("")
}

// escaped finishes a string that has an escape, from its first backslash.
func (p *parser) escaped(start int) (string, bool, bool) {
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.b[start:p.i]...)
	lone := false
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), lone, true
		case c < 0x20:
			return "", false, p.fail("in string literal")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++ // '\\'
		if p.i >= len(p.b) {
			return "", false, p.fail("")
		}
		switch e := p.b[p.i]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false, false
			}
			if utf16.IsSurrogate(r) {
				// A high half followed by a low half is one character.
				if r < 0xdc00 && p.i+6 < len(p.b) && p.b[p.i+1] == '\\' && p.b[p.i+2] == 'u' {
					save := p.i
					p.i += 2
					r2, ok := p.hex4()
					if !ok {
						return "", false, false
					}
					if c := utf16.DecodeRune(r, r2); c != utf8.RuneError {
						buf = utf8.AppendRune(buf, c)
						break
					}
					p.i = save // not a pair: the second escape stands alone
				}
				lone = true
				r = utf8.RuneError
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", false, p.fail("in string escape code")
		}
		p.i++
	}
	return "", false, p.fail("")
}

// hex4 reads the four hex digits after "\u", leaving p.i on the last one.
func (p *parser) hex4() (rune, bool) {
	var r rune
	for j := 0; j < 4; j++ {
		p.i++
		if p.i >= len(p.b) {
			return 0, p.fail("")
		}
		c := p.b[p.i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.fail("in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// jsonPath appends a member name to a path: "jwks.keys[0].kty" for plain
// names, `a["odd key"]` for names a dot could not carry unambiguously
// (RULES.md §7: a name with '.', '[', ']' or '"'; and the empty name, which
// would otherwise vanish from the path).
func jsonPath(parent, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		if c := key[i]; c == '.' || c == '[' || c == ']' || c == '"' {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return parent + "[" + strconv.Quote(key) + "]"
	case parent == "":
		return key
	}
	return parent + "." + key
}

// DocumentClientID returns the document's client_id member, read exactly:
// the member named "client_id" byte for byte (not "Client_Id", as a
// case-insensitive decoder would take), the last one when it repeats, as the
// document rules see it. ok is false when body is not a JSON object or the
// member is absent or not a string; "" is a client_id, and an invalid one.
func DocumentClientID(body []byte) (id string, ok bool) {
	if encodingProblem(body) != "" {
		return "", false
	}
	p := &parser{b: body}
	v, parsed := p.document()
	doc, isObject := v.(map[string]any)
	if !parsed || !isObject {
		return "", false
	}
	id, ok = doc["client_id"].(string)
	return id, ok
}

package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// decodeBody runs the body rules (doc-encoding, doc-not-json, doc-not-object,
// doc-duplicate-key) and decodes the document. It returns a nil doc when the
// body cannot be decoded into an object, and then the other document rules
// must not run. keys lists the top-level member names in document order, each
// once, so the later rules report in an order the user can follow.
//
// A byte-order mark stops here, like invalid UTF-8: RFC 8259 only lets a
// parser ignore it, and Go servers (encoding/json) reject the body outright.
func decodeBody(body []byte) (fs findings, doc map[string]any, keys []string) {
	if msg := encodingProblem(body); msg != "" {
		fs.add("doc-encoding", Error, "", msg)
		return fs, nil, nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		fs.add("doc-not-json", Error, "", syntaxMessage(body, err))
		return fs, nil, nil
	}
	doc, ok := v.(map[string]any)
	if !ok {
		fs.add("doc-not-object", Error, "", fmt.Sprintf("the document is a JSON %s, not an object; it must be one object {...} holding the client metadata", jsonKind(v)))
		return fs, nil, nil
	}
	dups, keys := scanKeys(body)
	return append(fs, dups...), doc, keys
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

// syntaxMessage says where the JSON went wrong, as line and column (what an
// editor shows) plus the byte offset (what a hex dump shows).
func syntaxMessage(body []byte, err error) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "the body is empty; it must be a JSON object"
	}
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		return fmt.Sprintf("the body is not JSON: %v", err)
	}
	// Offset counts the bytes read, the bad one included; at the end of the
	// input it is len(body), the place where more was expected.
	at := min(max(int(se.Offset), 0), len(body))
	if at > 0 && se.Error() != "unexpected end of JSON input" {
		at--
	}
	line, col := position(body, at)
	return fmt.Sprintf("the body is not JSON: %s at line %d, column %d (byte offset %d)", se.Error(), line, col, at)
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

// jsonKind names the JSON type of a value decoded by encoding/json.
func jsonKind(v any) string {
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

// scanFrame is one open object or array during scanKeys's walk.
type scanFrame struct {
	object    bool
	path      string          // JSON path of this object or array
	expectKey bool            // object: the next string token is a member name
	key       string          // object: the member being read
	index     int             // array: the element being read
	seen      map[string]bool // object: member names so far
	reported  map[string]bool // object: duplicates already reported
}

// scanKeys walks the tokens of a valid JSON text and reports each member
// name that appears twice in one object, at any depth: encoding/json keeps
// the last value silently, other parsers keep the first or fail. It also
// returns the top-level member names in order. A name is reported once per
// object, at its second appearance, however often it repeats.
func scanKeys(body []byte) (fs findings, keys []string) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var stack []*scanFrame
	// done marks the value just read as complete in its container.
	done := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	// childPath is the path of the value about to be read.
	childPath := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if top.object {
			return jsonPath(top.path, top.key)
		}
		return top.path + "[" + strconv.Itoa(top.index) + "]"
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			// io.EOF at the end; no other error can happen on a body that
			// json.Unmarshal accepted, and stopping is all we could do.
			return fs, keys
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &scanFrame{
					object: t == '{', path: childPath(), expectKey: true,
					seen: map[string]bool{}, reported: map[string]bool{},
				})
			default:
				stack = stack[:len(stack)-1]
				done()
			}
			continue
		case string:
			if top := len(stack) - 1; top >= 0 && stack[top].object && stack[top].expectKey {
				f := stack[top]
				f.key, f.expectKey = t, false
				if f.seen[t] && !f.reported[t] {
					f.reported[t] = true
					fs.add("doc-duplicate-key", Error, jsonPath(f.path, t), fmt.Sprintf("the member %q appears more than once in one object; servers differ on which value wins, so keep only one", t))
				}
				if top == 0 && !f.seen[t] {
					keys = append(keys, t)
				}
				f.seen[t] = true
				continue
			}
		}
		done()
	}
}

// jsonPath appends a member name to a path: "jwks.keys[0].kty" for plain
// names, `a["odd key"]` for names a dot could not carry unambiguously.
func jsonPath(parent, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '#') {
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

package build

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The JSON config files of static hosts that carry response headers: at
// the root of the directory deployed, like _headers.
const (
	VercelFile   = "vercel.json"   // "headers": [{"source", "headers": [{"key", "value"}]}]
	FirebaseFile = "firebase.json" // "hosting": {"headers": [{"source", "headers": [...]}]}
)

// hostJSON says where in a host's JSON file the header rules live: the keys
// from the top-level object down to the array of rules.
var hostJSON = map[string][]string{
	VercelFile:   {"headers"},
	FirebaseFile: {"hosting", "headers"},
}

// headerRule is one entry of the header rules of vercel.json and
// firebase.json, which spell them alike: a source pattern and the headers
// its responses get.
type headerRule struct {
	Source  string   `json:"source"`
	Headers []header `json:"headers"`
}

type header struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// HostJSON returns the file name (VercelFile or FirebaseFile) that kind
// ("vercel" or "firebase") writes, and a new such file holding cimd's rule:
// the document at path is served as application/json with cacheControl
// (when not empty). A new firebase.json also says "public": "." (it sits
// at the root of what is deployed) and ignores itself.
func HostJSON(kind, path, cacheControl string) (string, []byte, error) {
	var name string
	switch kind {
	case "vercel":
		name = VercelFile
	case "firebase":
		name = FirebaseFile
	default:
		return "", nil, fmt.Errorf("unknown header file kind %q", kind)
	}
	rule := headerRule{Source: path, Headers: []header{{"Content-Type", "application/json"}}}
	if cacheControl != "" {
		rule.Headers = append(rule.Headers, header{"Cache-Control", cacheControl})
	}
	var v any = struct {
		Headers []headerRule `json:"headers"`
	}{[]headerRule{rule}}
	if name == FirebaseFile {
		// firebase deploy, run in the output directory, needs "public"; the
		// file itself is config, not content.
		v = struct {
			Hosting any `json:"hosting"`
		}{struct {
			Public  string       `json:"public"`
			Ignore  []string     `json:"ignore"`
			Headers []headerRule `json:"headers"`
		}{".", []string{"firebase.json"}, []headerRule{rule}}}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", nil, err
	}
	return name, append(b, '\n'), nil
}

// MergeHostJSON returns the host file name (VercelFile or FirebaseFile) to
// write when existing is already there: existing with cimd's rule (the one
// in ours, found by its "source") put in place of the rule with the same
// source, or appended to the rules when there is none. Everything else in
// existing is kept byte for byte: the user's keys, their order, spacing and
// the other rules; missing objects and arrays on the way are added. A file
// that is not one JSON object, or whose keys on the way hold something else
// than an object (an array for the rules), is refused: cimd would not know
// what to keep.
func MergeHostJSON(name string, existing, ours []byte) ([]byte, error) {
	keys, ok := hostJSON[name]
	if !ok {
		return nil, fmt.Errorf("%s: not a host file cimd merges", name)
	}
	if len(bytes.TrimSpace(existing)) == 0 {
		return ours, nil
	}
	if !json.Valid(existing) {
		var v any
		err := json.Unmarshal(existing, &v)
		return nil, fmt.Errorf("%s is not valid JSON (%v): fix or remove it, and cimd adds its header rule to it", name, err)
	}
	// cimd's rule, in its own key order (source first).
	var mine headerRule
	{
		var v any
		if err := json.Unmarshal(ours, &v); err != nil {
			return nil, err
		}
		for _, k := range keys {
			m, _ := v.(map[string]any)
			v = m[k]
		}
		rules, _ := v.([]any)
		if len(rules) != 1 {
			return nil, fmt.Errorf("%s: cimd's own file holds %d rules, not one", name, len(rules))
		}
		b, _ := json.Marshal(rules[0])
		if err := json.Unmarshal(b, &mine); err != nil {
			return nil, err
		}
	}
	rule, err := json.Marshal(mine)
	if err != nil {
		return nil, err
	}

	start := skipSpace(existing, 0)
	if existing[start] != '{' {
		return nil, fmt.Errorf("%s is not a JSON object: cimd merges its header rule only into an object", name)
	}
	// Walk down the keys; at each level find the member, or insert what is
	// missing from there down.
	at := start
	for i, k := range keys {
		where := name + ": " + strings.Join(keys[:i+1], ".")
		members, closeAt, err := objectMembers(existing, at)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		m, found := members[k]
		if !found {
			var v any = []json.RawMessage{rule}
			for j := len(keys) - 1; j > i; j-- {
				v = map[string]any{keys[j]: v}
			}
			return insertMember(existing, at, closeAt, len(members) == 0, k, v)
		}
		last := i == len(keys)-1
		if !last {
			if existing[m.start] != '{' {
				return nil, fmt.Errorf("%s is not an object: cimd adds its header rule only to one site (a list of sites, one per target, is yours to edit)", where)
			}
			at = m.start
			continue
		}
		if existing[m.start] != '[' {
			return nil, fmt.Errorf("%s is not an array of header rules", where)
		}
		return mergeRule(existing, m.start, rule, mine.Source, where)
	}
	return nil, fmt.Errorf("%s: no keys to merge into", name) // hostJSON has none empty
}

// span is the bytes [start, end) of one JSON value in a file.
type span struct{ start, end int }

// objectMembers returns the members of the object whose '{' is at b[at],
// each key's value span, and the offset of its closing '}'.
func objectMembers(b []byte, at int) (map[string]span, int, error) {
	dec := json.NewDecoder(bytes.NewReader(b[at:]))
	if _, err := dec.Token(); err != nil {
		return nil, 0, err
	}
	members := map[string]span{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, 0, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, 0, err
		}
		end := at + int(dec.InputOffset())
		if _, dup := members[t.(string)]; !dup {
			members[t.(string)] = span{end - len(raw), end}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, 0, err
	}
	return members, at + int(dec.InputOffset()) - 1, nil
}

// mergeRule replaces, in the array whose '[' is at b[at], the first rule
// whose source is source with rule, and drops later ones with that source;
// or appends rule when there is none.
func mergeRule(b []byte, at int, rule json.RawMessage, source, where string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b[at:]))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var elems []span
	var mine []int
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		end := at + int(dec.InputOffset())
		elems = append(elems, span{end - len(raw), end})
		var r struct {
			Source *string `json:"source"`
		}
		if raw[0] == '{' && json.Unmarshal(raw, &r) == nil && r.Source != nil && *r.Source == source {
			mine = append(mine, len(elems)-1)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	closeAt := at + int(dec.InputOffset()) - 1
	indent := elementIndent(b, at, elems)
	text := indentJSON(rule, indent)
	var out []byte
	switch {
	case len(mine) > 0:
		first := elems[mine[0]]
		out = append(out, b[:first.start]...)
		out = append(out, text...)
		prev := first.end
		for _, i := range mine[1:] {
			// Drop the element and the comma before it.
			comma := bytes.LastIndexByte(b[prev:elems[i].start], ',') + prev
			out = append(out, b[prev:comma]...)
			prev = elems[i].end
		}
		out = append(out, b[prev:]...)
	case len(elems) == 0:
		out = append(out, b[:at+1]...)
		out = append(out, text...)
		out = append(out, b[closeAt:]...)
	default:
		lastEnd := elems[len(elems)-1].end
		sep := ", "
		if indent != "" {
			sep = ",\n" + indent
		}
		out = append(out, b[:lastEnd]...)
		out = append(out, sep...)
		out = append(out, text...)
		out = append(out, b[lastEnd:]...)
	}
	return checked(out)
}

// insertMember adds "key": v as the last member of the object whose '{' is
// at b[at] and '}' at b[closeAt].
func insertMember(b []byte, at, closeAt int, empty bool, key string, v any) ([]byte, error) {
	indent := "  "
	if !empty {
		members, _, _ := objectMembers(b, at)
		first := closeAt
		for _, m := range members {
			first = min(first, m.start)
		}
		// The key starts the line of the first member's value.
		line := b[:first]
		if nl := bytes.LastIndexByte(line, '\n'); nl >= 0 && nl > at {
			rest := line[nl+1:]
			indent = string(rest[:len(rest)-len(bytes.TrimLeft(rest, " \t"))])
		} else {
			indent = ""
		}
	}
	val, err := json.MarshalIndent(v, "", "  ")
	if !empty && indent == "" {
		val, err = json.Marshal(v) // an object written on one line stays so
	}
	if err != nil {
		return nil, err
	}
	k, _ := json.Marshal(key)
	member := string(k) + ": " + string(indentJSON(val, indent))
	// Insert after the last value, before the whitespace that precedes '}'.
	end := closeAt
	for end > at+1 && isSpace(b[end-1]) {
		end--
	}
	var out []byte
	out = append(out, b[:end]...)
	switch {
	case empty:
		out = append(out, "\n"+indent+member+"\n"...)
		out = append(out, b[closeAt:]...)
		return checked(out)
	case indent == "":
		out = append(out, ", "+member...)
	default:
		out = append(out, ",\n"+indent+member...)
	}
	out = append(out, b[end:]...)
	return checked(out)
}

// elementIndent returns the indentation of the first element of an array
// spread over lines, or "" for one written on a single line or empty.
func elementIndent(b []byte, at int, elems []span) string {
	if len(elems) == 0 {
		return ""
	}
	between := b[at+1 : elems[0].start]
	nl := bytes.LastIndexByte(between, '\n')
	if nl < 0 {
		return ""
	}
	return string(between[nl+1:])
}

// indentJSON returns v (compact or indented JSON) indented by two spaces a
// level, its lines after the first prefixed with prefix; compact when
// prefix is "" and v is one line.
func indentJSON(v []byte, prefix string) []byte {
	var buf bytes.Buffer
	if prefix == "" && !bytes.Contains(v, []byte("\n")) {
		return v
	}
	if err := json.Indent(&buf, v, prefix, "  "); err != nil {
		return v
	}
	return buf.Bytes()
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// checked makes sure a merge produced JSON; a bug here must not write a
// broken host config.
func checked(b []byte) ([]byte, error) {
	if !json.Valid(b) {
		return nil, errors.New("merging the header rule produced invalid JSON (a bug in cimd); nothing written")
	}
	return b, nil
}

// FirebaseDrops returns the pattern of firebase.json's hosting.ignore that
// leaves the URL path p out of a deploy, or "": the "**/.*" that firebase
// init writes skips every dot-directory, .well-known among them.
func FirebaseDrops(file []byte, p string) string {
	var f struct {
		Hosting struct {
			Ignore []string `json:"ignore"`
		} `json:"hosting"`
	}
	if json.Unmarshal(file, &f) != nil {
		return ""
	}
	dotted := false
	for _, part := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		dotted = dotted || strings.HasPrefix(part, ".")
	}
	for _, pat := range f.Hosting.Ignore {
		if dotted && (pat == "**/.*" || pat == ".*" || pat == "**/.*/**") {
			return pat
		}
	}
	return ""
}

// Package build turns a [config.Config] into the bytes of its Client ID
// Metadata Document, and writes them, with any host header files, without
// ever leaving a half-written file behind. It owns cimd's one atomic writer
// ([WriteFile], [WriteTrees], [WriteSites]), which publish's dir target uses
// too, and refuses environments that would write the same file
// ([Collisions]).
package build

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Member is one name/value pair of a JSON object, for output whose member
// order is chosen by the caller rather than sorted.
type Member struct {
	Name  string
	Value any
}

// Marshal encodes members as a JSON object in the given order, indented by
// two spaces and ending in a newline. Non-ASCII text stays UTF-8 and <, >, &
// are not escaped, so the file reads as written. Nested values are encoded
// the same way, objects (maps) with their keys sorted, so the output is a
// function of the input alone.
func Marshal(members []Member) ([]byte, error) { return marshal(members, true) }

// MarshalCompact is [Marshal] on one line, with no space after ":" or ",",
// still ending in a newline.
func MarshalCompact(members []Member) ([]byte, error) { return marshal(members, false) }

func marshal(members []Member, indent bool) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			b.WriteByte(',')
		}
		if indent {
			b.WriteString("\n  ")
		}
		name, err := encode(m.Name)
		if err != nil {
			return nil, fmt.Errorf("encode member name %q: %w", m.Name, err)
		}
		b.Write(name)
		b.WriteByte(':')
		v, err := encode(m.Value)
		if err != nil {
			return nil, fmt.Errorf("encode %q: %w", m.Name, err)
		}
		if !indent {
			b.Write(v)
			continue
		}
		b.WriteByte(' ')
		if err := json.Indent(&b, v, "  ", "  "); err != nil {
			return nil, fmt.Errorf("encode %q: %w", m.Name, err)
		}
	}
	if indent && len(members) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// encode is json.Marshal without HTML escaping and without the newline
// json.Encoder adds.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

package config

import "fmt"

// Limits checked before a cimd.toml is decoded. A real one is a few
// kilobytes and four tables deep ([env.staging.publish.s3]); the TOML
// decoder's time and memory grow much faster than the input with deep
// nesting (a 200 KB header of dotted parts took 33 s and 10 GB), so a file
// beyond either limit is refused without decoding it.
const (
	// MaxFileSize is the largest cimd.toml Load reads.
	MaxFileSize = 1 << 20
	// MaxDepth is how many tables and arrays deep a value may be nested,
	// counting table header parts, dotted key parts, inline tables and
	// arrays: [env.staging.client.extra] then a = {b = [{c = 1}]} puts 1
	// seven deep.
	MaxDepth = 8
)

// depthError is a place where the nesting exceeds MaxDepth.
type depthError struct {
	line, col int
}

// scanDepth reports the first place in src nested deeper than MaxDepth, or
// nil. It is a linear pass over the bytes that knows comments, all four
// string forms, table headers, dotted keys, inline tables and arrays; it
// does not validate anything else and leaves syntax errors to the decoder.
func scanDepth(src []byte) *depthError {
	s := depthScanner{src: src, line: 1}
	return s.run()
}

type depthScanner struct {
	src        []byte
	i          int
	line       int
	lineStart  int
	tableDepth int // containers of keys under the current [header]
}

// frame is an open inline table or array. level counts the containers of a
// value directly inside it; in an inline table, valueLevel adds the parts
// of the dotted key being assigned.
type frame struct {
	table      bool
	level      int
	valueLevel int
	expectKey  bool
}

func (s *depthScanner) errAt(i int) *depthError {
	return &depthError{line: s.line, col: i - s.lineStart + 1}
}

func (s *depthScanner) run() *depthError {
	for {
		s.skipSpaceNewlines()
		if s.i >= len(s.src) {
			return nil
		}
		start := s.i
		if s.src[s.i] == '[' {
			arr := s.i+1 < len(s.src) && s.src[s.i+1] == '['
			s.i++
			if arr {
				s.i++
			}
			parts := s.keyParts(']')
			s.tableDepth = parts
			if arr {
				s.tableDepth++ // the array, then its element table
			}
			if s.tableDepth > MaxDepth {
				return s.errAt(start)
			}
			s.skipLine()
			continue
		}
		parts := s.keyParts('=')
		if s.i >= len(s.src) || s.src[s.i] != '=' {
			s.skipLine() // not a key = value: the decoder will say so
			continue
		}
		s.i++
		level := s.tableDepth + parts - 1
		if level > MaxDepth {
			return s.errAt(start)
		}
		if err := s.value(level); err != nil {
			return err
		}
		s.skipLine()
	}
}

// value scans one value whose containers number level, through the end of
// any inline tables and arrays it opens.
func (s *depthScanner) value(level int) *depthError {
	var stack []frame
	cur := func() int {
		if len(stack) == 0 {
			return level
		}
		return stack[len(stack)-1].valueLevel
	}
	for s.i < len(s.src) {
		c := s.src[s.i]
		if len(stack) > 0 && stack[len(stack)-1].expectKey {
			var done bool
			var err *depthError
			if stack, done, err = s.inlineKey(stack); done || err != nil {
				return err
			}
			continue
		}
		switch c {
		case ' ', '\t', '\r':
			s.i++
		case '\n':
			if len(stack) == 0 {
				return nil
			}
			s.newline()
		case '#':
			if len(stack) == 0 {
				return nil
			}
			s.skipComment()
		case '"', '\'':
			s.skipString()
		case '[', '{':
			lvl := cur() + 1
			if lvl > MaxDepth {
				return s.errAt(s.i)
			}
			stack = append(stack, frame{table: c == '{', level: lvl, valueLevel: lvl, expectKey: c == '{'})
			s.i++
		case ']', '}':
			s.i++
			if len(stack) == 0 {
				return nil // a stray bracket: the decoder will say so
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil
			}
		case ',':
			s.i++
			if len(stack) > 0 && stack[len(stack)-1].table {
				stack[len(stack)-1].expectKey = true
			}
		default:
			if len(stack) == 0 {
				// A scalar: the rest of the line is not nesting.
				for s.i < len(s.src) && s.src[s.i] != '\n' && s.src[s.i] != '#' {
					s.i++
				}
				return nil
			}
			s.i++
		}
	}
	return nil
}

// inlineKey scans what follows an inline table's '{' or ',': either its
// closing '}', which pops it, or a dotted key through its '='. It returns
// the stack and whether the whole value is done.
func (s *depthScanner) inlineKey(stack []frame) ([]frame, bool, *depthError) {
	s.skipSpaceNewlines()
	if s.i >= len(s.src) {
		return stack, true, nil
	}
	if s.src[s.i] == '}' {
		stack = stack[:len(stack)-1]
		s.i++
		return stack, len(stack) == 0, nil
	}
	start := s.i
	top := &stack[len(stack)-1]
	parts := s.keyParts('=')
	top.expectKey = false
	top.valueLevel = top.level + parts - 1
	if top.valueLevel > MaxDepth {
		return stack, true, s.errAt(start)
	}
	if s.i < len(s.src) && s.src[s.i] == '=' {
		s.i++
	}
	return stack, false, nil
}

// keyParts scans a dotted key up to (not past) the byte end, or the end of
// the line, and returns how many parts it has.
func (s *depthScanner) keyParts(end byte) int {
	parts := 1
	for s.i < len(s.src) {
		switch c := s.src[s.i]; c {
		case end:
			return parts
		case '\n':
			return parts
		case '.':
			parts++
			s.i++
		case '"', '\'':
			s.skipString()
		default:
			s.i++
		}
	}
	return parts
}

// skipString skips a basic or literal string, one-line or multi-line,
// starting at its opening quote.
func (s *depthScanner) skipString() {
	q := s.src[s.i]
	if s.i+2 < len(s.src) && s.src[s.i+1] == q && s.src[s.i+2] == q {
		s.i += 3
		for s.i < len(s.src) {
			switch c := s.src[s.i]; {
			case c == '\\' && q == '"':
				s.i++
				if s.i < len(s.src) && s.src[s.i] == '\n' {
					s.newline()
				} else {
					s.i++
				}
				continue
			case c == '\n':
				s.newline()
				continue
			case c == q && s.i+2 < len(s.src) && s.src[s.i+1] == q && s.src[s.i+2] == q:
				s.i += 3
				// Up to two more quotes belong to the string.
				for k := 0; k < 2 && s.i < len(s.src) && s.src[s.i] == q; k++ {
					s.i++
				}
				return
			}
			s.i++
		}
		return
	}
	s.i++
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == '\\' && q == '"':
			if s.i+1 < len(s.src) && s.src[s.i+1] == '\n' {
				s.i++
				return // unterminated: the decoder will say so
			}
			s.i += 2
			continue
		case c == q:
			s.i++
			return
		case c == '\n':
			return // unterminated: the decoder will say so
		}
		s.i++
	}
}

func (s *depthScanner) newline() {
	s.i++
	s.line++
	s.lineStart = s.i
}

func (s *depthScanner) skipComment() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
}

// skipLine skips to the next line, past strings that could hide a newline.
func (s *depthScanner) skipLine() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		if c := s.src[s.i]; c == '"' || c == '\'' {
			s.skipString()
			continue
		}
		if s.src[s.i] == '#' {
			s.skipComment()
			break
		}
		s.i++
	}
}

func (s *depthScanner) skipSpaceNewlines() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\r':
			s.i++
		case '\n':
			s.newline()
		case '#':
			s.skipComment()
		default:
			return
		}
	}
}

func (e *depthError) msg() string {
	return fmt.Sprintf("nested more than %d tables or arrays deep (table header parts, dotted key parts, inline tables and arrays all count); not decoded", MaxDepth)
}

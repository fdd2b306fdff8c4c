package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Error is one problem in a cimd.toml, at a key and, when it can be found, a
// line and column. [Load] joins every Error it finds with errors.Join, so a
// user fixes them all in one pass.
type Error struct {
	File string // the config file, as given by the user
	Line int    // 1-based; 0 when the key is not written in the file
	Col  int    // 1-based; 0 with Line
	Key  string // full dotted key path, e.g. env.staging.publish.s3.bucket; may be ""
	Msg  string
	Err  error // the underlying error, if any
}

// Error formats the problem as "file:line:col: key: message", leaving out
// the position or key it does not know.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d:%d", e.Line, e.Col)
	}
	if e.Key != "" {
		s += ": " + e.Key
	}
	return s + ": " + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// problems collects the [Error]s of one file. A nil *problems discards them,
// which lets the decoder run again on merged tables whose problems were
// already reported against the file.
type problems struct {
	file string
	keys *lazyKeys // where each key of the file is written
	errs []*Error
	seen map[string]bool

	bad  map[string]bool // keys with a problem already, e.g. a wrong type
	said map[string]bool // "key: message" of the top level's value problems
}

// add records msg about key, positioned at where key is written.
func (p *problems) add(key toml.Key, format string, args ...any) {
	if p == nil {
		return
	}
	line, col := p.keys.locate(key)
	p.addAt(line, col, key, fmt.Sprintf(format, args...))
}

func (p *problems) addAt(line, col int, key toml.Key, msg string) {
	e := &Error{File: p.file, Line: line, Col: col, Msg: msg}
	if len(key) > 0 {
		e.Key = keyString(key)
		if p.bad != nil {
			p.bad[e.Key] = true
		}
	}
	// An environment inherits the top level's mistakes; say them once.
	if id := e.Error(); !p.seen[id] {
		if p.seen == nil {
			p.seen = map[string]bool{}
		}
		p.seen[id] = true
		p.errs = append(p.errs, e)
	}
}

// keyString writes a key path for messages, an array-of-tables entry as
// suppress[0] rather than TOML's suppress."[0]".
func keyString(k toml.Key) string {
	return strings.NewReplacer(`."[`, "[", `]"`, "]").Replace(k.String())
}

// err returns the problems in file order, those without a line last, or nil.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(p.errs, func(a, b *Error) int {
		if (a.Line == 0) != (b.Line == 0) {
			if a.Line == 0 {
				return 1
			}
			return -1
		}
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	errs := make([]error, len(p.errs))
	for i, e := range p.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

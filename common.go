package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// envFlags are the -c, --env and --all-envs flags that build, publish and
// validate share.
type envFlags struct {
	config string
	env    string
	all    bool
}

func (e *envFlags) register(fs *pflag.FlagSet) {
	fs.StringVarP(&e.config, "config", "c", "cimd.toml", "the config `FILE`")
	fs.StringVar(&e.env, "env", "", "use environment `NAME` ([env.NAME] merged over the top level)")
	fs.BoolVar(&e.all, "all-envs", false, "use the top level and every [env.*]")
}

// load reads the config and selects the environments; every failure is a
// configuration error (exit 2).
func (e *envFlags) load() (*config.File, []*config.Config, error) {
	if e.env != "" && e.all {
		return nil, nil, usagef("--env and --all-envs cannot be used together")
	}
	f, err := config.Load(e.config)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, usagef("%s not found: run 'cimd init' to write one, or name another with -c FILE", e.config)
	}
	if err != nil {
		return nil, nil, usageErr(err)
	}
	cfgs, err := f.Select(e.env, e.all)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	return f, cfgs, nil
}

// outputFlags are --json and -q, shared by build, publish and validate.
type outputFlags struct {
	json    bool
	quiet   bool
	verbose bool
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print one JSON object on stdout")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print only errors")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "also show info findings")
}

// writeJSON prints v as indented JSON, without HTML escaping. Only the
// first maxIndentDepth levels are indented, deeper ones are written compact:
// a document nested 60 levels deep would otherwise come out with the square
// of its depth in spaces (5 KB in, megabytes out).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(indentJSON(buf.Bytes(), maxIndentDepth))
	return err
}

// maxIndentDepth is deep enough for every member of a document in validate's
// --json output: results, a result, document, jwks, keys, a key, its members.
const maxIndentDepth = 8

// indentJSON indents compact JSON text (as json.Encoder writes it) by two
// spaces a level, like json.Indent, down to maxDepth levels of nesting.
func indentJSON(src []byte, maxDepth int) []byte {
	out := make([]byte, 0, len(src)+len(src)/2)
	newline := func(depth int) {
		out = append(out, '\n')
		for range depth {
			out = append(out, ' ', ' ')
		}
	}
	depth, inString := 0, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if inString {
			out = append(out, c)
			switch c {
			case '\\':
				i++
				if i < len(src) {
					out = append(out, src[i])
				}
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			out = append(out, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				out = append(out, src[i+1])
				i++
				continue
			}
			depth++
			if depth <= maxDepth {
				newline(depth)
			}
		case '}', ']':
			depth--
			if depth < maxDepth {
				newline(depth)
			}
			out = append(out, c)
		case ',':
			out = append(out, c)
			if depth <= maxDepth {
				newline(depth)
			}
		case ':':
			out = append(out, c)
			if depth <= maxDepth {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// shown returns the findings to print as text: errors only when quiet, info
// only when verbose.
func (o outputFlags) shown(fs []validate.Finding) []validate.Finding {
	var out []validate.Finding
	for _, f := range fs {
		switch {
		case o.quiet && f.Severity != validate.Error:
		case f.Severity == validate.Info && !o.verbose:
		default:
			out = append(out, f)
		}
	}
	return out
}

// envName is how an environment is named in messages.
func envName(c *config.Config) string {
	if c.Env == "" {
		return "top level"
	}
	return "env " + c.Env
}

// render builds the document of c and runs the offline rules on it.
func render(c *config.Config) ([]byte, []validate.Finding, error) {
	doc, err := build.Document(c)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", envName(c), err)
	}
	findings, _ := validate.Check(c.ClientID(), doc, offlineOptions(c))
	if f := validate.CheckSize(len(doc)); f != nil {
		findings = append(findings, *f)
	}
	return doc, findings, nil
}

func offlineOptions(c *config.Config) validate.Options {
	return validate.Options{
		Profile:      validate.Profile(c.Validate.Profile),
		AllowPrivate: c.Validate.AllowPrivate,
	}
}

// countErrors returns how many findings have severity error (and warning,
// with strict).
func countErrors(fs []validate.Finding, strict bool) int {
	n := 0
	for _, f := range fs {
		if f.Severity == validate.Error || (strict && f.Severity == validate.Warning) {
			n++
		}
	}
	return n
}

// printFindings writes one line per finding; info findings only when verbose.
func printFindings(w io.Writer, indent string, fs []validate.Finding, verbose bool, p painter) {
	for _, f := range fs {
		if f.Severity == validate.Info && !verbose {
			continue
		}
		where := ""
		if f.Field != "" {
			where = f.Field + ": "
		}
		fmt.Fprintf(w, "%s%s %s %s\n", indent, p.severity(f.Severity), f.Rule, printable(where+f.Message))
	}
}

// painter colours output, or does nothing when colour is off.
type painter bool

// newPainter turns colour on only for a terminal, and never with NO_COLOR.
func newPainter(s stdio, w io.Writer) painter {
	if s.getenv("NO_COLOR") != "" || s.getenv("TERM") == "dumb" {
		return false
	}
	// A character device is not enough: /dev/null is one too. Ask the
	// terminal driver, as isatty does.
	f, ok := w.(*os.File)
	return painter(ok && term.IsTerminal(int(f.Fd())))
}

func (p painter) paint(code, s string) string {
	if !p {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p painter) severity(s validate.Severity) string {
	label := fmt.Sprintf("%-7s", s)
	switch s {
	case validate.Error:
		return p.paint("31", label)
	case validate.Warning:
		return p.paint("33", label)
	}
	return p.paint("2", label)
}

func (p painter) ok(s string) string  { return p.paint("32", s) }
func (p painter) bad(s string) string { return p.paint("31", s) }

// ruleList names the distinct rules of the error findings, for one-line
// summaries.
func ruleList(fs []validate.Finding, strict bool) string {
	seen := map[string]bool{}
	var rules []string
	for _, f := range fs {
		if (f.Severity == validate.Error || (strict && f.Severity == validate.Warning)) && !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
	}
	sort.Strings(rules)
	return strings.Join(rules, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// prefixed names the environment in each finding's message when there is
// more than the top level, so --all-envs output says which one broke.
func prefixed(c *config.Config, fs []validate.Finding) []validate.Finding {
	if c.Env == "" {
		return fs
	}
	out := make([]validate.Finding, len(fs))
	for i, f := range fs {
		f.Field = strings.TrimSpace("[" + c.Env + "] " + f.Field)
		out[i] = f
	}
	return out
}

// problemJSON is one configuration problem in --json output: where it is
// (file, 1-based line and column, 0 when unknown) and what is wrong.
type problemJSON struct {
	Message string `json:"message"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Key     string `json:"key"`
}

// configProblems lists the problems of an error from loading a config: one
// per [config.Error] that errors.Join put together, or the error itself
// when it has no position (an unknown --env, a missing file).
func configProblems(err error) []problemJSON {
	var out []problemJSON
	var walk func(error)
	walk = func(e error) {
		switch x := e.(type) {
		case nil:
		case *config.Error:
			msg := x.Msg
			if x.Key != "" {
				msg = x.Key + ": " + msg
			}
			out = append(out, problemJSON{Message: msg, File: x.File, Line: x.Line, Col: x.Col, Key: x.Key})
		case *exitError:
			walk(x.err)
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				walk(e)
			}
		default:
			out = append(out, problemJSON{Message: e.Error()})
		}
	}
	walk(err)
	return out
}

// configFailed reports a configuration error where a machine reads it, then
// returns it for exitCode to print on stderr (exit 2): as annotations under
// GitHub Actions, and with --json as one object on stdout,
//
//	{"ok": false, "error": {...}, "errors": [{...}, ...], "results": []}
//
// where error is the first problem and errors all of them (problemJSON).
// validate's object also has "valid": false, the name it used before "ok".
func configFailed(s stdio, of outputFlags, cmd string, err error) error {
	newGitHub(s).annotateConfigError(err)
	if !of.json {
		return err
	}
	ps := configProblems(err)
	if len(ps) == 0 {
		ps = []problemJSON{{Message: err.Error()}}
	}
	v := struct {
		OK      bool          `json:"ok"`
		Valid   *bool         `json:"valid,omitempty"`
		Error   problemJSON   `json:"error"`
		Errors  []problemJSON `json:"errors"`
		Results []struct{}    `json:"results"`
	}{Error: ps[0], Errors: ps, Results: []struct{}{}}
	if cmd == "validate" {
		v.Valid = new(bool)
	}
	if werr := writeJSON(s.out, v); werr != nil {
		return werr
	}
	return err
}

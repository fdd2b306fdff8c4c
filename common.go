package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

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
	if err := checkServerNames(f, cfgs); err != nil {
		return nil, nil, err
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

// writeJSON prints v as indented JSON, without HTML escaping.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
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
	findings, decoded := validate.Check(c.ClientID(), doc, offlineOptions(c))
	if f := validate.CheckSize(len(doc)); f != nil {
		findings = append(findings, *f)
	}
	// A server the client must work with ([validate] servers) refusing
	// the document stops it here, before it is written or published.
	servers, _ := validate.ParseServers(c.Validate.Servers) // checked at load
	_, listed := serverFindings(c.ClientID(), decoded, nil, servers, nil)
	return doc, append(findings, listed...), nil
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
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
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

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/validate"
)

// This file holds what every command's flags share: the FlagSet itself,
// -c/--env/--all-envs and --json/-q/-v.

// newFlagSet returns a FlagSet whose -h prints usage (a synopsis and the
// flags) to stdout exactly once.
func newFlagSet(s stdio, name, synopsis string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cimd "+name, pflag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprint(s.out, strings.TrimLeft(synopsis, "\n"))
		if u := fs.FlagUsages(); u != "" {
			fmt.Fprintf(s.out, "\nFlags:\n%s", u)
		}
		if ex := examples[name]; ex != "" {
			fmt.Fprintf(s.out, "\nExamples:\n%s\n", ex)
		}
	}
	if s.flagSets != nil {
		s.flagSets(fs)
	}
	return fs
}

// parse parses args; -h has printed usage and yields errHelp, which the
// caller returns as success.
func parse(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return errHelp
		}
		name := strings.TrimPrefix(fs.Name(), "cimd ")
		return usagef("%s: %v (see 'cimd %s -h')", name, err, name)
	}
	return nil
}

// parseNoArgs is [parse] for a command that takes flags only: a
// positional argument is a usage error.
func parseNoArgs(fs *pflag.FlagSet, args []string) error {
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s takes no arguments (got %q)", strings.TrimPrefix(fs.Name(), "cimd "), fs.Args())
	}
	return nil
}

// errHelp ends a command successfully after its usage was printed.
var errHelp = silentExit(exitOK)

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
	f, names, err := e.loadNames()
	if err != nil {
		return nil, nil, err
	}
	cfgs := make([]*config.Config, len(names))
	for i, name := range names {
		cfgs[i] = f.Config(name)
	}
	if err := checkServerNames(f, slices.Values(cfgs)); err != nil {
		return nil, nil, err
	}
	return f, cfgs, nil
}

// loadNames is load for a command of many environments that takes each
// Config in turn ([config.File.Config]) rather than holding them all: it
// returns the names selected, and leaves checkServerNames to the caller.
func (e *envFlags) loadNames() (*config.File, []string, error) {
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
	if err := checkSuppressions(f); err != nil {
		return nil, nil, usageErr(err)
	}
	names, err := f.Names(e.env, e.all)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	return f, names, nil
}

// configs yields the Config of each of names, one at a time.
func configs(f *config.File, names []string) iter.Seq[*config.Config] {
	return func(yield func(*config.Config) bool) {
		for _, name := range names {
			if !yield(f.Config(name)) {
				return
			}
		}
	}
}

// outputFlags are --json, -q, -v and --sarif, shared by build, publish and
// validate (and check-server).
type outputFlags struct {
	json    bool
	quiet   bool
	verbose bool
	sarif   string // also write a SARIF 2.1.0 log to this file (sarif.go)
}

func (o *outputFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&o.json, "json", false, "print one JSON object on stdout")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print only errors")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "also show info findings")
	fs.StringVar(&o.sarif, "sarif", "", "also write the findings as a SARIF 2.1.0 log to `FILE` (code scanning)")
}

// shown returns the findings to print as text: errors only when quiet, info
// only when verbose.
func (o outputFlags) shown(findings []validate.Finding) []validate.Finding {
	var out []validate.Finding
	for _, f := range findings {
		switch {
		case o.quiet && f.Severity != validate.Error:
		case f.Severity == validate.Info && !o.verbose:
		default:
			out = append(out, f)
		}
	}
	return out
}

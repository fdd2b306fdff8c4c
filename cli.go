package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
)

// Exit codes, as RULES.md §5 sets them.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// stdio carries a command's streams and the process environment it may read.
type stdio struct {
	in     io.Reader
	out    io.Writer
	err    io.Writer
	getenv func(string) string
}

// command is one row of the command table.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, s stdio, args []string) error
}

func commands() []command {
	return []command{
		{"init", "write a commented cimd.toml (and a CI workflow)", runInit},
		{"create", "create a document from flags, like fastmcp auth cimd create", runCreate},
		{"build", "render the document from cimd.toml and check it", runBuild},
		{"publish", "build, upload to S3 or a directory, then verify the live URL", runPublish},
		{"validate", "check a live URL, a file, or the deployed copy of cimd.toml", runValidate},
		{"version", "print the version", runVersion},
	}
}

// exitError carries an exit code other than 1 through the error chain.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as a usage or configuration error (exit 2).
func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// usagef is usageErr with formatting.
func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// errFailed is returned by commands that already printed what went wrong (for
// example the findings of an invalid document) and only need exit 1.
var errFailed = errors.New("failed")

// interrupted is the cause of the context a signal canceled.
type interrupted struct{ sig os.Signal }

func (e interrupted) Error() string { return "interrupted by " + e.sig.String() }

// exitCode is 128 + the signal's number, as a shell reports it: 130 for
// SIGINT, 143 for SIGTERM.
func (e interrupted) exitCode() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// silentExit is an exit code with nothing more to print.
type silentExit int

func (e silentExit) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := stdio{in: stdin, out: stdout, err: stderr, getenv: os.Getenv}
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "help":
		if name == "help" && len(args) == 2 {
			// "cimd help build" is "cimd build -h", as in go and gh.
			return run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr)
		}
		topUsage(stdout)
		return exitOK
	case "-v", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, s, args[1:])
			// A signal ends every command the same way, whatever it was
			// doing: one line, and the shell's exit code for the signal.
			var sig interrupted
			if errors.As(context.Cause(ctx), &sig) {
				fmt.Fprintln(stderr, "cimd: interrupted")
				return sig.exitCode()
			}
			return exitCode(stderr, err)
		}
	}
	fmt.Fprintf(stderr, "cimd: unknown command %q\nRun 'cimd -h' for the list of commands.\n", name)
	return exitUsage
}

// exitCode prints err once, as "cimd: <err>", and maps it to an exit code.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var se silentExit
	if errors.As(err, &se) {
		return int(se)
	}
	if errors.Is(err, errFailed) {
		return exitFailed
	}
	code := exitFailed
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	// A config error lists every problem, one per line: each gets the prefix.
	fmt.Fprintf(stderr, "cimd: %s\n", strings.ReplaceAll(err.Error(), "\n", "\ncimd: "))
	return code
}

func topUsage(w io.Writer) {
	fmt.Fprint(w, `cimd builds, publishes and validates an OAuth Client ID Metadata Document
(CIMD): the JSON document whose HTTPS URL is an OAuth client_id.

Usage:
  cimd <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'cimd <command> -h' for a command's flags.
Exit codes: 0 ok, 1 errors found or an operation failed, 2 usage or config error.
`)
}

// newFlagSet returns a FlagSet whose -h prints usage (a synopsis and the
// flags) to stdout exactly once.
func newFlagSet(s stdio, name, synopsis string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("cimd "+name, pflag.ContinueOnError)
	fs.SetOutput(s.err)
	fs.SortFlags = false
	fs.Usage = func() {
		fmt.Fprintf(s.out, "%s\nFlags:\n%s", strings.TrimLeft(synopsis, "\n"), fs.FlagUsages())
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

// errHelp ends a command successfully after its usage was printed.
var errHelp = silentExit(exitOK)

func runVersion(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "version", `
Usage: cimd version

Prints the module version and the Go version it was built with.
`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(s.out, "cimd %s\n", version())
	return nil
}

// version reads the module version from the build info: "(devel)" for a
// local build, the tag for `go install ...@vX`.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	return v + " " + bi.GoVersion
}

// userAgent is what cimd sends on every HTTP request.
func userAgent() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "cimd/" + v
}

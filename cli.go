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

	"github.com/cimd-dev/cimd/config"
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

	// flagSets, when set, receives every FlagSet newFlagSet makes: the
	// completion generator learns each command's flags this way.
	flagSets func(*pflag.FlagSet)
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
		{"check-server", "will an authorization server accept the client, and MCP clients use CIMD?", runCheckServer},
		{"keys", "generate, rotate and retire the keys of a private_key_jwt client", runKeys},
		{"assert", "print a signed client assertion (RFC 7523) for testing a token endpoint", runAssert},
		{"version", "print the version", runVersion},
		{"completion", "print a shell completion script (bash, zsh or fish)", runCompletion},
	}
}

// examples are shown at the end of each command's -h.
var examples = map[string]string{
	"init": `  cimd init --url https://app.example.com/oauth/client.json --name "Example App"
  cimd init --ci github          # add the workflow next to an existing cimd.toml`,
	"create": `  cimd create --name "My App" --redirect-uri http://127.0.0.1:8765/callback \
              --client-id https://app.example.com/oauth/client.json -o client.json`,
	"build": `  cimd build                     # -> public/oauth/client.json
  cimd build --all-envs --json`,
	"publish": `  cimd publish --dry-run
  cimd publish --env staging --wait 5m`,
	"validate": `  cimd validate https://app.example.com/oauth/client.json
  cimd validate public/oauth/client.json --strict
  curl -s https://app.example.com/oauth/client.json | cimd validate - --url https://app.example.com/oauth/client.json
  cimd validate --all-envs --wait 2m   # the deployed copy of every environment`,
	"keys": `  cimd keys generate              # ES256, kid = RFC 7638 thumbprint
  cimd keys generate --alg RS256 --kid 2026-12
  cimd keys rotate                # add the next key; publish; wait for caches
  cimd keys retire                # then make it current and drop the old one
  cimd keys list`,
	"assert": `  cimd assert --aud https://auth.example.com/oauth/token
  cimd assert --aud https://auth.example.com --kid 2026-12 --lifetime 5m
  CIMD_SIGNING_KEY="$(cat key.pem)" cimd assert --aud https://auth.example.com/token`,
	"check-server": `  cimd check-server https://mcp.example.com/mcp        # the client of cimd.toml
  cimd check-server --all-envs                          # every [check] servers entry
  cimd check-server https://auth.example.com --client-id https://app.example.com/oauth/client.json
  cimd check-server https://auth.example.com --token client_credentials --no-probe  # a service client's token`,
	"version": `  cimd version
  cimd --version`,
	"completion": `  source <(cimd completion bash)
  cimd completion zsh > "${fpath[1]}/_cimd"
  cimd completion fish > ~/.config/fish/completions/cimd.fish`,
}

// exitError is the one error that carries an exit code through the error
// chain. With err set, exitCode prints err once and exits with code; with err
// nil, everything was already said and it only exits with code. An error
// without an exitError in its chain is printed and exits 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErr marks err as a usage or configuration error (exit 2).
func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }

// usagef is usageErr with formatting.
func usagef(format string, args ...any) error { return usageErr(fmt.Errorf(format, args...)) }

// silentExit ends a command with code and nothing more to print.
func silentExit(code int) error { return &exitError{code: code} }

// errFailed is returned by commands that already printed what went wrong (for
// example the findings of an invalid document) and only need exit 1.
var errFailed = silentExit(exitFailed)

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

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	s := stdio{in: stdin, out: stdout, err: stderr, getenv: os.Getenv}
	if len(args) == 0 {
		topUsage(stderr)
		return exitUsage
	}
	args, err := hoistConfig(args)
	if err != nil {
		return exitCode(stderr, err)
	}
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
	if strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "cimd: unknown flag %q before the command\nRun 'cimd -h' for usage.\n", printable(name))
		return exitUsage
	}
	fmt.Fprintf(stderr, "cimd: unknown command %q\n", printable(name))
	if s := suggest(name); s != "" {
		fmt.Fprintf(stderr, "\nDid you mean this?\n\t%s\n\n", s)
	}
	fmt.Fprintln(stderr, "Run 'cimd -h' for the list of commands.")
	return exitUsage
}

// hoistConfig moves a global -c FILE (or --config FILE, --config=FILE,
// -cFILE) written before the command to just after it, so that
// "cimd -c x.toml build" is "cimd build -c x.toml".
func hoistConfig(args []string) ([]string, error) {
	file, set, i := "", false, 0
loop:
	for i < len(args) {
		a := args[i]
		switch {
		case a == "-c" || a == "--config":
			if i+1 >= len(args) {
				return nil, usagef("%s needs a FILE (cimd -c FILE <command>)", a)
			}
			file, set, i = args[i+1], true, i+2
		case strings.HasPrefix(a, "--config="):
			file, set, i = strings.TrimPrefix(a, "--config="), true, i+1
		case len(a) > 2 && strings.HasPrefix(a, "-c"):
			file, set, i = a[2:], true, i+1
		default:
			break loop
		}
	}
	if !set {
		return args, nil
	}
	if i == len(args) {
		return nil, usagef("-c %s: no command given (e.g. cimd -c %s build)", file, file)
	}
	switch cmd := args[i]; cmd {
	case "build", "publish", "validate", "init", "check-server", "keys", "assert":
		return append([]string{cmd, "-c", file}, args[i+1:]...), nil
	case "-h", "--help", "help":
		return args[i:], nil
	default:
		return nil, usagef("-c FILE goes with init, build, publish, validate, check-server, keys and assert, not %q", printable(cmd))
	}
}

// suggest returns the command closest to a mistyped name: one it starts, or
// one at most two edits away.
func suggest(name string) string {
	best, bestD := "", 3
	for _, c := range commands() {
		if len(name) >= 2 && strings.HasPrefix(c.name, name) {
			return c.name
		}
		if d := config.EditDistance(name, c.name); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// exitCode prints err once, as "cimd: <err>", and maps it to an exit code.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	code := exitFailed
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err == nil {
			return ee.code
		}
		code = ee.code
	}
	// A config error lists every problem, one per line: each gets the prefix,
	// and each is escaped, since it may quote the config or a server.
	for _, line := range strings.Split(err.Error(), "\n") {
		fmt.Fprintf(stderr, "cimd: %s\n", printable(line))
	}
	return code
}

func topUsage(w io.Writer) {
	fmt.Fprint(w, `cimd builds, publishes and validates an OAuth Client ID Metadata Document
(CIMD): the JSON document whose HTTPS URL is an OAuth client_id.

Usage:
  cimd [-c FILE] <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'cimd <command> -h' for a command's flags, 'cimd --version' for the version.
Exit codes: 0 ok, 1 errors found or an operation failed, 2 usage or config error.
`)
}

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

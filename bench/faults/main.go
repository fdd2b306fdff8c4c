// Command faults runs cimd against servers that fail on purpose and counts
// how it fails: it publishes in a loop while versitygw is killed (SIGKILL)
// and restarted at random moments, checking the stored object after every
// attempt, then validates in a loop against a TLS server that resets
// connections at random. It prints a Markdown table of each and exits 1 when
// an object was corrupted, a failure was unclean (a panic, a hang, an exit
// code other than 0 or 1, or a message not in cimd's shape) or a validation
// passed on a response that never arrived whole.
//
// Everything listens on 127.0.0.1 and lives in a temporary directory that is
// removed at exit. From the repository root:
//
//	go run ./bench/faults [-cimd bin/cimd] [-versitygw bin/versitygw] [-seed N]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the flags of one fault run.
type options struct {
	cimd, versitygw string
	publishes       int
	validates       int
	publishTime     time.Duration
	validateTime    time.Duration
	attemptTimeout  time.Duration
	rng             *rand.Rand
	log             io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.cimd, "cimd", "", "cimd binary (default: built from the module into a temporary directory)")
	fs.StringVar(&o.versitygw, "versitygw", "", "versitygw binary (default: bin/versitygw, built from tools/go.mod when missing)")
	fs.IntVar(&o.publishes, "publishes", 100, "publish attempts")
	fs.IntVar(&o.validates, "validates", 300, "validate attempts")
	fs.DurationVar(&o.publishTime, "publish-time", 70*time.Second, "stop starting publishes after this long")
	fs.DurationVar(&o.validateTime, "validate-time", 30*time.Second, "stop starting validations after this long")
	fs.DurationVar(&o.attemptTimeout, "attempt-timeout", 30*time.Second, "a cimd run taking longer is a hang")
	seed := fs.Uint64("seed", 0, "random seed (default: from the clock; printed)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	o.rng = rand.New(rand.NewPCG(*seed, 0x6661756c7473))
	o.log = stderr

	work, err := os.MkdirTemp("", "cimd-faults-")
	if err != nil {
		fmt.Fprintf(stderr, "faults: %v\n", err)
		return 1
	}
	defer os.RemoveAll(work)
	if err := o.tools(ctx, work); err != nil {
		fmt.Fprintf(stderr, "faults: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "faults: seed %d\n", *seed)

	pub, err := publishFaults(ctx, o, filepath.Join(work, "publish"))
	if err != nil {
		fmt.Fprintf(stderr, "faults: publish: %v\n", err)
		return 1
	}
	val, err := validateFaults(ctx, o, filepath.Join(work, "validate"))
	if err != nil {
		fmt.Fprintf(stderr, "faults: validate: %v\n", err)
		return 1
	}
	pub.print(stdout)
	fmt.Fprintln(stdout)
	val.print(stdout)
	for _, ex := range append(pub.examples, val.examples...) {
		fmt.Fprintf(stderr, "faults: %s\n", ex)
	}
	if pub.corrupted+pub.lost+pub.unclean+val.unclean+val.falsePasses > 0 {
		return 1
	}
	return 0
}

// tools builds the binaries that were not given.
func (o *options) tools(ctx context.Context, work string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	if o.cimd == "" {
		o.cimd = filepath.Join(work, "cimd")
		fmt.Fprintln(o.log, "faults: building cimd")
		if err := goBuild(ctx, root, "-o", o.cimd, "."); err != nil {
			return err
		}
	}
	if o.versitygw == "" {
		o.versitygw = filepath.Join(root, "bin", "versitygw")
		if _, err := os.Stat(o.versitygw); err != nil {
			fmt.Fprintln(o.log, "faults: building versitygw")
			if err := goBuild(ctx, root, "-modfile=tools/go.mod", "-o", o.versitygw, "github.com/versity/versitygw/cmd/versitygw"); err != nil {
				return err
			}
		}
	}
	for _, p := range []*string{&o.cimd, &o.versitygw} {
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	return nil
}

func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run from inside the cimd module")
	}
	return filepath.Dir(gomod), nil
}

func goBuild(ctx context.Context, dir string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// outcome is how one cimd run ended.
type outcome struct {
	code           int // exit code; -1 when killed by a signal
	hung           bool
	stdout, stderr string
	elapsed        time.Duration
}

// runCimd runs cimd with args in dir, killing it after timeout.
func runCimd(ctx context.Context, o options, dir string, env []string, args ...string) outcome {
	ctx, cancel := context.WithTimeout(ctx, o.attemptTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, o.cimd, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	out := outcome{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case ctx.Err() == context.DeadlineExceeded:
		out.code, out.hung = -1, true
	case errors.As(err, &ee):
		out.code = ee.ExitCode()
	default:
		out.code = -1
		out.stderr += err.Error()
	}
	return out
}

// crashed reports whether a run's output shows a Go runtime failure.
func (out outcome) crashed() bool {
	s := out.stdout + out.stderr
	return strings.Contains(s, "panic:") || strings.Contains(s, "goroutine ") ||
		strings.Contains(s, "fatal error:") || strings.Contains(s, "runtime error")
}

// describe is a one-line account of an unclean run, for the examples.
func (out outcome) describe() string {
	if out.hung {
		return fmt.Sprintf("hung for %s", out.elapsed.Round(time.Millisecond))
	}
	msg := strings.TrimSpace(out.stderr)
	if len(msg) > 300 {
		msg = msg[:300] + "..."
	}
	return fmt.Sprintf("exit %d after %s: %q", out.code, out.elapsed.Round(time.Millisecond), msg)
}

// cleanEnv is the environment minus every AWS_ variable, plus extra.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// printTable prints a title and a one-row Markdown table of right-aligned
// numbers.
func printTable(w io.Writer, title string, cols []string, cells ...any) {
	fmt.Fprintf(w, "%s\n\n| %s |\n|%s\n", title, strings.Join(cols, " | "), strings.Repeat("---:|", len(cols)))
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
}

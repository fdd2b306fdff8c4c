package live

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// The backoff between attempts: a CDN usually catches up within seconds, and
// more than 15s apart would overshoot a short --wait by too much.
const (
	pollFirstDelay = time.Second
	pollMaxDelay   = 15 * time.Second
)

// Poll calls attempt until its result has no error finding, has one that
// waiting cannot fix (see [validate.Finding.Transient]), wait has passed, or ctx is
// done, backing off from 1s doubling up to 15s between attempts and
// writing one progress line per attempt to progress. With wait <= 0 it makes
// exactly one attempt. It returns the last result.
func Poll(ctx context.Context, wait time.Duration, progress io.Writer, attempt func(context.Context) validate.Result) validate.Result {
	return poll(ctx, wait, progress, attempt, pollFirstDelay, pollMaxDelay)
}

// poll is Poll with the backoff as parameters, so tests need not sleep for
// seconds.
func poll(ctx context.Context, wait time.Duration, progress io.Writer, attempt func(context.Context) validate.Result, first, maxDelay time.Duration) validate.Result {
	if wait <= 0 {
		return attempt(ctx)
	}
	if progress == nil {
		progress = io.Discard
	}
	deadline := time.Now().Add(wait)
	delay := first
	for n := 1; ; n++ {
		r := attempt(ctx)
		errs, rules := errorRules(r)
		if errs == 0 {
			fmt.Fprintf(progress, "cimd: attempt %d: no errors\n", n)
			return r
		}
		summary := fmt.Sprintf("%d error%s (%s)", errs, plural(errs), strings.Join(rules, ", "))
		if ctx.Err() != nil {
			fmt.Fprintf(progress, "cimd: attempt %d: %s, stopped\n", n, summary)
			return r
		}
		if f := permanent(r); f != nil {
			fmt.Fprintf(progress, "cimd: attempt %d: %s, not retried: %s will not fix itself by waiting\n", n, summary, f.Rule)
			return r
		}
		left := time.Until(deadline)
		if left <= 0 {
			fmt.Fprintf(progress, "cimd: attempt %d: %s, giving up after %s\n", n, summary, wait)
			return r
		}
		sleep := min(delay, left)
		fmt.Fprintf(progress, "cimd: attempt %d: %s, retrying in %s (%s left)\n", n, summary, roundDur(sleep), roundDur(left))
		t := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			t.Stop()
			return r
		case <-t.C:
		}
		delay = min(delay*2, maxDelay)
	}
}

// permanent returns the first error finding of r that waiting cannot fix,
// or nil when polling again may help. A drifting copy is stale: everything
// wrong with it (its content type, its rules) may be the old copy's, so it
// is retried as a whole. Otherwise every error must be Transient.
func permanent(r validate.Result) *validate.Finding {
	if r.Has("live-drift") {
		return nil
	}
	for i, f := range r.Findings {
		if f.Severity == validate.Error && !f.Transient {
			return &r.Findings[i]
		}
	}
	return nil
}

// errorRules counts r's error findings and lists their rule codes, each
// once, in the order they first appear.
func errorRules(r validate.Result) (int, []string) {
	n, seen := 0, map[string]bool{}
	var rules []string
	for _, f := range r.Findings {
		if f.Severity != validate.Error {
			continue
		}
		n++
		if !seen[f.Rule] {
			seen[f.Rule] = true
			rules = append(rules, f.Rule)
		}
	}
	return n, rules
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// roundDur rounds to what a person reads: whole seconds, or milliseconds
// below a second.
func roundDur(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

package validate

import (
	"context"
	"crypto/x509"
	"io"
	"time"
)

// MaxBytes is the largest document a server accepts; a live body is read up
// to MaxBytes+1 bytes and no further.
const MaxBytes = 5120

// LiveOptions tunes a live check.
type LiveOptions struct {
	Options
	Timeout   time.Duration  // bounds the whole exchange; 0 means 10s
	RootCAs   *x509.CertPool // nil: the system roots
	UserAgent string         // "cimd/<version>"
}

// CheckLive fetches rawURL once, the way a strict authorization server does,
// and runs every rule (RULES.md §1-4) on what it got. Target is left empty for
// the caller; Valid is set with Judge(false).
func CheckLive(ctx context.Context, rawURL string, opts LiveOptions) Result {
	return Result{URL: rawURL} // TODO(live)
}

// Drift compares the live document with the locally built one as JSON values
// and returns a live-drift finding naming the keys that differ, or nil.
func Drift(live, local []byte) *Finding {
	return nil // TODO(live)
}

// Poll calls attempt until its result has no error finding, wait has passed,
// or ctx is done, backing off from 1s doubling up to 15s between attempts and
// writing one progress line per attempt to progress. With wait <= 0 it makes
// exactly one attempt. It returns the last result.
func Poll(ctx context.Context, wait time.Duration, progress io.Writer, attempt func(context.Context) Result) Result {
	return attempt(ctx) // TODO(live)
}

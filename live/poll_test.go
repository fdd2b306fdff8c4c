package live

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

func failing(rule string) validate.Result {
	r := validate.Result{Findings: []validate.Finding{{Rule: rule, Severity: validate.Error, Transient: true}, {Rule: "url-port", Severity: validate.Warning}}}
	r.Judge(false)
	return r
}

func TestPollOneAttempt(t *testing.T) {
	var n int
	var progress bytes.Buffer
	Poll(context.Background(), 0, &progress, func(context.Context) validate.Result { n++; return failing("http-status") })
	if n != 1 || progress.Len() != 0 {
		t.Errorf("Poll(wait 0) made %d attempts, wrote %q; want 1 attempt, no progress", n, progress.String())
	}
}

// TestPollRepublished polls a real server that serves a stale copy twice, as
// a CDN does after a publish, then the new one.
func TestPollRepublished(t *testing.T) {
	var stale atomic.Int32
	stale.Store(2)
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		doc := testDoc(requestURL(r))
		if stale.Add(-1) >= 0 {
			doc = bytes.Replace(doc, []byte("Test App"), []byte("Old App"), 1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(doc)
	})
	local := testDoc(srv.docURL())
	attempt := func(ctx context.Context) validate.Result {
		r := Check(ctx, srv.docURL(), srv.opts())
		if f := validate.Drift(r.Body, local); f != nil {
			r.Findings = append(r.Findings, *f)
		}
		r.Judge(false)
		return r
	}
	var progress bytes.Buffer
	r := poll(context.Background(), 10*time.Second, &progress, attempt, 10*time.Millisecond, 15*time.Second)
	wantValid(t, r)
	if n := srv.requests.Load(); n != 3 {
		t.Errorf("server saw %d requests; want 3", n)
	}
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	want := []string{
		"cimd: attempt 1: 1 error (live-drift), retrying in 10ms (",
		"cimd: attempt 2: 1 error (live-drift), retrying in 20ms (",
		"cimd: attempt 3: no errors",
	}
	if len(lines) != len(want) {
		t.Fatalf("Poll progress = %q; want %d lines", progress.String(), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("Poll progress line %d = %q; want prefix %q", i+1, lines[i], want[i])
		}
	}
}

func TestPollGivesUp(t *testing.T) {
	var n int
	var progress bytes.Buffer
	start := time.Now()
	r := poll(context.Background(), 100*time.Millisecond, &progress, func(context.Context) validate.Result {
		n++
		return failing("http-status")
	}, 10*time.Millisecond, 20*time.Millisecond)
	if r.Valid || n < 3 {
		t.Errorf("poll = valid %v after %d attempts; want invalid after several", r.Valid, n)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("poll(100ms) took %s", d)
	}
	out := progress.String()
	if strings.Contains(out, "retrying in 40ms") || !strings.Contains(out, "retrying in 20ms") {
		t.Errorf("poll progress = %q; want delays capped at 20ms", out)
	}
	if !strings.Contains(out, "1 error (http-status), giving up after 100ms") {
		t.Errorf("poll progress = %q; want a last line that gives up", out)
	}
}

func TestPollCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	var n int
	start := time.Now()
	r := Poll(ctx, time.Minute, nil, func(context.Context) validate.Result { n++; return failing("http-status") })
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("Poll returned %s after the cancel; want at once", d-100*time.Millisecond)
	}
	if n != 1 || r.Valid {
		t.Errorf("Poll = valid %v after %d attempts; want the first, invalid result", r.Valid, n)
	}
}

package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// TestRunConcurrentlyInOrder: done sees every result once, in the order of
// the jobs, though the jobs finish in another order.
func TestRunConcurrentlyInOrder(t *testing.T) {
	n := 3 * maxConcurrent
	jobs := make([]func(context.Context) validate.Result, n)
	for i := range jobs {
		jobs[i] = func(context.Context) validate.Result {
			// The first jobs finish last.
			time.Sleep(time.Duration(n-i) * 200 * time.Microsecond)
			return validate.Result{Target: strings.Repeat("x", i)}
		}
	}
	var seen []int
	results := runConcurrently(context.Background(), jobs, func(i int, r *validate.Result) {
		if len(r.Target) != i {
			t.Errorf("done(%d) got the result of job %d", i, len(r.Target))
		}
		seen = append(seen, i)
		r.Target = "seen"
	})
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(seen, want) {
		t.Errorf("done saw %v; want every index once, in order", seen)
	}
	for i, r := range results {
		if r.Target != "seen" {
			t.Errorf("results[%d] = %q; want what done left", i, r.Target)
		}
	}
	for i, j := range jobs {
		if j != nil {
			t.Errorf("jobs[%d] kept after it ran; want it dropped with what it held", i)
			break
		}
	}
}

// TestValidateReportSlims: once reported, a result keeps only what the end
// of the report reads: everything for --json, the findings for --sarif or
// GitHub, the verdict alone for text; and the text is the same.
func TestValidateReportSlims(t *testing.T) {
	full := func() validate.Result {
		return validate.Result{
			Target: "https://app.example.com/c.json", URL: "https://app.example.com/c.json", Valid: true,
			Findings:      []validate.Finding{{Rule: "doc-client-uri-missing", Severity: validate.Info, Message: "no client_uri"}},
			HTTP:          &validate.HTTPInfo{Status: 200, ContentType: "application/json", Bytes: 120},
			Document:      map[string]any{"client_id": "https://app.example.com/c.json", "client_name": "App"},
			Body:          []byte(`{"client_id":"https://app.example.com/c.json"}`),
			Compatibility: validate.Compatibility("https://app.example.com/c.json", map[string]any{"client_name": "App"}, validate.CompatOptions{}),
		}
	}
	cases := []struct {
		name          string
		of            outputFlags
		env           map[string]string
		keepAll, keep bool
	}{
		{"text", outputFlags{}, nil, false, false},
		{"quiet", outputFlags{quiet: true}, nil, false, false},
		{"json", outputFlags{json: true}, nil, true, true},
		{"sarif", outputFlags{sarif: "out.sarif"}, nil, false, true},
		{"github", outputFlags{}, map[string]string{"GITHUB_ACTIONS": "true"}, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errw bytes.Buffer
			s := stdio{out: &out, err: &errw, getenv: func(k string) string { return tc.env[k] }}
			rep := newValidateReport(s, tc.of, make([]origin, 1), false)
			r := full()
			rep.add(0, &r)
			rep.flush()
			if tc.keepAll {
				if r.Document == nil || r.Body == nil || r.Compatibility.IsZero() || r.HTTP == nil {
					t.Errorf("--json result lost parts: %+v", r)
				}
				return
			}
			if r.Document != nil || r.Body != nil || !r.Compatibility.IsZero() || r.HTTP != nil {
				t.Errorf("result kept its document, body, HTTP or verdicts: %+v", r)
			}
			if !r.Valid || r.Target == "" || r.URL == "" {
				t.Errorf("result lost its verdict or target: %+v", r)
			}
			if got := r.Findings != nil; got != tc.keep {
				t.Errorf("findings kept = %v; want %v", got, tc.keep)
			}
			if tc.name == "text" {
				var want bytes.Buffer
				writeResultText(&want, full(), false, painter(false))
				if out.String() != want.String() {
					t.Errorf("text:\n%s\nwant:\n%s", out.String(), want.String())
				}
			}
		})
	}
}

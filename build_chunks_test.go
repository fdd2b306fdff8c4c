package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildAcrossRenderChunks: a build of more environments than one
// render chunk, with an error in an environment of the second chunk,
// writes nothing, and still reports every environment's findings in
// --json and the GitHub summary after the renderings are dropped.
func TestBuildAcrossRenderChunks(t *testing.T) {
	t.Setenv("GITHUB_ACTIONS", "")
	dir := t.TempDir()
	n := renderChunk + 100
	bad := renderChunk + 50
	var b strings.Builder
	b.WriteString("host = \"app.example.com\"\npath = \"/oauth/client.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"http://127.0.0.1:8765/callback\"]\napplication_type = \"native\"\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "[env.e%04d]\nhost = \"e%04d.example.com\"\n", i, i)
		if i == bad {
			b.WriteString("client.redirect_uris = [\"http://evil.example.com/cb\"]\n")
		}
	}
	cfg := filepath.Join(dir, "cimd.toml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	badEnv := fmt.Sprintf("e%04d", bad)

	code, _, stderr := runCLI(t, "build", "-c", cfg, "--all-envs", "--out", out)
	if code != 1 || !strings.Contains(stderr, "cimd: env "+badEnv+": 1 error in") {
		t.Fatalf("build = %d, stderr %q; want 1 and env %s's error", code, stderr, badEnv)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed build wrote %s (%v)", out, err)
	}

	code, stdout, _ := runCLI(t, "build", "-c", cfg, "--all-envs", "--out", out, "--json")
	var got struct {
		OK      bool
		Results []buildResult
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 1 || got.OK || len(got.Results) != n {
		t.Fatalf("build --json = %d, ok %v, %d results (%v); want 1, false, %d", code, got.OK, len(got.Results), err, n)
	}
	for i, r := range got.Results {
		if wantErr := i == bad; (len(r.Findings) > 0 && r.Findings[0].Rule == "redirect-http") != wantErr {
			t.Errorf("result %d (%s): findings %v", i, r.Env, r.Findings)
		}
	}

	summary := filepath.Join(dir, "summary.md")
	t.Setenv("GITHUB_ACTIONS", "true")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	runCLI(t, "build", "-c", cfg, "--all-envs", "--out", out)
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if c := strings.Count(string(md), "✗ invalid"); c != 1 || !strings.Contains(string(md), "error `redirect-http`") {
		t.Errorf("summary has %d invalid rows (want 1) or lacks the finding:\n%.500s", c, md)
	}
	if c := strings.Count(string(md), "not written"); c != n-1 {
		t.Errorf("summary has %d 'not written' rows; want %d", c, n-1)
	}
	t.Setenv("GITHUB_ACTIONS", "")

	// Fixed, every environment is written.
	if err := os.WriteFile(cfg, []byte(strings.Replace(b.String(), "http://evil.example.com/cb", "https://e.example.com/cb", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runCLI(t, "build", "-c", cfg, "--all-envs", "--out", out)
	if code != 0 || strings.Count(stdout, "\n") != n {
		t.Errorf("build = %d, %d paths printed, stderr %.300q; want 0, %d", code, strings.Count(stdout, "\n"), stderr, n)
	}
}

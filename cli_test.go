package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes runs the CLI in-process and checks the exit codes of
// RULES.md §5, which testscript's exec cannot tell apart (1 from 2), and that
// an error is printed once, prefixed "cimd: ".
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"client_id":"https://app.example.com/c.json","client_name":"A","redirect_uris":["http://127.0.0.1:8765/cb"],"token_endpoint_auth_method":"none","application_type":"native"}`)
	warn := write("warn.json", `{"client_id":"https://app.example.com/c.json","client_name":"A","redirect_uris":["http://localhost:8765/cb"],"token_endpoint_auth_method":"none","application_type":"native"}`)
	bad := write("bad.json", `{"client_id":"https://app.example.com/c.json","client_secret":"x","client_name":"A","redirect_uris":["http://127.0.0.1:8765/cb"],"token_endpoint_auth_method":"none","application_type":"native"}`)
	badToml := write("bad.toml", "host = \"app.example.com\"\npath = \"/c.json\"\nbogus = 1\n")
	badRule := write("rule.toml", "host = \"app.example.com\"\npath = \"/c.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"http://app.example.com/cb\"]\n")
	const okToml = "host = \"app.example.com\"\npath = \"/c.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"http://127.0.0.1:8765/cb\"]\napplication_type = \"native\"\n"
	collideBuild := write("collide-build.toml", okToml+"[build]\nout = \"out\"\n[env.s]\nhost = \"s.example.com\"\n[env.s.build]\nout = \"out\"\n")
	collideDir := write("collide-dir.toml", okToml+"[publish]\ntarget = \"dir\"\n[publish.dir]\nroot = \"out\"\n[env.s]\nhost = \"s.example.com\"\n[env.s.publish.dir]\nroot = \"out/.\"\n")

	tests := []struct {
		args      []string
		want      int
		stderrHas string
	}{
		{[]string{"-h"}, 0, ""},
		{[]string{"version"}, 0, ""},
		{[]string{"validate", "-h"}, 0, ""},
		{[]string{}, 2, ""},
		{[]string{"nope"}, 2, "cimd: unknown command"},
		{[]string{"build", "--nope"}, 2, "cimd: build: unknown flag"},
		{[]string{"validate", good}, 0, ""},
		{[]string{"validate", warn}, 0, ""},
		{[]string{"validate", "--strict", warn}, 1, ""},
		{[]string{"validate", bad}, 1, ""},
		{[]string{"validate", filepath.Join(dir, "absent.json")}, 2, "cimd: validate:"},
		{[]string{"validate", "--profile", "x", good}, 2, "cimd: validate: --profile"},
		{[]string{"validate", "--timeout", "0s", good}, 2, "cimd: validate: --timeout 0s"},
		{[]string{"validate", "--wait", "-1s", good}, 2, "cimd: validate: --wait -1s"},
		{[]string{"validate", "--url", "https://a.example.com/c.json", "https://b.example.com/c.json"}, 2, "cimd: validate: --url goes with a FILE target"},
		{[]string{"help", "build"}, 0, ""},
		{[]string{"build", "-c", badToml, "--out", filepath.Join(dir, "out")}, 2, "bad.toml:3:1"},
		{[]string{"build", "-c", badRule, "--out", filepath.Join(dir, "out")}, 1, "redirect-http"},
		{[]string{"build", "-c", filepath.Join(dir, "absent.toml")}, 2, "cimd: "},
		{[]string{"publish", "-c", badToml}, 2, "bad.toml:3:1"},
		{[]string{"build", "-c", collideBuild, "--all-envs"}, 2, "cimd: top level and env s would both write"},
		{[]string{"publish", "-c", collideDir, "--all-envs"}, 2, "cimd: top level and env s would both publish to"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		got := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
		if got != tt.want {
			t.Errorf("run(%q) = %d; want %d\nstderr: %s", tt.args, got, tt.want, stderr.String())
		}
		if tt.stderrHas != "" && !strings.Contains(stderr.String(), tt.stderrHas) {
			t.Errorf("run(%q) stderr = %q; want it to contain %q", tt.args, stderr.String(), tt.stderrHas)
		}
		if n := strings.Count(stderr.String(), "cimd: "+strings.TrimPrefix(tt.stderrHas, "cimd: ")); tt.stderrHas != "" && strings.HasPrefix(tt.stderrHas, "cimd: ") && n != 1 {
			t.Errorf("run(%q) printed %q %d times; want once", tt.args, tt.stderrHas, n)
		}
		if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
			t.Errorf("run(%q) wrote %s; a failed build must write nothing", tt.args, filepath.Join(dir, "out"))
		}
	}
}

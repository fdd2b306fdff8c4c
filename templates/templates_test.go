package templates

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/cimd-dev/cimd/config"
)

var update = flag.Bool("update", false, "rewrite ../cimd.toml.example from the template")

// TestExample keeps cimd.toml.example, the documented config, byte for byte
// what `cimd init` writes.
func TestExample(t *testing.T) {
	got, err := Render("cimd.toml", ConfigData{})
	if err != nil {
		t.Fatal(err)
	}
	const example = "../cimd.toml.example"
	if *update {
		if err := os.WriteFile(example, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Render(cimd.toml) differs from %s; run go test ./templates -update", example)
	}
	for _, data := range []any{nil, &ConfigData{}} {
		if b, err := Render("cimd.toml", data); err != nil || !bytes.Equal(b, got) {
			t.Errorf("Render(cimd.toml, %#v) differs from the zero ConfigData's, %v", data, err)
		}
	}
}

func TestConfigData(t *testing.T) {
	d := ConfigData{Host: "mcp.acme.dev", Path: "/client.json", Name: "Acme \"Café\" <App> \\ \t"}
	b, err := Render("cimd.toml", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"Acme \"Café\" <App> \\ \t"`) {
		t.Errorf("name not quoted as a TOML string, UTF-8 kept:\n%s", b)
	}
	path := filepath.Join(t.TempDir(), "cimd.toml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(path)
	if err != nil {
		t.Fatalf("rendered config does not load:\n%v", err)
	}
	cs, err := f.Select("", true)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	if c.ClientID() != "https://mcp.acme.dev/client.json" || c.Client.ClientName != d.Name {
		t.Errorf("client_id, client_name = %q, %q; want https://mcp.acme.dev/client.json, %q", c.ClientID(), c.Client.ClientName, d.Name)
	}
	for _, c := range cs {
		// Every https redirect is on the client_id's own origin, so
		// redirect-cross-origin stays quiet in every environment.
		for _, u := range c.Client.RedirectURIs {
			if strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "https://"+c.Host+"/") {
				t.Errorf("env %q: redirect %q is not on %s", c.Env, u, c.Host)
			}
		}
	}
}

func TestQuote(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "tab\tnl\ncr\rdel\x7f", "é 日本 🙂"} {
		var v struct{ S string }
		if _, err := toml.Decode("S = "+quote(s), &v); err != nil || v.S != s {
			t.Errorf("quote(%q) = %s decodes to %q, %v", s, quote(s), v.S, err)
		}
	}
}

func TestHeaders(t *testing.T) {
	got, err := Render("_headers", HeadersData{Path: "/oauth/client", CacheControl: "public, max-age=600"})
	if err != nil {
		t.Fatal(err)
	}
	want := "# cimd: begin (written by cimd build; what lies between these lines is replaced on every build)\n/oauth/client\n  Content-Type: application/json\n  Cache-Control: public, max-age=600\n# cimd: end\n"
	if string(got) != want {
		t.Errorf("Render(_headers) = %q; want %q", got, want)
	}
}

func TestWorkflow(t *testing.T) {
	got, err := Render("cimd.yml", WorkflowData{File: "site/client.json"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, want := range []string{
		"pull_request:", "release:", "id-token: write", "aws-actions/configure-aws-credentials",
		"role-to-assume: ${{ vars.CIMD_AWS_ROLE_ARN }}", "go install github.com/cimd-dev/cimd@latest",
		"cimd build --all-envs", "cimd validate site/client.json", "cimd publish", "cimd validate --wait",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("workflow lacks %q:\n%s", want, s)
		}
	}
	for _, bad := range []string{"aws-access-key-id", "aws-secret-access-key", "AWS_SECRET", "\t"} {
		if strings.Contains(s, bad) {
			t.Errorf("workflow contains %q", bad)
		}
	}
	def, err := Render("cimd.yml", nil)
	if err != nil || !strings.Contains(string(def), "cimd validate public/oauth/client.json") {
		t.Errorf("Render(cimd.yml, nil) = %v; want the default file validated", err)
	}
}

// TestWorkflowPinsVersion: the workflow installs the version given, in both
// jobs, and keeps setup-go from looking for a go.sum the repository lacks.
func TestWorkflowPinsVersion(t *testing.T) {
	got, err := Render("cimd.yml", WorkflowData{Version: "v1.2.3"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if n := strings.Count(s, "run: go install github.com/cimd-dev/cimd@v1.2.3\n"); n != 2 {
		t.Errorf("workflow installs @v1.2.3 %d times; want 2 (both jobs):\n%s", n, s)
	}
	if strings.Contains(s, "@latest") {
		t.Errorf("a pinned workflow still mentions @latest:\n%s", s)
	}
	if n, m := strings.Count(s, "cache: false"), strings.Count(s, "uses: actions/setup-go@"); n != m || n == 0 {
		t.Errorf("workflow has %d setup-go steps and %d cache: false; want one each", m, n)
	}
}

func TestUnknown(t *testing.T) {
	if _, err := Render("files/cimd.toml.tmpl", nil); err == nil {
		t.Error("Render of a path succeeded; want only template names")
	}
}

// TestMonitorWorkflow checks the scheduled workflow against its golden copy
// (go test ./templates -update rewrites it), then its structure: the
// triggers, the permissions code scanning needs, and every step in order
// with what makes it run.
func TestMonitorWorkflow(t *testing.T) {
	got, err := Render("cimd-monitor.yml", WorkflowData{Version: "v1.2.3", Config: "svc/cimd.toml", CheckServers: true})
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/cimd-monitor.yml"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Render(cimd-monitor.yml) differs from %s; run go test ./templates -update and review the diff", golden)
	}
	s := string(got)
	if strings.Contains(s, "\t") || strings.Contains(s, "<<") {
		t.Error("workflow has a tab or an unrendered template action")
	}

	// Top-level keys, in order, at column 0.
	var top []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" && l[0] != ' ' && l[0] != '#' {
			top = append(top, l)
		}
	}
	if got, want := strings.Join(top, " | "), "name: cimd monitor | on: | permissions: | jobs:"; got != want {
		t.Errorf("top-level keys = %s; want %s", got, want)
	}
	on := section(s, "on:", "permissions:")
	if !regexp.MustCompile(`(?m)^  schedule:\n    - cron: "\d+ \d+ \* \* \*"`).MatchString(on) || !strings.Contains(on, "\n  workflow_dispatch:\n") {
		t.Errorf("on: = %q; want a daily schedule and workflow_dispatch", on)
	}
	if perms := section(s, "\npermissions:", "jobs:"); strings.TrimSpace(perms) != "contents: read" {
		t.Errorf("workflow permissions = %q; want contents: read only (the job asks for more)", perms)
	}
	job := section(s, "\n  monitor:\n", "    steps:\n")
	for _, want := range []string{"      contents: read\n", "      security-events: write", "    runs-on: ubuntu-latest\n"} {
		if !strings.Contains(job, want) {
			t.Errorf("job lacks %q:\n%s", want, job)
		}
	}

	// The steps: split at each "      - " item of the steps list.
	_, stepsText, _ := strings.Cut(s, "    steps:\n")
	steps := strings.Split(stepsText, "\n      - ")
	steps[0] = strings.TrimPrefix(steps[0], "      - ")
	type step struct{ first, has string }
	wantSteps := []step{
		{"uses: actions/checkout@v4", ""},
		{"uses: actions/setup-go@v5", "cache: false"},
		{"name: Install cimd", "run: go install github.com/cimd-dev/cimd@v1.2.3"},
		{"name: Validate the live document of every environment", "run: cimd validate -c svc/cimd.toml --all-envs --sarif cimd-validate.sarif"},
		{"name: Check that the servers of [check] accept the live document", "run: cimd check-server -c svc/cimd.toml --all-envs --sarif cimd-check-server.sarif"},
		{"name: Upload the validate findings to code scanning", "uses: github/codeql-action/upload-sarif@v4"},
		{"name: Upload the check-server findings to code scanning", "sarif_file: cimd-check-server.sarif"},
		{"name: Fail the run when a check failed", "exit 1"},
	}
	if len(steps) != len(wantSteps) {
		t.Fatalf("%d steps; want %d:\n%s", len(steps), len(wantSteps), stepsText)
	}
	for i, w := range wantSteps {
		if !strings.HasPrefix(steps[i], w.first) || !strings.Contains(steps[i], w.has) {
			t.Errorf("step %d = %q; want it to start with %q and hold %q", i, steps[i], w.first, w.has)
		}
	}
	// Both checks go on after a failure so that the findings are uploaded;
	// the last step then fails the run.
	for _, i := range []int{3, 4} {
		if !strings.Contains(steps[i], "continue-on-error: true") || !strings.Contains(steps[i], "id: ") {
			t.Errorf("step %d does not continue on error with an id:\n%s", i, steps[i])
		}
	}
	for _, i := range []int{5, 6} {
		if !strings.Contains(steps[i], "if: always() && hashFiles(") || !strings.Contains(steps[i], "category: cimd-") {
			t.Errorf("upload step %d does not run always, for an existing file, in its own category:\n%s", i, steps[i])
		}
	}
	if !strings.Contains(steps[7], "if: steps.validate.outcome == 'failure' || steps.check.outcome == 'failure'") || !strings.Contains(steps[7], `>> "$GITHUB_STEP_SUMMARY"`) {
		t.Errorf("the last step does not fail on either check with the step summary:\n%s", steps[7])
	}

	// Without [check] servers: no check-server step, upload or condition.
	def, err := Render("cimd-monitor.yml", nil)
	d := string(def)
	if err != nil || !strings.Contains(d, "\n        run: cimd validate --all-envs --sarif cimd-validate.sarif\n") || strings.Contains(d, "run: cimd check-server") ||
		strings.Contains(d, "steps.check") || strings.Count(d, "\n      - ") != len(wantSteps)-2 {
		t.Errorf("Render(cimd-monitor.yml, nil) = %v; want the default config without -c, and no check-server steps:\n%s", err, d)
	}
}

// section returns the text of s between the first from and the next to.
func section(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}

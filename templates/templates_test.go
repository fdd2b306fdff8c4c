package templates

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
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

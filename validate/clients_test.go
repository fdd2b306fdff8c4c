package validate

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/clients/*.matrix")

// clientRedirects are the redirects each client really sends at run time
// (SERVERS.md "What clients do"): Claude Code and Copilot CLI bind an
// ephemeral port, VS Code the port it publishes, ChatGPT its https page.
var clientRedirects = map[string]string{
	"claude-code": "http://localhost:53682/callback",
	"vscode":      "http://127.0.0.1:33418/",
	"chatgpt":     "https://chatgpt.com/connector_platform_oauth_redirect",
	"copilot-cli": "http://127.0.0.1:61876/",
}

// TestClientMatrix renders, for each published client document in
// testdata/clients, which servers accept it and why not, with every server
// listed (so a refusal shows as an error) and the client's real runtime
// redirect, and compares it with the reviewed testdata/clients/NAME.matrix.
func TestClientMatrix(t *testing.T) {
	files, err := filepath.Glob("testdata/clients/*.json")
	if err != nil || len(files) != len(clientRedirects) {
		t.Fatalf("testdata/clients has %v (%v); want a document for each of %v", files, err, clientRedirects)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := clientMatrix(body, clientRedirects[name])
			golden := strings.TrimSuffix(file, ".json") + ".matrix"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./validate -run TestClientMatrix -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("the matrix of %s differs from %s:\n%s", file, golden, got)
			}
		})
	}
}

func clientMatrix(body []byte, runtime string) []byte {
	var b bytes.Buffer
	// The RULES.md findings are left out: they have tables of their own,
	// and this file is about the servers.
	_, doc := Check("", body, Options{})
	url, _ := doc["client_id"].(string)
	fmt.Fprintf(&b, "# %s, served at its client_id; runtime redirect %s\n", url, runtime)
	rs := Compatibility(url, doc, CompatOptions{Servers: ServerNames(), RedirectURIs: []string{runtime}})
	b.WriteString(CompatibilityLine(&rs) + "\n")
	for _, r := range rs.Results() {
		verdict := "accepts"
		if !r.Accepts {
			verdict = "refuses"
		}
		fmt.Fprintf(&b, "\n%s: %s\n", r.Server, verdict)
		for _, f := range r.Findings {
			if f.Rule == "server-admission" {
				continue // the same for every document
			}
			at := ""
			if f.Field != "" {
				at = " " + f.Field
			}
			fmt.Fprintf(&b, "  %s %s%s: %s\n", f.Severity, f.Rule, at, f.Message)
		}
	}
	return b.Bytes()
}

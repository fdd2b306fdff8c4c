package templates

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/config"
)

// assignment is a commented-out key = value line.
var assignment = regexp.MustCompile(`^# [a-z_]+ = `)

// TestLoopbackExample uncomments the [client.loopback] example and the
// [validate] servers line of the template: what they say must load and
// render what the comments promise.
func TestLoopbackExample(t *testing.T) {
	b, err := Render("cimd.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	inLoopback := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "# [client.loopback]":
			inLoopback = true
			line = "[client.loopback]"
		case inLoopback && line == "":
			inLoopback = false
		case inLoopback && assignment.MatchString(line):
			line = strings.TrimPrefix(line, "# ")
		case line == `# servers = ["auth0", "keycloak"]`:
			line = strings.TrimPrefix(line, "# ")
		}
		out = append(out, line)
	}
	text := strings.Join(out, "\n")
	if !strings.Contains(text, "\n[client.loopback]\n") || !strings.Contains(text, "\nports = [33418]\n") || !strings.Contains(text, "\nservers = [") {
		t.Fatalf("the template's loopback example is not where this test looks:\n%s", text)
	}
	path := filepath.Join(t.TempDir(), "cimd.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(path)
	if err != nil {
		t.Fatalf("the uncommented example does not load: %v", err)
	}
	cs, err := f.Select("", false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"http://127.0.0.1:33418/callback", "http://127.0.0.1/callback"}
	if got := cs[0].Client.Loopback.URIs(); !slices.Equal(got, want) {
		t.Errorf("the example renders %q; want %q", got, want)
	}
	if got := cs[0].Validate.Servers; !slices.Equal(got, []string{"auth0", "keycloak"}) {
		t.Errorf("validate.servers = %q", got)
	}
}

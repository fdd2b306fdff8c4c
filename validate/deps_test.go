package validate

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoNetwork keeps validate pure: the rules take values and return
// findings, so the package must not link an HTTP client or the resolver.
// The network lives in fetch and live, above it.
func TestNoNetwork(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps .: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 5 {
		t.Fatalf("go list -deps . = %q; want the package's dependencies", out)
	}
	for _, d := range deps {
		if d == "net/http" || d == "net" || strings.HasPrefix(d, "net/http/") || strings.HasSuffix(d, "/fetch") || strings.HasSuffix(d, "/live") {
			t.Errorf("validate depends on %s; the rules must not reach the network", d)
		}
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestActionScripts runs the composite action's scripts as the runner would,
// with a stand-in `go` that records its arguments and a real cimd binary
// built from this module, and checks the action's wiring in action.yml.
func TestActionScripts(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run the action's scripts")
	}
	action, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"using: composite", `"$GITHUB_ACTION_PATH/action/install.sh"`, `"$GITHUB_ACTION_PATH/action/run.sh"`, "CIMD_ACTION_REF: ${{ github.action_ref }}", "CIMD_ARGS: ${{ inputs.command }}"} {
		if !strings.Contains(string(action), want) {
			t.Errorf("action.yml does not contain %q", want)
		}
	}

	bin := t.TempDir()
	log := filepath.Join(bin, "go.log")
	fakeGo := "#!/bin/sh\ncase \"$1 $2\" in \"env GOBIN\") echo; exit 0;; \"env GOPATH\") echo /gopath; exit 0;; esac\necho \"$@\" >>" + log + "\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "cimd"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")

	install := func(env ...string) (string, string) {
		ghPath := filepath.Join(t.TempDir(), "path")
		cmd := exec.Command("bash", "action/install.sh")
		cmd.Env = append(os.Environ(), append(env, "PATH="+path, "GITHUB_PATH="+ghPath)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("install.sh %q: %v\n%s", env, err, out)
		}
		b, _ := os.ReadFile(log)
		os.Remove(log)
		p, _ := os.ReadFile(ghPath)
		return strings.TrimSpace(string(b)), strings.TrimSpace(string(p))
	}
	if got, _ := install("CIMD_VERSION=", "CIMD_ACTION_REF=v1.2.3"); got != "install github.com/cimd-dev/cimd@v1.2.3" {
		t.Errorf("install at the action's ref ran go %q; want install ...@v1.2.3", got)
	}
	if got, _ := install("CIMD_VERSION=v0.9.0", "CIMD_ACTION_REF=main"); got != "install github.com/cimd-dev/cimd@v0.9.0" {
		t.Errorf("install with a version ran go %q; want install ...@v0.9.0", got)
	}
	if got, ghp := install("CIMD_VERSION=", "CIMD_ACTION_REF="); got != "install github.com/cimd-dev/cimd@latest" || ghp != "/gopath/bin" {
		t.Errorf("install with neither ran go %q and added %q to GITHUB_PATH; want @latest and /gopath/bin", got, ghp)
	}

	// run.sh splits the command line and passes cimd's exit code through;
	// under GITHUB_ACTIONS cimd annotates and writes the step summary.
	dir := t.TempDir()
	doc := `{"client_id":"https://app.example.com/c.json","client_name":"A","client_secret":"x","redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none"}`
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	summary := filepath.Join(dir, "summary.md")
	run := exec.Command("bash", filepath.Join(mustAbs(t, "action"), "run.sh"))
	run.Dir = dir
	run.Env = append(os.Environ(), "PATH="+path, "CIMD_ARGS=validate --strict bad.json", "GITHUB_ACTIONS=true", "GITHUB_STEP_SUMMARY="+summary, "NO_COLOR=1")
	out, err := run.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("run.sh validate bad.json: err = %v; want exit status 1\n%s", err, out)
	}
	if !strings.Contains(string(out), "::error title=cimd doc-client-secret::") {
		t.Errorf("run.sh output has no doc-client-secret annotation:\n%s", out)
	}
	if b, err := os.ReadFile(summary); err != nil || !strings.Contains(string(b), "| bad.json | ✗ invalid |") {
		t.Errorf("step summary = %q, %v; want a row for bad.json", b, err)
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

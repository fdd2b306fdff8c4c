package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	for _, want := range []string{"using: composite", `"$GITHUB_ACTION_PATH/action/install.sh"`, `"$GITHUB_ACTION_PATH/action/run.sh"`, "CIMD_VERSION: ${{ inputs.version }}", "CIMD_ARGS: ${{ inputs.command }}", "cache: false"} {
		if !strings.Contains(string(action), want) {
			t.Errorf("action.yml does not contain %q", want)
		}
	}
	// github.action_ref is empty in composite actions on some runners.
	if strings.Contains(string(action), "action_ref") {
		t.Error("action.yml relies on github.action_ref; install from $GITHUB_ACTION_PATH instead")
	}

	bin := t.TempDir()
	log := filepath.Join(bin, "go.log")
	fakeGo := "#!/bin/sh\ncase \"$1 $2\" in \"env GOBIN\") echo; exit 0;; \"env GOPATH\") echo /gopath; exit 0;; esac\necho \"$(pwd): $@\" >>" + log + "\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "cimd"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	path := bin + string(os.PathListSeparator) + os.Getenv("PATH")

	install := func(env ...string) (string, string, error) {
		ghPath := filepath.Join(t.TempDir(), "path")
		cmd := exec.Command("bash", "action/install.sh")
		cmd.Env = append(os.Environ(), append(env, "PATH="+path, "GITHUB_PATH="+ghPath)...)
		out, err := cmd.CombinedOutput()
		b, _ := os.ReadFile(log)
		os.Remove(log)
		p, _ := os.ReadFile(ghPath)
		if err != nil {
			return string(out), "", err
		}
		return strings.TrimSpace(string(b)), strings.TrimSpace(string(p)), nil
	}
	// Without a version: the action's own checkout, built where it lies.
	actionPath := mustAbs(t, ".")
	if got, ghp, err := install("CIMD_VERSION=", "GITHUB_ACTION_PATH="+actionPath); err != nil || got != actionPath+": install ." || ghp != "/gopath/bin" {
		t.Errorf("install from the action's checkout ran go %q (%v) and added %q to GITHUB_PATH; want %q and /gopath/bin", got, err, ghp, actionPath+": install .")
	}
	if got, _, err := install("CIMD_VERSION=v0.9.0", "GITHUB_ACTION_PATH="+actionPath); err != nil || !strings.HasSuffix(got, ": install github.com/cimd-dev/cimd@v0.9.0") {
		t.Errorf("install with a version ran go %q (%v); want install ...@v0.9.0", got, err)
	}
	// Neither: a clear failure, never a silent @latest.
	if out, _, err := install("CIMD_VERSION=", "GITHUB_ACTION_PATH="); err == nil || !strings.Contains(out, "set the version input") {
		t.Errorf("install with neither a version nor an action path = %v, %q; want a failure saying to set the version", err, out)
	}

	// The README's example validates the live copy (validate without a
	// TARGET, publish) only on release: on a pull request nothing is deployed.
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, example, ok := strings.Cut(string(readme), "```yaml\n")
	example, _, _ = strings.Cut(example, "```")
	if !ok || !strings.Contains(example, "uses: cimd-dev/cimd@") {
		t.Fatal("README has no yaml example using the action")
	}
	for _, step := range strings.Split(example, "\n      - ")[1:] {
		_, cmd, _ := strings.Cut(step, "command: ")
		cmd, _, _ = strings.Cut(cmd, "\n")
		f := strings.Fields(cmd)
		live := len(f) > 0 && (f[0] == "publish" || (f[0] == "validate" && !slices.ContainsFunc(f[1:], func(a string) bool { return !strings.HasPrefix(a, "-") && strings.ContainsAny(a, "/.") })))
		if live && !strings.Contains(step, "if: github.event_name == 'release'") {
			t.Errorf("README example step %q runs on pull requests too; guard it with if: github.event_name == 'release'", cmd)
		}
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

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompletionScripts: each shell's script names every command and every
// flag of each, the bash one parses (bash -n) and really completes, and the
// zsh and fish ones parse where those shells are installed.
func TestCompletionScripts(t *testing.T) {
	table := completionTable(context.Background())
	if len(table) != len(commands()) {
		t.Fatalf("completion table has %d commands; want %d", len(table), len(commands()))
	}
	dir := t.TempDir()
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, script, stderr := runCLI(t, "completion", shell)
		if code != 0 || stderr != "" {
			t.Fatalf("completion %s = %d, stderr %q", shell, code, stderr)
		}
		for _, c := range table {
			if !strings.Contains(script, c.name) {
				t.Errorf("%s script does not mention the command %s", shell, c.name)
			}
			for _, f := range c.flags {
				if !strings.Contains(script, f.long) {
					t.Errorf("%s script does not mention %s --%s", shell, c.name, f.long)
				}
			}
		}
		file := filepath.Join(dir, "cimd."+shell)
		if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := exec.LookPath(shell); err != nil {
			if shell == "bash" {
				t.Fatal("bash is needed to check the bash script")
			}
			t.Logf("%s is not installed: its script is checked for content only", shell)
			continue
		}
		if out, err := exec.Command(shell, "-n", file).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", shell, err, out)
		}
	}

	// The bash function completes commands, a command's flags, and --profile's values.
	bash := filepath.Join(dir, "cimd.bash")
	for _, tc := range []struct{ words, want string }{
		{"cimd bui", "build"},
		{"cimd -c x.toml pub", "publish"},
		{"cimd validate --all-", "--all-envs"},
		{"cimd validate --profile ", "mcp cimd"},
		{"cimd completion z", "zsh"},
	} {
		script := "source " + bash + "\nCOMP_WORDS=(" + tc.words + ")\n"
		if strings.HasSuffix(tc.words, " ") {
			script += "COMP_WORDS+=('')\n"
		}
		script += "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n_cimd\necho \"${COMPREPLY[*]}\"\n"
		out, err := exec.Command("bash", "-c", script).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != tc.want {
			t.Errorf("completing %q = %q, %v; want %q", tc.words, out, err, tc.want)
		}
	}

	if _, err := exec.LookPath("fish"); err == nil {
		out, err := exec.Command("fish", "-c", "source "+filepath.Join(dir, "cimd.fish")+"; complete -C 'cimd val'; complete -C 'cimd validate --profile '").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "validate\t") || !strings.Contains(string(out), "mcp\t") {
			t.Errorf("fish completes %q, %v; want validate, then mcp", out, err)
		}
	}
}

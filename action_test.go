package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
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
	// A commit is no release: go install, without a download (the release
	// archives are TestActionInstallRelease's).
	if got, _, err := install("CIMD_VERSION=0123abcd", "GITHUB_ACTION_PATH="+actionPath, "CIMD_RELEASE_BASE_URL=http://127.0.0.1:1"); err != nil || !strings.HasSuffix(got, ": install github.com/cimd-dev/cimd@0123abcd") {
		t.Errorf("install with a commit ran go %q (%v); want install ...@0123abcd", got, err)
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

	// The sarif input adds --sarif FILE (a name with a space stays one
	// argument): a SARIF log of the same findings, located at the file.
	run = exec.Command("bash", filepath.Join(mustAbs(t, "action"), "run.sh"))
	run.Dir = dir
	run.Env = append(os.Environ(), "PATH="+path, "CIMD_ARGS=validate --strict bad.json", "CIMD_SARIF=reports/cimd scan.sarif", "NO_COLOR=1")
	if out, err := run.CombinedOutput(); err == nil {
		t.Errorf("run.sh with CIMD_SARIF succeeded; want exit status 1\n%s", out)
	}
	sarif := readSARIF(t, filepath.Join(dir, "reports", "cimd scan.sarif"))
	if rs := sarif.Runs[0].Results; len(rs) == 0 || rs[0].RuleID != "doc-client-secret" || rs[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "bad.json" {
		t.Errorf("SARIF results = %+v; want doc-client-secret at bad.json first", rs)
	}
	for _, want := range []string{"  sarif:\n", "CIMD_SARIF: ${{ inputs.sarif }}"} {
		if !strings.Contains(string(action), want) {
			t.Errorf("action.yml does not contain %q", want)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestActionInstallRelease runs action/install.sh for pinned release
// versions against a local HTTPS server standing in for GitHub's release
// downloads: a release built here from this module (the real cimd binary in
// an archive named as .goreleaser.yaml names it, and its checksums.txt), a
// release whose checksum does not match, and releases that lack the archive.
func TestActionInstallRelease(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to run the action's scripts")
	}
	for _, tool := range []string{"curl", "tar", "unzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (GitHub's runners have it)", tool)
		}
	}
	tmp := t.TempDir()
	cimd := filepath.Join(tmp, "cimd")
	// Built as TestActionScripts builds it, so that the build cache serves
	// both (the release adds -trimpath and CGO_ENABLED=0; the archive
	// handling does not depend on them).
	build := exec.Command("go", "build", "-o", cimd, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(cimd)
	if err != nil {
		t.Fatal(err)
	}

	// The releases, one directory per tag as under .../releases/download/.
	root := filepath.Join(tmp, "releases")
	here := runtime.GOOS + "_" + runtime.GOARCH
	release := func(tag string, assets map[string][]byte, sums map[string]string) {
		dir := filepath.Join(root, tag)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		var list strings.Builder
		for name, b := range assets {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(b)
			if s, ok := sums[name]; ok {
				if s == "" {
					continue
				}
				fmt.Fprintf(&list, "%s  %s\n", s, name)
				continue
			}
			fmt.Fprintf(&list, "%x  %s\n", sum, name)
		}
		if err := os.WriteFile(filepath.Join(dir, "checksums.txt"), []byte(list.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := tarGz(t, map[string][]byte{"cimd": bin, "LICENSE": []byte("license\n"), "README.md": []byte("readme\n")})
	release("v1.2.3", map[string][]byte{"cimd_1.2.3_" + here + ".tar.gz": good}, nil)
	release("v1.2.3-rc.1", map[string][]byte{"cimd_1.2.3-rc.1_windows_arm64.zip": zipOf(t, map[string][]byte{"cimd.exe": bin})}, nil)
	// The archive served is not the one checksums.txt was written for.
	release("v1.2.4", map[string][]byte{"cimd_1.2.4_" + here + ".tar.gz": good}, map[string]string{"cimd_1.2.4_" + here + ".tar.gz": strings.Repeat("ab", 32)})
	// checksums.txt does not list the archive.
	release("v1.2.5", map[string][]byte{"cimd_1.2.5_" + here + ".tar.gz": good}, map[string]string{"cimd_1.2.5_" + here + ".tar.gz": ""})
	// An archive without the binary.
	release("v1.2.6", map[string][]byte{"cimd_1.2.6_" + here + ".tar.gz": tarGz(t, map[string][]byte{"README.md": []byte("readme\n")})}, nil)
	// Archives for other platforms only.
	release("v1.3.0", map[string][]byte{"cimd_1.3.0_plan9_amd64.tar.gz": good}, nil)
	// No release at all (v0.9.0) is a 404 for checksums.txt.

	var mu sync.Mutex
	var served []string
	files := http.FileServer(http.Dir(root))
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		served = append(served, r.URL.Path)
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ca := filepath.Join(tmp, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644); err != nil {
		t.Fatal(err)
	}

	// A stand-in go that records what it is asked to install.
	fakeBin := filepath.Join(tmp, "fakebin")
	goLog := filepath.Join(tmp, "go.log")
	fakeGo := "#!/bin/sh\ncase \"$1 $2\" in \"env GOBIN\") echo; exit 0;; \"env GOPATH\") echo /gopath; exit 0;; esac\necho \"$@\" >>" + goLog + "\n"
	if err := os.MkdirAll(fakeBin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fakeBin, "go"), []byte(fakeGo), 0o755); err != nil {
		t.Fatal(err)
	}

	type result struct {
		out, goRan, path string
		err              error
		leftover         []string
	}
	install := func(version string, env ...string) result {
		t.Helper()
		runnerTemp := t.TempDir()
		ghPath := filepath.Join(t.TempDir(), "path")
		cmd := exec.Command("bash", "action/install.sh")
		cmd.Env = append(os.Environ(), append([]string{
			"PATH=" + fakeBin + string(os.PathListSeparator) + os.Getenv("PATH"),
			"CIMD_VERSION=" + version, "GITHUB_ACTION_PATH=" + mustAbs(t, "."),
			"CIMD_RELEASE_BASE_URL=" + srv.URL + "/", "CURL_CA_BUNDLE=" + ca,
			"RUNNER_TEMP=" + runnerTemp, "GITHUB_PATH=" + ghPath, "RUNNER_OS=", "RUNNER_ARCH=",
		}, env...)...)
		out, err := cmd.CombinedOutput()
		var r result
		r.out, r.err = string(out), err
		b, _ := os.ReadFile(goLog)
		os.Remove(goLog)
		r.goRan = strings.TrimSpace(string(b))
		p, _ := os.ReadFile(ghPath)
		r.path = strings.TrimSpace(string(p))
		entries, _ := os.ReadDir(runnerTemp)
		for _, e := range entries {
			r.leftover = append(r.leftover, e.Name())
		}
		return r
	}

	// The release archive: downloaded, verified, unpacked, on PATH; no go.
	r := install("v1.2.3")
	if r.err != nil || r.goRan != "" {
		t.Fatalf("install v1.2.3: %v, go ran %q\n%s", r.err, r.goRan, r.out)
	}
	if !strings.Contains(r.out, "sha256 verified") {
		t.Errorf("install v1.2.3 output does not say the checksum was verified:\n%s", r.out)
	}
	got, err := os.ReadFile(filepath.Join(r.path, "cimd"))
	if err != nil || !bytes.Equal(got, bin) {
		t.Fatalf("GITHUB_PATH entry %q holds no cimd equal to the released one (%v)", r.path, err)
	}
	if out, err := exec.Command(filepath.Join(r.path, "cimd"), "version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "cimd ") {
		t.Errorf("installed cimd version: %v\n%s", err, out)
	}
	if leftover, _ := os.ReadDir(r.path); len(leftover) != 1 {
		t.Errorf("the install directory holds %d files; want only cimd", len(leftover))
	}
	mu.Lock()
	wantServed := []string{"/v1.2.3/checksums.txt", "/v1.2.3/cimd_1.2.3_" + here + ".tar.gz"}
	if !slices.Equal(served, wantServed) {
		t.Errorf("server served %q; want %q", served, wantServed)
	}
	mu.Unlock()

	// Windows runners get the zip and cimd.exe.
	r = install("v1.2.3-rc.1", "RUNNER_OS=Windows", "RUNNER_ARCH=ARM64")
	if r.err != nil || r.goRan != "" {
		t.Errorf("install v1.2.3-rc.1 on windows/arm64: %v, go ran %q\n%s", r.err, r.goRan, r.out)
	} else if got, err := os.ReadFile(filepath.Join(r.path, "cimd.exe")); err != nil || !bytes.Equal(got, bin) {
		t.Errorf("GITHUB_PATH entry %q holds no cimd.exe from the zip (%v)", r.path, err)
	}

	// Wrong or missing checksums and a broken archive fail loudly and leave
	// nothing: no PATH entry, no files, no go install of something else.
	for _, c := range []struct{ version, want string }{
		{"v1.2.4", "checksum mismatch for " + srv.URL + "/v1.2.4/cimd_1.2.4_" + here + ".tar.gz"},
		{"v1.2.5", "checksums.txt lists no checksum for cimd_1.2.5_" + here + ".tar.gz"},
		{"v1.2.6", "cimd_1.2.6_" + here + ".tar.gz holds no cimd"},
	} {
		r := install(c.version)
		if ee, ok := r.err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("install %s: err = %v; want exit status 1\n%s", c.version, r.err, r.out)
		}
		if !strings.Contains(r.out, "::error title=cimd action::") || !strings.Contains(r.out, c.want) || !strings.Contains(r.out, "nothing installed") {
			t.Errorf("install %s output does not say %q and nothing installed:\n%s", c.version, c.want, r.out)
		}
		if r.path != "" || r.goRan != "" || len(r.leftover) != 0 {
			t.Errorf("install %s failed but added %q to GITHUB_PATH, ran go %q, left %q behind", c.version, r.path, r.goRan, r.leftover)
		}
	}

	// A tag without release archives, or none for this platform: go install.
	for _, v := range []string{"v0.9.0", "v1.3.0"} {
		r := install(v)
		if r.err != nil || r.goRan != "install github.com/cimd-dev/cimd@"+v || r.path != "/gopath/bin" || len(r.leftover) != 0 {
			t.Errorf("install %s without its archive: %v, go ran %q, GITHUB_PATH %q, left %q; want go install ...@%s into /gopath/bin\n%s", v, r.err, r.goRan, r.path, r.leftover, v, r.out)
		}
		if !strings.Contains(r.out, "no release archive of cimd "+v) {
			t.Errorf("install %s does not say why it fell back to go install:\n%s", v, r.out)
		}
	}
}

// tarGz is a GoReleaser-style archive: the files at the top level.
func tarGz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		mode := int64(0o644)
		if name == "cimd" {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(files[name]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

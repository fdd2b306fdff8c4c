//go:build unix

package main

import (
	"bufio"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSignals runs the real binary (testscript.Main put it on PATH as cimd)
// in a phase that would last a minute, sends it SIGINT or SIGTERM, and checks
// that it stops with "cimd: interrupted", exit 130 or 143, prints no result
// and leaves no file behind: a validate --wait polling a server that never
// gets valid, and a publish whose store accepts the connection and never
// answers.
func TestSignals(t *testing.T) {
	bin, err := exec.LookPath("cimd")
	if err != nil {
		t.Fatal("cimd is not on PATH:", err)
	}
	// Never valid: a 503 is retried until --wait runs out.
	served := make(chan struct{}, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		select {
		case served <- struct{}{}:
		default:
		}
	}))
	defer srv.Close()

	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
		args []string
	}{
		{"validate SIGINT", syscall.SIGINT, 130, []string{"validate", "--wait", "1m"}},
		{"validate SIGTERM", syscall.SIGTERM, 143, []string{"validate", "--wait", "1m", "--json"}},
		{"publish SIGINT", syscall.SIGINT, 130, []string{"publish", "--timeout", "1m"}},
		{"publish SIGTERM", syscall.SIGTERM, 143, []string{"publish", "--timeout", "1m", "--json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tmp := filepath.Join(dir, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			hang, accepted := acceptAndHang(t)
			writeSignalConfig(t, dir, srv, hang)
			before := listTree(t, dir)

			cmd := exec.Command(bin, tc.args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "NO_COLOR=1",
				"AWS_ACCESS_KEY_ID=AKIAEXAMPLEEXAMPLE12", "AWS_SECRET_ACCESS_KEY=x", "AWS_SESSION_TOKEN=",
				"AWS_REGION=us-east-1", "AWS_PROFILE=", "AWS_ENDPOINT_URL=", "AWS_ENDPOINT_URL_S3=",
				"AWS_CONFIG_FILE="+filepath.Join(tmp, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(tmp, "none"),
				"AWS_EC2_METADATA_DISABLED=true")
			pr, pw := io.Pipe()
			var stderr, stdout strings.Builder
			cmd.Stderr = io.MultiWriter(&stderr, pw)
			cmd.Stdout = &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait(); pw.Close() }()

			// Signal once the long phase is under way: the first failed
			// attempt of validate (its progress line, or with --json the
			// request), the connection of publish's HeadObject.
			select {
			case <-served: // from an earlier subtest
			default:
			}
			started := make(chan struct{})
			go func() {
				br := bufio.NewReader(pr)
				for {
					line, err := br.ReadString('\n')
					if strings.HasPrefix(line, "cimd: attempt 1:") {
						close(started)
						break
					}
					if err != nil {
						return
					}
				}
				io.Copy(io.Discard, br)
			}()
			select {
			case <-started:
			case <-accepted:
			case <-served:
			case err := <-done:
				t.Fatalf("exited before the signal: %v\nstderr:\n%s", err, &stderr)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			err := <-done
			if code := cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit code %d (%v); want %d\nstderr:\n%s", code, err, tc.code, &stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if last := lines[len(lines)-1]; last != "cimd: interrupted" {
				t.Errorf("last stderr line %q; want %q\nstderr:\n%s", last, "cimd: interrupted", &stderr)
			}
			if strings.Count(stderr.String(), "interrupted") != 1 {
				t.Errorf("interrupted said more than once:\n%s", &stderr)
			}
			if stdout.Len() > 0 {
				t.Errorf("an interrupted run printed a result:\n%s", &stdout)
			}
			if after := listTree(t, dir); after != before {
				t.Errorf("files changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// writeSignalConfig writes dir/cimd.toml for the live URL of srv, with an
// S3 target at endpoint, and srv's certificate as dir/ca.pem.
func writeSignalConfig(t *testing.T, dir string, srv *httptest.Server, endpoint string) {
	t.Helper()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`host = %q
path = "/oauth/client.json"
[client]
client_name = "Signals"
redirect_uris = ["http://127.0.0.1:8765/callback"]
application_type = "native"
[publish]
target = "s3"
[publish.s3]
bucket = "b"
endpoint = %q
[validate]
allow_private = true
cacert = "ca.pem"
`, strings.TrimPrefix(srv.URL, "https://"), endpoint)
	if err := os.WriteFile(filepath.Join(dir, "cimd.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listTree lists every file and directory under dir with its size.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&b, "%s %d\n", rel, info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

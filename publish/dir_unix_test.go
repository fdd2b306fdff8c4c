//go:build unix

package publish

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDirUmask checks that a strict umask does not make the published file
// unreadable to the web server.
func TestDirUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if _, err := Publish(t.Context(), dirConfig(dir, "site"), []byte(docA), Options{}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "site", "oauth", "client.json"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode = %v; want 0644", fi.Mode().Perm())
	}
}

// atomicChildEnv names the directory TestDirAtomicChild publishes into.
const atomicChildEnv = "CIMD_TEST_ATOMIC_CHILD_DIR"

// bigDocs are two documents large enough that a kill often lands while one
// is being written.
func bigDocs() [2][]byte {
	var docs [2][]byte
	for i, name := range []string{"A", "B"} {
		padding := strings.Repeat(name, 256<<10*(i+1))
		docs[i], _ = json.Marshal(map[string]string{"client_name": name, "padding": padding})
	}
	return docs
}

// TestDirAtomicChild is the process TestDirAtomic kills: it publishes the two
// documents in turn until it dies.
func TestDirAtomicChild(t *testing.T) {
	dir := os.Getenv(atomicChildEnv)
	if dir == "" {
		return // not a child: nothing to do
	}
	docs := bigDocs()
	c := dirConfig(dir, "site")
	fmt.Println("ready")
	for i := 0; ; i++ {
		if _, err := Publish(t.Context(), c, docs[i%2], Options{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDirAtomic kills a publishing process at random moments and checks
// that the published file is, every time, one whole document or the other,
// and that the temporary files killed publishes leave behind do not pile up.
func TestDirAtomic(t *testing.T) {
	dir := t.TempDir()
	docs := bigDocs()
	name := filepath.Join(dir, "site", "oauth", "client.json")
	kills := 200
	if testing.Short() {
		kills = 20
	}
	sawTemp := 0
	seen := false // whether the file has existed yet
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDirAtomicChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), atomicChildEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("child said %q; want ready", line)
		}
		time.Sleep(time.Duration(rand.IntN(8000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		got, err := os.ReadFile(name)
		if os.IsNotExist(err) && !seen {
			continue // every child so far was killed before its first rename
		}
		seen = true
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		if !json.Valid(got) || !(bytes.Equal(got, docs[0]) || bytes.Equal(got, docs[1])) {
			t.Fatalf("kill %d: file holds %d bytes that are neither document", i, len(got))
		}
		temps, _ := filepath.Glob(filepath.Join(dir, "site", "oauth", ".client.json.tmp-*"))
		if len(temps) > 1 {
			t.Fatalf("kill %d: %d temporary files left: %q", i, len(temps), temps)
		}
		sawTemp += len(temps)
	}
	if !seen {
		t.Fatalf("no child published anything in %d runs", kills)
	}
	t.Logf("%d kills, %d left a temporary file", kills, sawTemp)

	// The next publish removes what the last kill left.
	if _, err := Publish(t.Context(), dirConfig(dir, "site"), []byte(docA), Options{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(name))
	if len(entries) != 1 {
		t.Errorf("after a publish the directory holds %d entries; want only client.json", len(entries))
	}
}

package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const bombBase = "host = \"app.example.com\"\npath = \"/oauth/client.json\"\n[client]\nclient_name = \"A\"\nredirect_uris = [\"https://app.example.com/cb\"]\n"

func writeConfig(t testing.TB, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cimd.toml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestConfigBombs checks that the shapes that made the TOML decoder take
// minutes and gigabytes are refused, with file and line, before decoding.
// They are small here (the decoder would survive them): what is checked is
// that they are refused with a clear error, not how long anything takes.
func TestConfigBombs(t *testing.T) {
	deep := strings.Repeat(".a", 3000)
	for _, tc := range []struct {
		name, src, want string
	}{
		{"table header", bombBase + "[client.extra" + deep + "]\nx = 1\n", ":6:1: nested more than 8 tables or arrays deep"},
		{"array of tables header", bombBase + "[[client.extra" + deep + "]]\nx = 1\n", ":6:1: nested more than 8 tables or arrays deep"},
		{"dotted key", bombBase + "[client.extra]\n" + "a" + deep + " = 1\n", ":7:1: nested more than 8"},
		{"dotted key at top", bombBase + "client.extra" + deep + " = 1\n", ":6:1: nested more than 8"},
		{"inline tables", bombBase + "[client.extra]\nx = " + strings.Repeat("{a = ", 5000) + "1" + strings.Repeat("}", 5000) + "\n", ":7:"},
		{"arrays", bombBase + "[client.extra]\nx = " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", ":7:"},
		{"dotted key in inline table", bombBase + "[client.extra]\nx = {a" + deep + " = 1}\n", ":7:6: nested more than 8"},
		{"arrays over lines", bombBase + "[client.extra]\nx = [\n" + strings.Repeat("[\n", 20) + strings.Repeat("]\n", 20) + "]\n", ":13:1: nested more than 8"},
		{"too large", bombBase + strings.Repeat("# padding padding padding padding\n", MaxFileSize/34+1), "cimd.toml: larger than 1048576 bytes (1 MiB)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.src)
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a config Error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %.300q\nwant it to contain %q", err, tc.want)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error is %d bytes long; want one short line", len(err.Error()))
			}
		})
	}
}

// TestConfigDepthAllowed checks that nesting up to the limit, strings that
// look like nesting, and comments are not refused by the pre-scan.
func TestConfigDepthAllowed(t *testing.T) {
	for _, src := range []string{
		// env, staging, client, extra, [, {, [, [: 1 is 8 deep.
		bombBase + "[env.staging.client.extra]\na = [{b = [[1]]}]\n",
		bombBase + "[client.extra]\na = \"[[[[[[[[[[{{{{{{{{{{.a.a.a.a.a.a.a.a.a.a\"\nb = '[[[[[[[[[[[[[['\n# [[[[[[[[[[[[[[[[[[ a.a.a.a.a.a.a.a.a.a.a\n",
		bombBase + "[client.extra]\nc = \"\"\"\n[[[[[[[[[[[[[[[[\na.a.a.a.a.a.a.a.a.a.a.a = 1\n\"\"\"\n",
		bombBase + "[client.extra]\n\"a.a.a.a.a.a.a.a.a.a.a\" = 1\n",
	} {
		if d := scanDepth([]byte(src)); d != nil {
			t.Errorf("scanDepth refuses at %d:%d:\n%s", d.line, d.col, src)
		}
	}
	if d := scanDepth([]byte(bombBase + "[env.staging.client.extra]\na = [{b = [[[1]]]}]\n")); d == nil {
		t.Error("scanDepth accepts 9 deep")
	}
}

func unknownKeys(n int) string {
	var b strings.Builder
	b.WriteString(bombBase)
	for i := range n {
		fmt.Fprintf(&b, "unknown_%d = %d\n", i, i)
	}
	return b.String()
}

// TestManyUnknownKeys checks that every one of 8000 unknown keys is
// reported, each at its line (BenchmarkUnknownKeys shows the cost is
// linear).
func TestManyUnknownKeys(t *testing.T) {
	const n = 8000
	_, err := Load(writeConfig(t, unknownKeys(n)))
	if err == nil {
		t.Fatal("Load succeeded")
	}
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("error %T is not joined", err)
	}
	errs := joined.Unwrap()
	if len(errs) != n {
		t.Fatalf("%d problems; want %d", len(errs), n)
	}
	last := errs[n-1].(*Error)
	if want := 6 + n - 1; last.Line != want || last.Key != fmt.Sprintf("client.unknown_%d", n-1) {
		t.Errorf("last problem %v; want line %d, key unknown_%d", last, want, n-1)
	}
}

// BenchmarkUnknownKeys loads files with 1000 to 8000 unknown keys: the time
// per key stays flat (it grew with the file when each problem rescanned it).
func BenchmarkUnknownKeys(b *testing.B) {
	for _, n := range []int{1000, 2000, 4000, 8000} {
		path := writeConfig(b, unknownKeys(n))
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Load(path); err == nil {
					b.Fatal("Load succeeded")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
}

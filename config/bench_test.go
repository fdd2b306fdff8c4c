package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manyEnvs writes a cimd.toml of n environments in the shape of bench/run's
// build of ten thousand, and returns its path.
func manyEnvs(tb testing.TB, n int) string {
	var sb strings.Builder
	sb.WriteString(`host = "app.example.com"
path = "/oauth/client.json"

[client]
client_name = "Example App"
redirect_uris = ["http://127.0.0.1:8765/callback", "https://app.example.com/oauth/callback"]
application_type = "native"
`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "\n[env.e%05d]\nhost = \"e%05d.app.example.com\"\nclient.client_name = \"App %05d\"\n", i, i, i)
	}
	path := filepath.Join(tb.TempDir(), "cimd.toml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkLoadManyEnvs measures Load of ten thousand environments, which
// decodes and checks each one (a section at a time) and keeps none.
func BenchmarkLoadManyEnvs(b *testing.B) {
	path := manyEnvs(b, 10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConfig measures what build pays per environment to have its
// Config again, taking them in order: its section decoded (with the others
// of its chunk), merged over the top level, defaults filled in.
func BenchmarkConfig(b *testing.B) {
	f, err := Load(manyEnvs(b, 1000))
	if err != nil {
		b.Fatal(err)
	}
	names := f.Envs()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		name := names[i%len(names)]
		if c := f.Config(name); c.Env != name {
			b.Fatal(c.Env)
		}
		i++
	}
}

package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const sectionsTop = `host = "app.example.com"
path = "/oauth/client.json"

[client]
client_name = "Example App"
redirect_uris = ["https://app.example.com/cb"]

[build]
out = "site"
`

// sameAsWhole checks that the File Load made gives what decoding the file
// in one piece gives: the same environments, each the same Config.
func sameAsWhole(t *testing.T, path, src string, f *File) {
	t.Helper()
	whole, err := loadWhole(path, src)
	if err != nil {
		t.Fatalf("loadWhole: %v", err)
	}
	if !reflect.DeepEqual(f.Envs(), whole.Envs()) {
		t.Fatalf("environments %q; decoded whole %q", f.Envs(), whole.Envs())
	}
	got, _ := f.Select("", true)
	want, _ := whole.Select("", true)
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s:\n got  %+v\n want %+v", want[i].Name(), got[i], want[i])
		}
	}
	// Each key is found on the same line, where the findings of GitHub
	// annotations and SARIF point.
	keys := [][]string{{"host"}, {"path"}, {"client"}, {"client", "client_name"}, {"client", "redirect_uris"},
		{"client", "extra", "nested"}, {"client", "extra", "list"}, {"build", "out"}, {"publish", "s3", "bucket"}, {"nope"}}
	for _, env := range append([]string{""}, whole.Envs()...) {
		for _, k := range keys {
			if got, want := f.Line(env, k...), whole.Line(env, k...); got != want {
				t.Errorf("Line(%q, %q) = %d; decoded whole %d", env, k, got, want)
			}
		}
	}
	if !reflect.DeepEqual(f.suppress, whole.suppress) {
		t.Errorf("suppressions %+v; decoded whole %+v", f.suppress, whole.suppress)
	}
}

// TestSectionsLikeWhole: files Load reads a section at a time give exactly
// what they give decoded in one piece.
func TestSectionsLikeWhole(t *testing.T) {
	cases := map[string]string{
		"no environments": sectionsTop,
		"plain": sectionsTop + `
[env.staging]
host = "staging.example.com"

[env.prod]
host = "prod.example.com"
[env.prod.client]
client_name = "Prod"
[env.prod.publish.s3]
bucket = "b"
`,
		"dotted, inline and quoted": sectionsTop + `
[env.a]
client.client_name = "A"
client.extra = { tos_hint = "x", nested = { deep = [1, 2] } }
[ env . "b-2" ]
host = 'b.example.com'
[env.'c.3'.build]
out = "c"
`,
		"comments, CRLF and a multi-line string": strings.ReplaceAll(sectionsTop+`
# [env.fake] in a comment
[env.a] # a comment after the header
host = "a.example.com"
[env.a.client]
client_name = """
[env.b]
not a header: inside a string
"""
[env.b]
host = "b.example.com"
`, "\n", "\r\n"),
		"suppressions at the top": `host = "app.example.com"
path = "/c.json"
[client]
redirect_uris = ["https://app.example.com/cb"]

[[suppress]]
rule = "doc-client-name-missing"
reason = "a test"
expires = 2099-01-01

[env.x]
host = "x.example.com"
[[env.x.client.extra.list]]
k = 1
`,
		"not sorted": sectionsTop + `
[env.zeta]
host = "z.example.com"
[env.alpha]
host = "a.example.com"
[env.mid]
host = "m.example.com"
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeConfig(t, src)
			if loadSections(path, src) == nil {
				t.Fatal("loadSections refused the file; want it read a section at a time")
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if f.envAt == nil && len(f.envs) > 0 {
				t.Fatal("Load kept every Config; want the sections")
			}
			sameAsWhole(t, path, src, f)
		})
	}
}

// TestSectionsFallBack: a file that cannot be split safely is decoded in
// one piece, and means what it says.
func TestSectionsFallBack(t *testing.T) {
	cases := map[string]string{
		"a top-level table after the environments": `host = "app.example.com"
path = "/c.json"
[env.a]
host = "a.example.com"
[client]
redirect_uris = ["https://app.example.com/cb"]
`,
		"[env] itself": sectionsTop + `
[env]
a.host = "a.example.com"
`,
		"an environment in two places": sectionsTop + `
[env.a]
host = "a.example.com"
[env.b]
host = "b.example.com"
[env.a.client]
client_name = "A"
`,
		"environments as top-level dotted keys": `env.a.host = "a.example.com"
` + sectionsTop + `
[env.b]
host = "b.example.com"
`,
		// Out of sorted order, so that b and a are in chunks of their own.
		"an array of tables of another environment": sectionsTop + `
[env.b]
host = "b.example.com"
[env.a]
host = "a.example.com"
[[env.b.client.extra.list]]
k = 1
`,
		"a header the scan misses in an inline multi-line string": sectionsTop + `
[env.z]
client.extra = { note = """
[env.a]
""" }
[env.m]
host = "m.example.com"
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeConfig(t, src)
			if loadSections(path, src) != nil {
				t.Fatal("loadSections read the file in sections; want it refused")
			}
			f, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if f.envAt != nil {
				t.Fatal("Load used sections")
			}
			sameAsWhole(t, path, src, f)
		})
	}
}

// TestSectionsProblems: a file with a problem is reported as decoding it in
// one piece reports it, whatever section it is in.
func TestSectionsProblems(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(sectionsTop)
	for i := range 300 {
		fmt.Fprintf(&sb, "\n[env.e%03d]\nhost = \"e%03d.example.com\"\n", i, i)
		if i == 150 {
			sb.WriteString("hots = \"typo\"\n")
		}
	}
	src := sb.String()
	path := writeConfig(t, src)
	_, err := Load(path)
	_, want := loadWhole(path, src)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("Load: %v\nwant: %v", err, want)
	}
	if !strings.Contains(err.Error(), "env.e150.hots") || !strings.Contains(err.Error(), ":") {
		t.Errorf("error %q; want it at env.e150.hots, with its line", err)
	}
}

// TestChunks: sections that follow each other in the file and in sorted
// order share a chunk, up to maxChunk; others are alone.
func TestChunks(t *testing.T) {
	var names []string
	var spans []span
	at := 0
	add := func(n string) {
		names = append(names, n)
		spans = append(spans, span{start: at, end: at + 10})
		at += 10
	}
	for i := range maxChunk + 6 {
		add(fmt.Sprintf("e%03d", i))
	}
	add("a") // out of order: alone
	add("f")
	got := chunks(names, spans)
	var sizes []int
	for _, c := range got {
		sizes = append(sizes, len(c.names))
		if c.start != spans[indexOf(names, c.names[0])].start || c.end != spans[indexOf(names, c.names[len(c.names)-1])].end {
			t.Errorf("chunk %q spans %d-%d; want its sections'", c.names, c.start, c.end)
		}
	}
	if want := []int{maxChunk, 6, 1, 1}; !reflect.DeepEqual(sizes, want) {
		t.Errorf("chunk sizes %v; want %v", sizes, want)
	}

	// And every environment of a big sorted file comes back as it would
	// from the whole file, whatever order it is asked for in.
	var sb strings.Builder
	sb.WriteString(sectionsTop)
	for i := range 200 {
		fmt.Fprintf(&sb, "\n[env.e%03d]\nhost = \"e%03d.example.com\"\nclient.client_name = \"E%d\"\n", i, i, i)
	}
	src := sb.String()
	path := writeConfig(t, src)
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.chunks) != 4 {
		t.Errorf("%d chunks for 200 sorted environments; want 4", len(f.chunks))
	}
	whole, _ := loadWhole(path, src)
	for _, i := range []int{199, 0, 150, 3, 64, 63, 199} {
		name := fmt.Sprintf("e%03d", i)
		if got, want := f.Config(name), whole.Config(name); !reflect.DeepEqual(got, want) {
			t.Errorf("Config(%s) = %+v; want %+v", name, got, want)
		}
	}
}

func indexOf(names []string, n string) int {
	for i, x := range names {
		if x == n {
			return i
		}
	}
	return -1
}

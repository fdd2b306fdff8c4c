package build

import "testing"

func TestMergeHeaders(t *testing.T) {
	ours := "# cimd: begin (x)\n/c.json\n  Content-Type: application/json\n# cimd: end\n"
	tests := []struct {
		name, existing, want string
	}{
		{"no file", "", ours},
		{"site rules kept, ours appended", "/*\n  X-Frame-Options: DENY\n", "/*\n  X-Frame-Options: DENY\n\n" + ours},
		{"no final newline", "/*\n  X-Frame-Options: DENY", "/*\n  X-Frame-Options: DENY\n\n" + ours},
		{"our old block replaced in place",
			"/*\n  X-A: 1\n# cimd: begin (x)\n/old.json\n  Content-Type: text/plain\n# cimd: end\n/b\n  X-B: 2\n",
			"/*\n  X-A: 1\n" + ours + "/b\n  X-B: 2\n"},
		{"block at the end without newline", "# cimd: begin\n/old\n# cimd: end", ours},
		{"begin without end: appended, nothing lost", "# cimd: begin\n/old\n", "# cimd: begin\n/old\n\n" + ours},
	}
	for _, tt := range tests {
		if got := string(MergeHeaders([]byte(tt.existing), []byte(ours))); got != tt.want {
			t.Errorf("%s: MergeHeaders(%q) = %q; want %q", tt.name, tt.existing, got, tt.want)
		}
	}
}

package authserver

import "testing"

func TestBound(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"plain text", 100, "plain text"},
		{"é日本", 100, "é日本"},
		{"a\x1b[31mb", 100, `a\x1b[31mb`},
		{"tab\there\nnl", 100, `tab\x09here\x0anl`},
		{"evil\u202etxt.exe", 100, `evil\u202etxt.exe`},
		{"bad \xff byte", 100, "bad \uFFFD byte"},
		{"abcdef", 3, "abc…"},
		{"ab\x1bcd", 4, "ab…"}, // an escape is not cut in half
		{"", 3, ""},
	}
	for _, tt := range tests {
		if got := bound(tt.in, tt.n); got != tt.want {
			t.Errorf("bound(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestPageText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`<html><head><title>Error</title><script>var x = "<b>";</script><STYLE>b{}</STYLE></head><body><h1>Bad&nbsp;request</h1><p>client&#39;s <b>redirect_uri</b></p></body></html>`,
			"Error Bad request client's redirect_uri"},
		{"no html at all", "no html at all"},
		{"<p>unclosed <b", "unclosed"},
		{"<script>never closed", ""},
	}
	for _, tt := range tests {
		if got := pageText([]byte(tt.in)); got != tt.want {
			t.Errorf("pageText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

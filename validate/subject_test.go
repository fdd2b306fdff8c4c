package validate

import (
	"slices"
	"strconv"
	"testing"
)

// TestQuoteIsStrconvQuote: quote's fast path gives what strconv.Quote
// gives, for the bytes at the edges of it and for those it leaves to Quote.
func TestQuoteIsStrconvQuote(t *testing.T) {
	for _, s := range []string{"", "http://127.0.0.1:8765/callback", " ~", "a\"b", `a\b`, "a\x7fb", "a\x1fb", "\t",
		"caf\u00e9", "\xff", "\u2028", "com.example.app:/cb?x=1#f"} {
		if got, want := quote(s), strconv.Quote(s); got != want {
			t.Errorf("quote(%q) = %s; want %s", s, got, want)
		}
	}
}

// TestSortFirst: the first n are the n smallest in order, and the list
// keeps its members.
func TestSortFirst(t *testing.T) {
	for _, list := range [][]string{{}, {"b", "a"}, {"d", "c", "b", "a"}, {"e", "a", "d", "b", "c", "a"}, {"z", "y", "x", "w", "v", "u", "t"}} {
		want := slices.Sorted(slices.Values(list))
		got := slices.Clone(list)
		sortFirst(got, 3)
		n := min(3, len(got))
		if !slices.Equal(got[:n], want[:n]) {
			t.Errorf("sortFirst(%q, 3) starts %q; want %q", list, got[:n], want[:n])
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("sortFirst(%q, 3) holds %q; want %q", list, got, want)
		}
	}
}

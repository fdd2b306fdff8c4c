package main

import "testing"

// TestPinVersion: the workflow pins what the module proxy can serve, and
// falls back to @latest (with a warning) for a development build.
func TestPinVersion(t *testing.T) {
	for _, tt := range []struct {
		in     string
		want   string
		pinned bool
	}{
		{"v1.2.3", "v1.2.3", true},
		{"v0.0.0-20261126173520-1d36716b012e", "v0.0.0-20261126173520-1d36716b012e", true},
		{"v1.2.4-0.20261126173520-1d36716b012e+dirty", "latest", false},
		{"(devel)", "latest", false},
		{"", "latest", false},
	} {
		got, pinned := pinVersion(tt.in)
		if got != tt.want || pinned != tt.pinned {
			t.Errorf("pinVersion(%q) = %q, %v; want %q, %v", tt.in, got, pinned, tt.want, tt.pinned)
		}
	}
}

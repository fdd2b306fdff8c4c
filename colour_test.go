package main

import (
	"os"
	"testing"
)

// TestNoColourForDevNull: /dev/null is a character device but not a
// terminal, so output redirected there (or to a file) gets no escapes.
func TestNoColourForDevNull(t *testing.T) {
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := stdio{getenv: func(string) string { return "" }}
	if newPainter(s, f) {
		t.Errorf("newPainter(%s) = colour on; want off (not a terminal)", os.DevNull)
	}
	reg, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if newPainter(s, reg) {
		t.Error("newPainter(regular file) = colour on; want off")
	}
}

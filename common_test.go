package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestWriteJSONIndentsLikeJSONIndent checks that writeJSON's output is what
// json.Indent makes of a value that is not nested too deep.
func TestWriteJSONIndentsLikeJSONIndent(t *testing.T) {
	v := map[string]any{
		"valid": true, "results": []any{map[string]any{
			"findings": []any{}, "document": map[string]any{"a\"b": `x\"y`, "jwks": map[string]any{"keys": []any{map[string]any{"kty": "EC"}}}, "e": map[string]any{}},
		}},
	}
	var got bytes.Buffer
	if err := writeJSON(&got, v); err != nil {
		t.Fatal(err)
	}
	compact, _ := json.Marshal(v)
	var want bytes.Buffer
	json.Indent(&want, compact, "", "  ")
	want.WriteByte('\n')
	if got.String() != want.String() {
		t.Errorf("writeJSON = %s; want %s", got.String(), want.String())
	}
}

// TestWriteJSONDeepDocument checks that a deeply nested document costs
// output in proportion to its size, not to the square of its depth, and
// stays valid JSON (issue 11 item 6: 5 KB in, 12.5 MB out).
func TestWriteJSONDeepDocument(t *testing.T) {
	deep := strings.Repeat("[", 60) + strings.Repeat("1,", 2000) + "1" + strings.Repeat("]", 60)
	var v any
	if err := json.Unmarshal([]byte(deep), &v); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := writeJSON(&got, map[string]any{"document": v}); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(got.Bytes()) {
		t.Fatalf("writeJSON(deep) = %.300s; want valid JSON", got.String())
	}
	if got.Len() > 2*len(deep) {
		t.Errorf("writeJSON(%d bytes nested 60 deep) = %d bytes; want at most twice the input", len(deep), got.Len())
	}
}

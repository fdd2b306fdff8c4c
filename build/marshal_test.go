package build

import (
	"math"
	"testing"
)

func TestMarshal(t *testing.T) {
	members := []Member{
		{"z", "first"},
		{"a", []string{"x", "y"}},
		{"html", "<b>&</b> é"},
		{"m", map[string]any{"b": 1, "a": []any{}}},
		{"empty", map[string]any{}},
	}
	tests := []struct {
		name    string
		marshal func([]Member) ([]byte, error)
		in      []Member
		want    string
	}{
		{"indent", Marshal, members, `{
  "z": "first",
  "a": [
    "x",
    "y"
  ],
  "html": "<b>&</b> é",
  "m": {
    "a": [],
    "b": 1
  },
  "empty": {}
}
`},
		{"compact", MarshalCompact, members, `{"z":"first","a":["x","y"],"html":"<b>&</b> é","m":{"a":[],"b":1},"empty":{}}` + "\n"},
		{"no members", Marshal, nil, "{}\n"},
		{"no members compact", MarshalCompact, nil, "{}\n"},
		{"name escaped", Marshal, []Member{{"a\"b", nil}}, "{\n  \"a\\\"b\": null\n}\n"},
	}
	for _, tt := range tests {
		got, err := tt.marshal(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: got %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestMarshalError(t *testing.T) {
	if b, err := Marshal([]Member{{"nan", math.NaN()}}); err == nil {
		t.Errorf("Marshal(NaN) = %q, nil; want an error", b)
	}
}

package validate

import "testing"

func TestCheckSize(t *testing.T) {
	tests := []struct {
		n    int
		want Severity // "" for no finding
	}{
		{0, ""}, {5000, ""}, {5001, Warning}, {5120, Warning}, {5121, Error}, {1 << 20, Error},
	}
	for _, tt := range tests {
		f := CheckSize(tt.n)
		switch {
		case tt.want == "" && f != nil:
			t.Errorf("CheckSize(%d) = %v; want none", tt.n, f)
		case tt.want != "" && (f == nil || f.Rule != "http-size" || f.Severity != tt.want):
			t.Errorf("CheckSize(%d) = %v; want http-size %s", tt.n, f, tt.want)
		}
	}
}

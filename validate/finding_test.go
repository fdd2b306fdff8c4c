package validate

import "testing"

func TestFindingFails(t *testing.T) {
	tests := []struct {
		sev           Severity
		plain, strict bool
	}{
		{Error, true, true},
		{Warning, false, true},
		{Info, false, false},
	}
	for _, tt := range tests {
		f := Finding{Rule: "x", Severity: tt.sev}
		if got := f.Fails(false); got != tt.plain {
			t.Errorf("Finding{%s}.Fails(false) = %v; want %v", tt.sev, got, tt.plain)
		}
		if got := f.Fails(true); got != tt.strict {
			t.Errorf("Finding{%s}.Fails(true) = %v; want %v", tt.sev, got, tt.strict)
		}
		r := Result{Findings: []Finding{f}}
		if r.Judge(true); r.Valid == tt.strict {
			t.Errorf("Judge(strict) with a %s finding: Valid = %v; want %v", tt.sev, r.Valid, !tt.strict)
		}
	}
}

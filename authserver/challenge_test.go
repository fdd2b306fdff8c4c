package authserver

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestParseChallenges(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    []Challenge
		wantErr string
	}{
		{"bearer with resource_metadata",
			[]string{`Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"`},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"resource_metadata": "https://mcp.example.com/.well-known/oauth-protected-resource"}}}, ""},
		{"two challenges in one value, comma inside quotes",
			[]string{`Basic realm="a, b", Bearer realm="mcp", error="invalid_token", resource_metadata="https://x/y"`},
			[]Challenge{
				{Scheme: "Basic", Params: map[string]string{"realm": "a, b"}},
				{Scheme: "Bearer", Params: map[string]string{"realm": "mcp", "error": "invalid_token", "resource_metadata": "https://x/y"}},
			}, ""},
		{"two header lines",
			[]string{`Basic realm=x`, `bearer Resource_Metadata=https://x/y`},
			[]Challenge{
				{Scheme: "Basic", Params: map[string]string{"realm": "x"}},
				{Scheme: "bearer", Params: map[string]string{"resource_metadata": "https://x/y"}},
			}, ""},
		{"token68 then a challenge",
			[]string{`Negotiate YIIB+w==, Bearer scope="read write"`},
			[]Challenge{
				{Scheme: "Negotiate", Token68: "YIIB+w==", Params: map[string]string{}},
				{Scheme: "Bearer", Params: map[string]string{"scope": "read write"}},
			}, ""},
		{"bare schemes and empty list elements",
			[]string{` , Bearer ,, Basic , `},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{}}, {Scheme: "Basic", Params: map[string]string{}}}, ""},
		{"escaped quote and backslash",
			[]string{`Bearer realm="say \"hi\" \\ ok"`},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"realm": `say "hi" \ ok`}}}, ""},
		{"BWS around =",
			[]string{"Bearer realm = \"x\" ,\terror\t=\tbad"},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"realm": "x", "error": "bad"}}}, ""},
		{"unterminated quote",
			[]string{`Bearer resource_metadata="https://x/y`},
			nil, "not closed"},
		{"control character in quotes",
			[]string{"Bearer realm=\"a\x1b[31mb\""},
			nil, "control character"},
		{"parameter without value",
			[]string{`Bearer realm=`},
			[]Challenge{{Scheme: "Bearer", Token68: "realm=", Params: map[string]string{}}}, ""},
		{"garbage after a value",
			[]string{`Bearer realm="x" junk="y"`},
			nil, "expected ','"},
		{"no scheme",
			[]string{`="x"`},
			nil, "expected an auth-scheme"},
		{"duplicate parameter is dropped",
			[]string{`Bearer resource_metadata="https://a/", resource_metadata="https://evil/"`},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{}}}, "appears twice"},
		{"challenges before the damage are kept",
			[]string{`Bearer resource_metadata="https://a/", Basic realm="x`},
			[]Challenge{{Scheme: "Bearer", Params: map[string]string{"resource_metadata": "https://a/"}}}, "not closed"},
		{"trailing backslash",
			[]string{`Bearer realm="x\`},
			nil, "backslash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseChallenges(tt.in)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("ParseChallenges(%q) error %v", tt.in, err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("ParseChallenges(%q) error = %v; want one containing %q", tt.in, err, tt.wantErr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseChallenges(%q) = %#v; want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseChallengesBounds(t *testing.T) {
	long := "Bearer realm=\"" + strings.Repeat("a", maxChallengeBytes) + "\""
	if _, err := ParseChallenges([]string{long}); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("a %d-byte header: error %v; want a length error", len(long), err)
	}
	many := strings.Repeat("Basic, ", maxChallenges+5)
	cs, err := ParseChallenges([]string{many})
	if err == nil || len(cs) != maxChallenges {
		t.Errorf("%d challenges: got %d, error %v; want %d and an error", maxChallenges+5, len(cs), err, maxChallenges)
	}
	var params []string
	for i := range maxChallengeParams + 1 {
		params = append(params, "p"+strings.Repeat("x", i)+"=1")
	}
	if _, err := ParseChallenges([]string{"Bearer " + strings.Join(params, ", ")}); err == nil {
		t.Errorf("%d parameters: no error", len(params))
	}
}

func TestResourceMetadataURL(t *testing.T) {
	tests := []struct {
		header []string
		want   string
	}{
		{[]string{`Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`}, "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"},
		{[]string{`Basic resource_metadata="https://wrong/"`, `Bearer error="invalid_token"`}, ""},
		{[]string{`Basic realm="x"`, `BEARER resource_metadata=https://mcp.example.com/prm`}, "https://mcp.example.com/prm"},
		{[]string{`Bearer resource_metadata="https://a/"`, `Bearer resource_metadata="https://b/"`}, "https://a/"},
		{[]string{`Bearer resource_metadata="https://a/", resource_metadata="https://b/"`}, ""},
		{[]string{`Bearer resource_metadata="unterminated`}, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		h := http.Header{"Www-Authenticate": tt.header}
		if got, _ := ResourceMetadataURL(h); got != tt.want {
			t.Errorf("ResourceMetadataURL(%q) = %q; want %q", tt.header, got, tt.want)
		}
	}
}

func FuzzParseChallenges(f *testing.F) {
	for _, s := range []string{
		`Bearer resource_metadata="https://x/y"`, `Basic realm="a, b", Bearer x=y`,
		`Negotiate abc==`, `Bearer "`, `,,,`, `Bearer a="\`, "Bearer a=\"\x00\"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs, _ := ParseChallenges([]string{s})
		if len(cs) > maxChallenges {
			t.Fatalf("%d challenges", len(cs))
		}
		for _, c := range cs {
			if c.Scheme == "" {
				t.Fatalf("empty scheme in %q", s)
			}
			if len(c.Params) > maxChallengeParams {
				t.Fatalf("%d params", len(c.Params))
			}
		}
	})
}

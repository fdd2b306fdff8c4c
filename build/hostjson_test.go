package build

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestHostJSON(t *testing.T) {
	name, got, err := HostJSON("vercel", "/.well-known/oauth-client.json", "public, max-age=3600")
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "headers": [
    {
      "source": "/.well-known/oauth-client.json",
      "headers": [
        {
          "key": "Content-Type",
          "value": "application/json"
        },
        {
          "key": "Cache-Control",
          "value": "public, max-age=3600"
        }
      ]
    }
  ]
}
`
	if name != VercelFile || string(got) != want {
		t.Errorf("HostJSON(vercel) = %s, %s; want %s, %s", name, got, VercelFile, want)
	}
	name, got, err = HostJSON("firebase", "/c.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if name != FirebaseFile || !strings.HasPrefix(string(got), "{\n  \"hosting\": {\n    \"public\": \".\",\n    \"ignore\": [\n      \"firebase.json\"\n    ],\n    \"headers\": [") || strings.Contains(string(got), "Cache-Control") {
		t.Errorf("HostJSON(firebase, no cache-control) = %s, %s", name, got)
	}
	if _, _, err := HostJSON("netlify", "/c.json", ""); err == nil {
		t.Error("HostJSON(netlify) = nil error; want one: netlify writes _headers")
	}
}

func TestMergeHostJSON(t *testing.T) {
	const rule = `{"source":"/c.json","headers":[{"key":"Content-Type","value":"application/json"}]}`
	_, vercel, _ := HostJSON("vercel", "/c.json", "")
	_, firebase, _ := HostJSON("firebase", "/c.json", "")
	tests := []struct {
		name, file, existing, want string
	}{
		{"no file", VercelFile, " \n", string(vercel)},
		{"user keys kept, rules key added last", VercelFile,
			"{\n  \"cleanUrls\": true,\n  \"trailingSlash\": false\n}\n",
			"{\n  \"cleanUrls\": true,\n  \"trailingSlash\": false,\n  \"headers\": [\n    " + indented(rule, "    ") + "\n  ]\n}\n"},
		{"empty object", VercelFile, "{}", "{\n  \"headers\": [\n    " + indented(rule, "    ") + "\n  ]\n}"},
		{"one-line object", VercelFile, `{"a":1}`, `{"a":1, "headers": [` + rule + `]}`},
		{"user rule kept, ours appended", VercelFile,
			"{\n  \"headers\": [\n    {\"source\": \"/(.*)\", \"headers\": [{\"key\": \"X-Frame-Options\", \"value\": \"DENY\"}]}\n  ],\n  \"z\": 1\n}\n",
			"{\n  \"headers\": [\n    {\"source\": \"/(.*)\", \"headers\": [{\"key\": \"X-Frame-Options\", \"value\": \"DENY\"}]},\n    " + indented(rule, "    ") + "\n  ],\n  \"z\": 1\n}\n"},
		{"our old rule replaced in place, duplicates dropped", VercelFile,
			`{"headers": [{"source": "/c.json", "headers": []}, {"source": "/b"}, {"source": "/c.json"}], "z": [1, 2]}`,
			`{"headers": [` + rule + `, {"source": "/b"}], "z": [1, 2]}`},
		{"empty rules", VercelFile, `{"headers": []}`, `{"headers": [` + rule + `]}`},
		{"firebase: hosting kept, headers added", FirebaseFile,
			"{\n  \"hosting\": {\n    \"public\": \"public\",\n    \"ignore\": [\"firebase.json\"]\n  },\n  \"emulators\": {}\n}\n",
			"{\n  \"hosting\": {\n    \"public\": \"public\",\n    \"ignore\": [\"firebase.json\"],\n    \"headers\": [\n      " + indented(rule, "      ") + "\n    ]\n  },\n  \"emulators\": {}\n}\n"},
		{"firebase: no hosting", FirebaseFile, "{\n  \"functions\": {}\n}",
			"{\n  \"functions\": {},\n  \"hosting\": {\n    \"headers\": [\n      " + indented(rule, "      ") + "\n    ]\n  }\n}"},
		{"unicode and escapes kept", VercelFile, `{"name": "caf\u00e9 ☕", "headers": []}`, `{"name": "caf\u00e9 ☕", "headers": [` + rule + `]}`},
	}
	for _, tt := range tests {
		ours := vercel
		if tt.file == FirebaseFile {
			ours = firebase
		}
		got, err := MergeHostJSON(tt.file, []byte(tt.existing), ours)
		if err != nil {
			t.Errorf("%s: MergeHostJSON(%q) = error %v", tt.name, tt.existing, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s: MergeHostJSON(%q) =\n%s\nwant\n%s", tt.name, tt.existing, got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("%s: not JSON: %s", tt.name, got)
		}
	}
}

func indented(s, prefix string) string { return string(indentJSON([]byte(s), prefix)) }

func TestMergeHostJSONRefuses(t *testing.T) {
	_, ours, _ := HostJSON("firebase", "/c.json", "")
	for _, tt := range []struct{ file, existing, want string }{
		{VercelFile, `{"headers": [}`, "vercel.json is not valid JSON"},
		{VercelFile, "// comment\n{}", "vercel.json is not valid JSON"},
		{VercelFile, `[]`, "not a JSON object"},
		{VercelFile, `{"headers": {}}`, "vercel.json: headers is not an array"},
		{FirebaseFile, `{"hosting": [{"target": "a"}]}`, "firebase.json: hosting is not an object"},
	} {
		o := ours
		if tt.file == VercelFile {
			_, o, _ = HostJSON("vercel", "/c.json", "")
		}
		got, err := MergeHostJSON(tt.file, []byte(tt.existing), o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("MergeHostJSON(%s, %q) = %s, %v; want an error containing %q", tt.file, tt.existing, got, err, tt.want)
		}
	}
}

func TestFirebaseDrops(t *testing.T) {
	initDefault := `{"hosting": {"public": "public", "ignore": ["firebase.json", "**/.*", "**/node_modules/**"]}}`
	for _, tt := range []struct{ file, path, want string }{
		{initDefault, "/.well-known/oauth-client.json", "**/.*"},
		{initDefault, "/oauth/client.json", ""},
		{`{"hosting": {"ignore": ["firebase.json"]}}`, "/.well-known/c.json", ""},
		{`not json`, "/.well-known/c.json", ""},
	} {
		if got := FirebaseDrops([]byte(tt.file), tt.path); got != tt.want {
			t.Errorf("FirebaseDrops(%s, %s) = %q; want %q", tt.file, tt.path, got, tt.want)
		}
	}
}

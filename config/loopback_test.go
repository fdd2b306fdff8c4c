package config

import (
	"slices"
	"strings"
	"testing"
)

func TestLoopbackErrors(t *testing.T) {
	tests := []struct {
		name string
		toml string
		want string // after the file name
	}{
		{"not a table", base + "loopback = 1\n", `:6:1: client.loopback: must be a table, not an integer`},
		{"unknown key", base + "[client.loopback]\nports = [1]\nport = 2\n", `:8:1: client.loopback.port: unknown key; did you mean ports?`},
		{"host", base + "[client.loopback]\nports = [1]\nhosts = [\"127.0.0.1\", \"10.0.0.1\"]\n", `:8:1: client.loopback.hosts: "10.0.0.1" is not a loopback host; use "127.0.0.1", "localhost" or "[::1]"`},
		{"bare ::1", base + "[client.loopback]\nports = [1]\nhosts = [\"::1\"]\n", `:8:1: client.loopback.hosts: "::1" must be written "[::1]"`},
		{"host type", base + "[client.loopback]\nports = [1]\nhosts = \"localhost\"\n", `:8:1: client.loopback.hosts: must be an array of strings, not a string`},
		{"port range", base + "[client.loopback]\nports = [33418, 70000]\n", `:7:1: client.loopback.ports: port 70000 is not in 1-65535 (element 1)`},
		{"port zero", base + "[client.loopback]\nports = [0]\n", `:7:1: client.loopback.ports: port 0 is not in 1-65535`},
		{"port type", base + "[client.loopback]\nports = [\"33418\"]\n", `:7:1: client.loopback.ports: must be an array of port numbers; element 0 is a string`},
		{"ports type", base + "[client.loopback]\nports = 33418\n", `:7:1: client.loopback.ports: must be an array of port numbers, not an integer`},
		{"path", base + "[client.loopback]\nports = [1]\npath = \"callback\"\n", `:8:1: client.loopback.path: "callback" must start with "/"`},
		{"path fragment", base + "[client.loopback]\nports = [1]\npath = \"/cb#x\"\n", `:8:1: client.loopback.path: "/cb#x" must not contain "#" or "*"`},
		{"portless type", base + "[client.loopback]\nportless = \"yes\"\n", `:7:1: client.loopback.portless: must be true or false, not a string`},
		{"renders nothing", base + "[client.loopback]\nhosts = [\"localhost\"]\n", `:6:1: client.loopback: renders no redirect URI`},
		{"renders nothing in env", base + "[client.loopback]\nports = [1]\n[env.dev.client.loopback]\nports = []\n", `:8:1: env.dev.client.loopback: renders no redirect URI`},
	}
	for _, tt := range tests {
		_, err := load(t, tt.toml)
		if err == nil || !strings.Contains(err.Error(), "cimd.toml"+tt.want) {
			t.Errorf("%s: Load = %v; want an error containing cimd.toml%s", tt.name, err, tt.want)
		}
	}
}

func TestLoopbackMerge(t *testing.T) {
	f, err := load(t, base+`[client.loopback]
hosts = ["127.0.0.1", "localhost"]
ports = [33418]
portless = true

[env.ci.client.loopback]
ports = [8080, 8081]

[env.plain]
host = "plain.example.com"
`)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.Select("", true)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"": {"http://127.0.0.1:33418/callback", "http://127.0.0.1/callback", "http://localhost:33418/callback", "http://localhost/callback"},
		"ci": {"http://127.0.0.1:8080/callback", "http://127.0.0.1:8081/callback", "http://127.0.0.1/callback",
			"http://localhost:8080/callback", "http://localhost:8081/callback", "http://localhost/callback"},
		"plain": {"http://127.0.0.1:33418/callback", "http://127.0.0.1/callback", "http://localhost:33418/callback", "http://localhost/callback"},
	}
	for _, c := range cs {
		if got := c.Client.Loopback.URIs(); !slices.Equal(got, want[c.Env]) {
			t.Errorf("env %q: Loopback.URIs() = %q; want %q", c.Env, got, want[c.Env])
		}
	}
	// Select hands out copies.
	cs[0].Client.Loopback.Ports[0] = 1
	again, _ := f.Select("", false)
	if again[0].Client.Loopback.Ports[0] != 33418 {
		t.Error("changing a selected config's loopback ports changed the file's")
	}
}

func TestLoopbackURIs(t *testing.T) {
	var none *Loopback
	if got := none.URIs(); got != nil {
		t.Errorf("nil Loopback renders %q", got)
	}
	lb := &Loopback{Hosts: []string{"[::1]", "[::1]"}, Ports: []int{5, 5, 6}, Path: "/cb"}
	want := []string{"http://[::1]:5/cb", "http://[::1]:6/cb"}
	if got := lb.URIs(); !slices.Equal(got, want) {
		t.Errorf("URIs() = %q; want %q, deduplicated", got, want)
	}
	lb = &Loopback{Portless: true}
	if got := lb.URIs(); !slices.Equal(got, []string{"http://127.0.0.1/callback"}) {
		t.Errorf("defaults render %q; want http://127.0.0.1/callback", got)
	}
}

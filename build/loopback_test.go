package build

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/config"
)

func redirectsOf(t *testing.T, c *config.Config) []string {
	t.Helper()
	b, err := Document(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		RedirectURIs []string `json:"redirect_uris"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.RedirectURIs
}

func TestLoopbackRedirects(t *testing.T) {
	c := &config.Config{Host: "app.example.com", Path: "/oauth/client.json", Client: config.Client{
		ClientName:   "Example",
		RedirectURIs: []string{"https://app.example.com/cb", "http://127.0.0.1:33418/callback"},
		Loopback:     &config.Loopback{Hosts: []string{"127.0.0.1", "localhost"}, Ports: []int{33418, 33419}, Portless: true},
	}}
	want := []string{
		"https://app.example.com/cb", "http://127.0.0.1:33418/callback", // listed, in their order
		"http://127.0.0.1:33419/callback", "http://127.0.0.1/callback", // then planned, without the listed one
		"http://localhost:33418/callback", "http://localhost:33419/callback", "http://localhost/callback",
	}
	if got := redirectsOf(t, c); !slices.Equal(got, want) {
		t.Errorf("redirect_uris = %q; want %q", got, want)
	}
	if len(c.Client.RedirectURIs) != 2 {
		t.Errorf("Document changed the config's redirect_uris to %q", c.Client.RedirectURIs)
	}

	// Without listed ones, the planned ones are the list.
	c.Client.RedirectURIs = nil
	c.Client.Loopback = &config.Loopback{Ports: []int{8765}}
	if got := redirectsOf(t, c); !slices.Equal(got, []string{"http://127.0.0.1:8765/callback"}) {
		t.Errorf("redirect_uris = %q; want the one planned URI", got)
	}
	// Neither: no member at all, as before.
	c.Client.Loopback = nil
	if b, _ := Document(c); strings.Contains(string(b), "redirect_uris") {
		t.Errorf("a config without redirects renders redirect_uris:\n%s", b)
	}
}

func TestLoopbackBudget(t *testing.T) {
	c := &config.Config{Host: "app.example.com", Path: "/oauth/client.json", Client: config.Client{ClientName: "Example"}}
	b, err := Document(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := BytesLeft(b); got != Budget-len(b) || got <= 0 {
		t.Errorf("BytesLeft = %d; want %d", got, Budget-len(b))
	}
	// Each planned URI is 4 bytes of indent, quotes and comma plus its
	// length; 160 ports on two hosts are far over the budget.
	ports := make([]int, 160)
	for i := range ports {
		ports[i] = 40000 + i
	}
	c.Client.Loopback = &config.Loopback{Hosts: []string{"127.0.0.1", "localhost"}, Ports: ports}
	_, err = Document(c)
	if err == nil || !strings.Contains(err.Error(), "with the 320 redirect URIs [client.loopback] adds") || !strings.Contains(err.Error(), "over the 5000-byte budget") {
		t.Errorf("Document with 320 planned URIs = %v; want the budget error", err)
	}
	// Just inside: as many ports as fit.
	for n := len(ports); n > 0; n-- {
		c.Client.Loopback.Ports = ports[:n]
		if b, err := Document(c); err == nil {
			if BytesLeft(b) < 0 {
				t.Errorf("Document accepted %d bytes, over the budget", len(b))
			}
			c.Client.Loopback.Ports = ports[:n+1]
			if _, err := Document(c); err == nil {
				t.Errorf("one more port (%d) fits too", n+1)
			}
			return
		}
	}
	t.Error("no number of ports fits the budget")
}

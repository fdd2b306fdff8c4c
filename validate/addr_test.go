package validate

import (
	"net/netip"
	"testing"
)

func TestIsSpecialAddr(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.255.0.9", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"192.0.2.10", true},
		{"198.51.100.1", true},
		{"203.0.113.7", true},
		{"198.18.0.1", true},
		{"0.0.0.0", true},
		{"224.0.0.1", true},
		{"255.255.255.255", true},
		{"240.0.0.1", true},
		{"::1", true},
		{"::", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fd00::1", true},
		{"2001:db8::1", true},
		{"ff02::1", true},
		{"64:ff9b::7f00:1", true},  // NAT64 of 127.0.0.1
		{"2002:c0a8:101::1", true}, // 6to4 of 192.168.1.1

		// Near misses: public addresses right next to special blocks.
		{"8.8.8.8", false},
		{"1.1.1.1", false},
		{"172.32.0.1", false},
		{"172.15.255.255", false},
		{"100.128.0.1", false},
		{"100.63.255.255", false},
		{"192.0.3.1", false},
		{"169.255.0.1", false},
		{"11.0.0.1", false},
		{"::ffff:8.8.8.8", false},
		{"2606:4700:4700::1111", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.addr)
		if got := IsSpecialAddr(ip); got != tt.want {
			t.Errorf("IsSpecialAddr(%s) = %v; want %v", tt.addr, got, tt.want)
		}
	}
	if !IsSpecialAddr(netip.Addr{}) {
		t.Errorf("IsSpecialAddr(zero Addr) = false; want true")
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":        true,
		"LocalHost":        true,
		"127.0.0.1":        true,
		"127.1.2.3":        true,
		"::1":              true,
		"::ffff:127.0.0.1": false,
		"::1%lo":           false,
		"10.0.0.1":         false,
		"example.com":      false,
		"localhost.":       false,
		"app.localhost":    false,
		"0.0.0.0":          false,
	} {
		if got := isLoopbackHost(host); got != want {
			t.Errorf("isLoopbackHost(%q) = %v; want %v", host, got, want)
		}
	}
}

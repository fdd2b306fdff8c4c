package publish

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, secret string }{
		{"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024", "fe5f80f7"},
		{"Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/s3/aws4_request", "AKIAIOSFODNN7EXAMPLE"},
		{"the key ASIAY34FZKBOKMUTVV7A is not allowed", "ASIAY34FZKBOKMUTVV7A"},
		{"X-Amz-Security-Token: FwoGZXIvYXdzEBQaDOtokenTOKENtoken", "FwoGZXIvYXdzEBQaDOtokenTOKENtoken"},
		{"x-amz-security-token=FwoGZXIvYXdzEBQaDOtoken", "FwoGZXIvYXdzEBQaDOtoken"},
		{`"SessionToken": "IQoJb3JpZ2luX2VjEJr"`, "IQoJb3JpZ2luX2VjEJr"},
		{"cannot connect to https://cimd:hunter2@store.example:9000/b", "hunter2"},
		{"GET https://store.example/b/k?X-Amz-Signature=abcdef&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F2026", "abcdef"},
		{"see https://store.example/b/k?token=secret123 now", "secret123"},
	} {
		got := redact(tc.in)
		if strings.Contains(got, tc.secret) {
			t.Errorf("redact(%q) = %q; still holds %q", tc.in, got, tc.secret)
		}
	}
	// What is not a secret stays readable.
	for _, s := range []string{
		"publish s3://cimd-test/oauth/client.json: bucket does not exist",
		"cannot connect to 127.0.0.1:9000: connection refused (2 attempts)",
		"no answer from https://store.example:9000 within 10s (head)",
	} {
		if got := redact(s); got != s {
			t.Errorf("redact(%q) = %q; want it unchanged", s, got)
		}
	}
	if got, want := redactURL("https://u:p@store.example:9000/x?sig=1#f"), "https://store.example:9000/x"; got != want {
		t.Errorf("redactURL = %q; want %q", got, want)
	}
}

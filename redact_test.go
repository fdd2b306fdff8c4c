package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Sentinels of the credentials a reflecting store could hand back. The key
// id has the shape of a real one, so only redaction keeps it out.
const (
	sentinelKeyID   = "AKIASENTINEL7C3E91D0"
	sentinelSecret  = "SENTINEL-secret-7c3e91d0a4b5f6e2"
	sentinelToken   = "SENTINELsessionTOKEN-7c3e91d0a4b5f6e2-FwoGZXIvYXdzE"
	sentinelPass    = "SENTINEL-pass-0d4c"
	reflectedMarker = "reflected:"
)

// reflectingStore answers every request with a 400 S3 error whose message
// quotes the request: its URL with the query, and every header, the
// Authorization header (Credential=..., Signature=...) and
// X-Amz-Security-Token among them. Some proxies and stores do this.
func reflectingStore(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s %s", reflectedMarker, r.Method, "http://"+r.Host+r.URL.RequestURI()+"?X-Amz-Signature=abc123&token="+sentinelToken)
		if u, p, ok := r.BasicAuth(); ok {
			fmt.Fprintf(&b, " basic=%s:%s", u, p)
		}
		for k, v := range r.Header {
			fmt.Fprintf(&b, " %s: %s;", k, strings.Join(v, ","))
		}
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidRequest</Code><Message>%s</Message><RequestId>1</RequestId></Error>`,
			html.EscapeString(b.String()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestPublishRedactsReflectedSecrets publishes to a store that reflects the
// request in its error, in text and in --json, with the endpoint written
// with userinfo and a query: neither the access key id, the session token,
// the secret, the signature nor the password reaches stdout or stderr.
func TestPublishRedactsReflectedSecrets(t *testing.T) {
	srv := reflectingStore(t)
	dir := t.TempDir()
	isolateAWS(t, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", sentinelKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", sentinelSecret)
	t.Setenv("AWS_SESSION_TOKEN", sentinelToken)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("NO_COLOR", "1")
	write := func(name, endpoint string) string {
		cfg := fmt.Sprintf(`host = "app.example.com"
path = "/oauth/client.json"
[client]
client_name = "Redact"
redirect_uris = ["http://127.0.0.1:8765/callback"]
application_type = "native"
[publish]
target = "s3"
[publish.s3]
bucket = "b"
endpoint = %q
`, endpoint)
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	reflect := write("cimd.toml", srv.URL)
	// The SDK refuses this endpoint, quoting it: the quote loses the
	// password and the query.
	userinfo := write("userinfo.toml", strings.Replace(srv.URL, "http://", "http://cimd:"+sentinelPass+"@", 1)+"/?X-Amz-Credential="+sentinelKeyID)
	hostPort := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		args []string
		want string // what shows the output said something about the store
	}{
		// A HEAD response has no body to reflect into.
		{[]string{"publish", "-c", reflect, "--no-verify"}, "HeadObject: 400"},
		{[]string{"publish", "-c", reflect, "--no-verify", "--force"}, reflectedMarker},
		{[]string{"publish", "-c", reflect, "--no-verify", "--json"}, "HeadObject: 400"},
		{[]string{"publish", "-c", reflect, "--no-verify", "--force", "--json"}, reflectedMarker},
		{[]string{"publish", "-c", userinfo, "--no-verify"}, hostPort},
		{[]string{"publish", "-c", userinfo, "--no-verify", "--json"}, hostPort},
	} {
		args := tc.args
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &stdout, &stderr)
		if code != exitFailed {
			t.Errorf("%v: exit %d; want %d\nstderr: %s", args, code, exitFailed, &stderr)
		}
		out := stdout.String() + stderr.String()
		// The store's message is printed (redacted), so the test sees what
		// reflection would leak.
		if !strings.Contains(out, tc.want) {
			t.Errorf("%v: the store's message is not printed: %s", args, out)
		}
		for _, secret := range []string{sentinelKeyID, sentinelSecret, sentinelToken, sentinelPass, "abc123", "X-Amz-Credential="} {
			if strings.Contains(out, secret) {
				t.Errorf("%v: output contains %q:\n%s", args, secret, out)
			}
		}
		if m := regexp.MustCompile(`Signature=[0-9a-f]`).FindString(out); m != "" {
			t.Errorf("%v: output contains a signature:\n%s", args, out)
		}
	}
}

// isolateAWS keeps the AWS default chain away from the machine's settings.
func isolateAWS(t *testing.T, dir string) {
	t.Helper()
	for _, k := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE", "AWS_MAX_ATTEMPTS",
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestPublishTimeoutFlag publishes to a store that accepts the connection
// and never answers: --timeout, or [publish] timeout, bounds the HeadObject
// and the message names the endpoint and the phase.
func TestPublishTimeoutFlag(t *testing.T) {
	dir := t.TempDir()
	isolateAWS(t, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE12")
	t.Setenv("AWS_SECRET_ACCESS_KEY", sentinelSecret)
	t.Setenv("AWS_REGION", "us-east-1")
	hang, _ := acceptAndHang(t)
	write := func(name, extra string) string {
		file := filepath.Join(dir, name)
		cfg := fmt.Sprintf("host = \"app.example.com\"\npath = \"/oauth/client.json\"\n[client]\nclient_name = \"T\"\n"+
			"redirect_uris = [\"http://127.0.0.1:8765/callback\"]\napplication_type = \"native\"\n"+
			"[publish]\ntarget = \"s3\"\n%s[publish.s3]\nbucket = \"b\"\nendpoint = %q\n", extra, hang)
		if err := os.WriteFile(file, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"publish", "-c", write("flag.toml", ""), "--timeout", "200ms"}, "within 200ms (head)"},
		{[]string{"publish", "-c", write("flag.toml", ""), "--timeout", "200ms", "--force"}, "within 200ms (put)"},
		{[]string{"publish", "-c", write("config.toml", "timeout = \"250ms\"\n")}, "within 250ms (head)"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), tc.args, strings.NewReader(""), &stdout, &stderr)
		want := "cimd: publish s3://b/oauth/client.json: no answer from " + hang + " " + tc.want
		if code != exitFailed || !strings.Contains(stderr.String(), want) {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant exit 1 and %q", tc.args, code, &stderr, want)
		}
	}
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"publish", "-c", write("flag.toml", ""), "--timeout", "0s"}, strings.NewReader(""), io.Discard, &stderr); code != exitUsage {
		t.Errorf("--timeout 0s: exit %d; want 2\n%s", code, &stderr)
	}
}

// acceptAndHang listens on a local port, accepts connections and never
// answers; accepted is closed at the first connection.
func acceptAndHang(t *testing.T) (url string, accepted <-chan struct{}) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{})
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			if conns = append(conns, c); len(conns) == 1 {
				close(ch)
			}
		}
	}()
	t.Cleanup(func() { l.Close() })
	return "http://" + l.Addr().String(), ch
}

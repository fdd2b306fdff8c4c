package publish

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/internal/testenv"
)

// sentinelSecret is the root secret key of every versitygw these tests
// start: no output, plan or error may ever contain it.
const sentinelSecret = "SENTINEL-secret-7c3e91d0a4b5f6e2"

// s3Mode is how a test reaches versitygw.
type s3Mode struct {
	name string
	tls  bool
	// whenRequired sets AWS_REQUEST_CHECKSUM_CALCULATION=when_required: no
	// checksum trailer, only Content-MD5.
	whenRequired bool
}

var s3Modes = []s3Mode{
	{name: "http"},
	{name: "https", tls: true},
	{name: "https-when-required", tls: true, whenRequired: true},
}

// s3Env is a versitygw with one bucket, "cimd-test", behind a reverse proxy
// that counts requests by method and can misbehave on demand. The AWS
// environment variables point the default chain at it.
type s3Env struct {
	srv   *testenv.VersityGW
	proxy *httptest.Server

	mu      sync.Mutex
	counts  map[string]int
	lastPut http.Header // the headers of the last PUT
	// before, when set, runs on each request before it is forwarded; a
	// non-zero status answers the request with that status instead (403
	// with an AccessDenied error).
	before func(r *http.Request) int
}

func startS3(t *testing.T, mode s3Mode) *s3Env {
	t.Helper()
	setAWSEnv(t)
	srv, err := testenv.StartVersityGW(t.TempDir(), testenv.VersityGWOptions{TLS: mode.tls, SecretKey: sentinelSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.CreateBucket(t.Context(), "cimd-test", false); err != nil {
		t.Fatal(err)
	}

	e := &s3Env{srv: srv, counts: map[string]int{}}
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target) // keeps the signed Host header
	if mode.tls {
		rp.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: caPool(t, srv.CAFile)}}
	}
	e.proxy = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.counts[r.Method]++
		if r.Method == http.MethodPut {
			e.lastPut = r.Header.Clone()
		}
		before := e.before
		e.mu.Unlock()
		if before != nil {
			if status := before(r); status != 0 {
				if status == http.StatusForbidden {
					// as S3 refuses a call the policy does not allow
					w.Header().Set("Content-Type", "application/xml")
					w.WriteHeader(status)
					io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
					return
				}
				w.WriteHeader(status)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	// The untrusted-certificate test makes the proxy log failed handshakes.
	e.proxy.Config.ErrorLog = log.New(io.Discard, "", 0)
	if mode.tls {
		cert, err := tls.LoadX509KeyPair(srv.CertFile, srv.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		e.proxy.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		e.proxy.StartTLS()
		t.Setenv("AWS_CA_BUNDLE", srv.CAFile)
	} else {
		e.proxy.Start()
	}
	t.Cleanup(e.proxy.Close)

	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL_S3", e.proxy.URL)
	if mode.whenRequired {
		t.Setenv("AWS_REQUEST_CHECKSUM_CALCULATION", "when_required")
	}
	return e
}

// setAWSEnv isolates the default chain from the machine running the tests:
// no shared files, no instance metadata, no inherited keys or endpoints.
func setAWSEnv(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CLOUDFRONT", "AWS_CA_BUNDLE",
		"AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION",
		"AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		t.Setenv(k, "") // restores it after the test
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// count returns the requests of method seen since the last reset.
func (e *s3Env) count(method string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.counts[method]
}

// total returns the number of requests seen since the last reset.
func (e *s3Env) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.counts {
		n += c
	}
	return n
}

func (e *s3Env) reset() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.counts = map[string]int{}
}

func (e *s3Env) setBefore(f func(r *http.Request) int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.before = f
}

// s3Config is a config that publishes /oauth/client.json to bucket.
func s3Config(bucket string) *config.Config {
	return &config.Config{
		Host: "app.example.com",
		Path: "/oauth/client.json",
		Publish: config.Publish{
			Target:       "s3",
			CacheControl: "public, max-age=3600",
			S3:           config.S3{Bucket: bucket},
		},
	}
}

// checkNoSecret checks that none of texts holds the sentinel secret key,
// nor the access key id or session token the AWS environment holds now.
func checkNoSecret(t *testing.T, what string, texts ...string) {
	t.Helper()
	secrets := map[string]string{"the secret key": sentinelSecret}
	if id := os.Getenv("AWS_ACCESS_KEY_ID"); len(id) >= 8 {
		secrets["the access key id"] = id
	}
	if tok := os.Getenv("AWS_SESSION_TOKEN"); tok != "" {
		secrets["the session token"] = tok
	}
	for _, s := range texts {
		for name, secret := range secrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s contains %s: %q", what, name, s)
			}
		}
	}
}

func caPool(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", file)
	}
	return pool
}

package publish

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// hangingListener accepts connections and never answers on them, like a
// store behind a black-holed load balancer. It returns its http:// URL.
func hangingListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read or written
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}

// TestS3Timeout checks that every S3 and CloudFront call is bounded by
// Options.Timeout, and that the error names the endpoint and the phase.
func TestS3Timeout(t *testing.T) {
	const timeout = 300 * time.Millisecond
	t.Run("head and put", func(t *testing.T) {
		setAWSEnv(t)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE12")
		t.Setenv("AWS_SECRET_ACCESS_KEY", sentinelSecret)
		t.Setenv("AWS_REGION", "us-east-1")
		hang := hangingListener(t)
		t.Setenv("AWS_ENDPOINT_URL_S3", hang)
		for _, tc := range []struct {
			phase string
			opts  Options
		}{
			{"head", Options{Timeout: timeout}},
			{"put", Options{Timeout: timeout, Force: true}},
		} {
			_, err, _ := run(t, s3Config("cimd-test"), docA, tc.opts)
			wantErr(t, err, "publish s3://cimd-test/oauth/client.json: no answer from "+hang+" within 300ms ("+tc.phase+")")
		}
	})
	t.Run("config timeout", func(t *testing.T) {
		setAWSEnv(t)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE12")
		t.Setenv("AWS_SECRET_ACCESS_KEY", sentinelSecret)
		t.Setenv("AWS_REGION", "us-east-1")
		hang := hangingListener(t)
		// userinfo in the endpoint is never printed
		c := s3Config("cimd-test")
		c.Publish.S3.Endpoint = strings.Replace(hang, "http://", "http://user:"+sentinelSecret+"@", 1)
		c.Publish.Timeout.Duration = timeout
		_, err, _ := run(t, c, docA, Options{})
		wantErr(t, err, "publish s3://cimd-test/oauth/client.json: no answer from "+hang+" within 300ms (head)")
	})
	t.Run("invalidate", func(t *testing.T) {
		startS3(t, s3Modes[0])
		hang := hangingListener(t)
		c := s3Config("cimd-test")
		c.Path = "/oauth/timeout.json"
		c.Publish.S3.CloudFrontDistributionID = "E2EXAMPLE"
		_, err, _ := run(t, c, docA, Options{Timeout: 2 * time.Second, CloudFrontEndpoint: hang})
		wantErr(t, err, "publish s3://cimd-test/oauth/timeout.json: uploaded, but invalidating /oauth/timeout.json on CloudFront distribution E2EXAMPLE failed: no answer from "+hang+" within 2s (invalidate)")
	})
}

package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cimd-dev/cimd/config"
)

const (
	docA = `{"client_id":"https://app.example.com/oauth/client.json","client_name":"A"}` + "\n"
	docB = `{"client_id":"https://app.example.com/oauth/client.json","client_name":"B"}` + "\n"
)

// run publishes and returns everything the publish let out: its Log lines and
// whatever reached the process's stdout and stderr, which must be nothing
// (the SDK's own logging included). It checks that none of it, nor the plan
// or the error, holds the secret key.
func run(t *testing.T, c *config.Config, doc string, opts Options) (Plan, error, string) {
	t.Helper()
	var log bytes.Buffer
	opts.Log = &log
	var plan Plan
	var err error
	stray := captureStdio(t, func() {
		plan, err = Publish(t.Context(), c, []byte(doc), opts)
	})
	if stray != "" {
		t.Errorf("publish wrote to stdout or stderr: %q", stray)
	}
	planJSON, _ := json.Marshal(plan)
	errText := ""
	if err != nil {
		errText = err.Error()
		if strings.Contains(errText, "\n") {
			t.Errorf("error is more than one line: %q", errText)
		}
	}
	checkNoSecret(t, "publish output", log.String(), string(planJSON), errText, stray)
	return plan, err, log.String()
}

// captureStdio runs f with os.Stdout and os.Stderr sent to a pipe and returns
// what was written there.
func captureStdio(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = w, w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	defer func() {
		os.Stdout, os.Stderr = stdout, stderr
	}()
	f()
	os.Stdout, os.Stderr = stdout, stderr
	w.Close()
	return string(<-done)
}

func TestS3(t *testing.T) {
	for _, mode := range s3Modes {
		t.Run(mode.name, func(t *testing.T) {
			e := startS3(t, mode)
			c := s3Config("cimd-test")
			step := func(name, doc string, opts Options, wantReason string, wantHead, wantPut int) {
				t.Helper()
				e.reset()
				plan, err, _ := run(t, c, doc, opts)
				if err != nil {
					t.Fatalf("%s: Publish: %v", name, err)
				}
				if plan.Reason != wantReason {
					t.Errorf("%s: Reason = %q; want %q", name, plan.Reason, wantReason)
				}
				wantUploaded := wantPut > 0
				if plan.Written != wantUploaded {
					t.Errorf("%s: Uploaded = %v; want %v", name, plan.Written, wantUploaded)
				}
				if got := e.count("HEAD"); got != wantHead {
					t.Errorf("%s: %d HEAD requests; want %d", name, got, wantHead)
				}
				if got := e.count("PUT"); got != wantPut {
					t.Errorf("%s: %d PUT requests; want %d", name, got, wantPut)
				}
				if got := e.total(); got != wantHead+wantPut {
					t.Errorf("%s: %d requests in all; want %d", name, got, wantHead+wantPut)
				}
			}

			step("first", docA, Options{}, ReasonNotFound, 1, 1)
			// The SDK sends its checksum in a trailer over HTTPS only, and
			// not at all when told to compute checksums only when required.
			trailer := e.lastPut.Get("X-Amz-Trailer")
			if wantTrailer := mode.tls && !mode.whenRequired; (trailer != "") != wantTrailer {
				t.Errorf("PUT X-Amz-Trailer = %q; want one: %v", trailer, wantTrailer)
			}
			if e.lastPut.Get("Content-MD5") == "" {
				t.Error("PUT has no Content-MD5")
			}
			if acl := e.lastPut.Get("X-Amz-Acl"); acl != "" {
				t.Errorf("PUT X-Amz-Acl = %q; want none", acl)
			}
			checkObject(t, e, docA, "public, max-age=3600")
			step("again", docA, Options{}, ReasonUnchanged, 1, 0)
			step("dry run", docB, Options{DryRun: true}, ReasonContentDiffers, 1, 0)
			checkObject(t, e, docA, "public, max-age=3600")
			step("changed", docB, Options{}, ReasonContentDiffers, 1, 1)
			checkObject(t, e, docB, "public, max-age=3600")

			c.Publish.CacheControl = "public, max-age=60"
			step("dry run headers", docB, Options{DryRun: true}, ReasonHeadersDiffer, 1, 0)
			step("headers", docB, Options{}, ReasonHeadersDiffer, 1, 1)
			checkObject(t, e, docB, "public, max-age=60")
			step("forced", docB, Options{Force: true}, ReasonForced, 0, 1)
			checkObject(t, e, docB, "public, max-age=60")
			step("dry run forced", docA, Options{Force: true, DryRun: true}, ReasonForced, 0, 0)
			checkObject(t, e, docB, "public, max-age=60")

			c.Publish.CacheControl = ""
			step("default cache control", docB, Options{}, ReasonHeadersDiffer, 1, 1)
			checkObject(t, e, docB, config.DefaultCacheControl)
		})
	}
}

// checkObject reads the object back with the root credentials and checks its
// body and headers.
func checkObject(t *testing.T, e *s3Env, wantBody, wantCacheControl string) {
	t.Helper()
	out, err := e.srv.Client().GetObject(t.Context(), &s3.GetObjectInput{
		Bucket: aws.String("cimd-test"),
		Key:    aws.String("oauth/client.json"),
	})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(body) != wantBody {
		t.Errorf("stored body = %q; want %q", body, wantBody)
	}
	if got := aws.ToString(out.ContentType); got != "application/json" {
		t.Errorf("stored Content-Type = %q; want application/json", got)
	}
	if got := aws.ToString(out.CacheControl); got != wantCacheControl {
		t.Errorf("stored Cache-Control = %q; want %q", got, wantCacheControl)
	}
	sum := sha256.Sum256([]byte(wantBody))
	if got, want := out.Metadata["sha256"], hex.EncodeToString(sum[:]); got != want {
		t.Errorf("stored sha256 metadata = %q; want %q", got, want)
	}
}

func TestS3Prefix(t *testing.T) {
	e := startS3(t, s3Modes[0])
	c := s3Config("cimd-test")
	c.Publish.S3.Prefix = "site/"
	plan, err, _ := run(t, c, docA, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "s3://cimd-test/site/oauth/client.json"; plan.Location != want {
		t.Errorf("Location = %q; want %q", plan.Location, want)
	}
	if _, err := e.srv.Client().HeadObject(t.Context(), &s3.HeadObjectInput{
		Bucket: aws.String("cimd-test"), Key: aws.String("site/oauth/client.json"),
	}); err != nil {
		t.Errorf("HeadObject site/oauth/client.json: %v", err)
	}
}

func TestS3Errors(t *testing.T) {
	e := startS3(t, s3Modes[1])
	loc := "publish s3://cimd-test/oauth/client.json: "

	t.Run("missing bucket", func(t *testing.T) {
		_, err, _ := run(t, s3Config("no-such-bucket"), docA, Options{})
		wantErr(t, err, "publish s3://no-such-bucket/oauth/client.json: bucket does not exist")
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Setenv("AWS_SECRET_ACCESS_KEY", sentinelSecret+"-wrong")
		_, err, _ := run(t, s3Config("cimd-test"), docA, Options{})
		wantErr(t, err, loc+"access denied (HeadObject: 403")
	})
	t.Run("unknown access key", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIANOTKNOWN")
		// AWS answers 403 InvalidAccessKeyId, versitygw 404 XAdminUserNotFound.
		_, err, _ := run(t, s3Config("cimd-test"), docA, Options{Force: true})
		wantErr(t, err, loc+"PutObject: 404 XAdminUserNotFound: No user exists with the provided access key ID.")
	})
	t.Run("no credentials", func(t *testing.T) {
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
			t.Setenv(k, "") // restores it after the subtest
			os.Unsetenv(k)
		}
		_, err, _ := run(t, s3Config("cimd-test"), docA, Options{})
		wantErr(t, err, loc+"no AWS credentials found")
	})
	t.Run("server errors", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "2")
		e.setBefore(func(*http.Request) int { return http.StatusServiceUnavailable })
		defer e.setBefore(nil)
		e.reset()
		_, err, _ := run(t, s3Config("cimd-test"), docA, Options{})
		wantErr(t, err, loc+"server error (HeadObject: 503 Service Unavailable, 2 attempts)")
		if got := e.count("HEAD"); got != 2 {
			t.Errorf("%d HEAD requests; want 2", got)
		}
	})
	t.Run("dead endpoint", func(t *testing.T) {
		t.Setenv("AWS_MAX_ATTEMPTS", "2")
		dead := httptestDeadURL(t)
		t.Setenv("AWS_ENDPOINT_URL_S3", dead)
		start := time.Now()
		_, err, _ := run(t, s3Config("cimd-test"), docA, Options{})
		wantErr(t, err, loc+"cannot connect to "+strings.TrimPrefix(dead, "https://")+": connection refused (2 attempts)")
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		t.Setenv("AWS_CA_BUNDLE", "")
		os.Unsetenv("AWS_CA_BUNDLE")
		_, err, _ := run(t, s3Config("cimd-test"), docA, Options{})
		wantErr(t, err, loc+"the server's TLS certificate is not signed by a trusted CA (AWS_CA_BUNDLE names an extra CA bundle)")
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := Publish(ctx, s3Config("cimd-test"), []byte(docA), Options{})
		wantErr(t, err, loc+"canceled")
	})
	t.Run("changed meanwhile", func(t *testing.T) {
		for _, first := range []string{"", docA} {
			key := "oauth/race.json"
			c := s3Config("cimd-test")
			c.Path = "/" + key
			if first != "" {
				if _, err, _ := run(t, c, first, Options{}); err != nil {
					t.Fatal(err)
				}
			}
			// Between our HEAD and our PUT, someone else writes the object.
			e.setBefore(func(r *http.Request) int {
				if r.Method == http.MethodPut {
					e.setBefore(nil)
					if _, err := e.srv.Client().PutObject(r.Context(), &s3.PutObjectInput{
						Bucket: aws.String("cimd-test"), Key: aws.String(key),
						Body: strings.NewReader("{}"),
					}); err != nil {
						t.Errorf("concurrent PutObject: %v", err)
					}
				}
				return 0
			})
			_, err, _ := run(t, c, docB, Options{})
			e.setBefore(nil)
			wantErr(t, err, "publish s3://cimd-test/"+key+": the object changed while it was being published (412 PreconditionFailed): run publish again")
			e.srv.Client().DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("cimd-test"), Key: aws.String(key)})
		}
	})
	t.Run("no bucket configured", func(t *testing.T) {
		_, err, _ := run(t, s3Config(""), docA, Options{})
		wantErr(t, err, "publish s3:///oauth/client.json: no bucket: set [publish.s3] bucket")
	})
}

func wantErr(t *testing.T, err error, prefix string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Publish succeeded; want error %q", prefix)
	}
	if !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("Publish error = %q\nwant prefix    %q", err, prefix)
	}
}

// httptestDeadURL returns an https URL on a port where nothing listens.
func httptestDeadURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr
}

func TestS3Region(t *testing.T) {
	setAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", sentinelSecret)
	_, err, _ := run(t, s3Config("cimd-test"), docA, Options{DryRun: true})
	wantErr(t, err, "publish s3://cimd-test/oauth/client.json: no AWS region")
}

// TestS3Settings covers [publish.s3] endpoint (rather than the environment)
// and acl.
func TestS3Settings(t *testing.T) {
	e := startS3(t, s3Modes[1])
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	os.Unsetenv("AWS_ENDPOINT_URL_S3")
	t.Setenv("AWS_REGION", "")
	os.Unsetenv("AWS_REGION")

	c := s3Config("cimd-test")
	c.Publish.S3.Endpoint = e.proxy.URL // path-style and us-east-1 follow from it
	c.Publish.S3.ACL = "public-read"
	plan, err, _ := run(t, c, docA, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Written {
		t.Errorf("plan = %+v; want an upload", plan)
	}
	if acl := e.lastPut.Get("X-Amz-Acl"); acl != "public-read" {
		t.Errorf("PUT X-Amz-Acl = %q; want public-read", acl)
	}
	checkObject(t, e, docA, "public, max-age=3600")
}

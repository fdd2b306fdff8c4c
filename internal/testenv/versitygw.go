package testenv

// versitygw, an S3-compatible server backed by a local directory, for tests
// that need a real S3 API: over HTTP, or over HTTPS with a throwaway [CA],
// and optionally with its static website endpoint. The binary comes from
// $CIMD_VERSITYGW, else bin/versitygw in the repository, else it is built
// from the version pinned in tools/go.mod.

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// VersityGWOptions chooses how versitygw listens.
type VersityGWOptions struct {
	// TLS serves HTTPS with a certificate for 127.0.0.1, ::1 and localhost,
	// signed by a CA made for this server alone.
	TLS bool
	// Website also serves the static website endpoint, in catch-all mode:
	// the Host name is the bucket, so bucket "localhost" is served at
	// WebsiteURL. Buckets need website configuration and public read access
	// ([VersityGW.CreateBucket] with public set).
	Website bool
	// SecretKey is the root secret key; empty picks a random one.
	SecretKey string
	// Binary is the versitygw executable; empty means [VersityGWBinary].
	Binary string
}

// VersityGW is a running versitygw.
type VersityGW struct {
	URL        string // S3 API endpoint, http(s)://127.0.0.1:PORT
	WebsiteURL string // https://localhost:PORT, or http:// without TLS; "" without Options.Website
	AccessKey  string
	SecretKey  string
	CAFile     string // PEM of the CA behind the TLS certificate; "" without TLS
	CertFile   string // the server's certificate and key; "" without TLS
	KeyFile    string
	Root       string // the posix backend's directory: one subdirectory per bucket
	LogFile    string // versitygw's standard output and error, one line per request

	ca   *x509.CertPool
	bin  string
	args []string

	mu   sync.Mutex // guards cmd and done: Kill may race a Restart
	cmd  *exec.Cmd
	done chan struct{}
}

// StartVersityGW starts versitygw with its files in dir, which must exist,
// and waits until it answers.
func StartVersityGW(dir string, opts VersityGWOptions) (*VersityGW, error) {
	bin := opts.Binary
	if bin == "" {
		var err error
		if bin, err = VersityGWBinary(); err != nil {
			return nil, err
		}
	}
	s := &VersityGW{
		bin:       bin,
		AccessKey: "cimdtestroot",
		SecretKey: opts.SecretKey,
		Root:      filepath.Join(dir, "gw"),
		LogFile:   filepath.Join(dir, "versitygw.log"),
	}
	if s.SecretKey == "" {
		s.SecretKey = randomHex(20)
	}
	if err := os.MkdirAll(s.Root, 0o755); err != nil {
		return nil, err
	}
	scheme := "http"
	if opts.TLS {
		scheme = "https"
		ca, err := NewCAIn(dir)
		if err != nil {
			return nil, err
		}
		if s.CertFile, s.KeyFile, err = ca.IssueFiles("127.0.0.1", "::1", "localhost"); err != nil {
			return nil, err
		}
		s.CAFile, s.ca = ca.CertFile, ca.Pool()
	}

	// A free port may be taken again before versitygw binds it: try a few.
	for try := 0; ; try++ {
		args := []string{"--access", s.AccessKey, "--secret", s.SecretKey}
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		args = append(args, "--port", "127.0.0.1:"+port)
		s.URL = scheme + "://127.0.0.1:" + port
		if opts.TLS {
			args = append(args, "--cert", s.CertFile, "--key", s.KeyFile)
		}
		if opts.Website {
			wport, err := freePort()
			if err != nil {
				return nil, err
			}
			args = append(args, "--website", "127.0.0.1:"+wport)
			s.WebsiteURL = scheme + "://localhost:" + wport
		}
		s.args = append(args, "posix", s.Root)
		if err = s.start(); err == nil {
			return s, nil
		}
		if try == 2 {
			return nil, err
		}
	}
}

func (s *VersityGW) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	log, err := os.OpenFile(s.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stdout, cmd.Stderr = log, log
	// versitygw also reads its settings from VGW_* and ROOT_* variables;
	// only the flags above may configure it.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start versitygw: %w", err)
	}
	done := make(chan struct{})
	s.cmd, s.done = cmd, done
	go func() { cmd.Wait(); close(done) }()

	client := s.httpClient()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := client.Get(s.URL)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-done:
			s.cmd = nil
			out, _ := os.ReadFile(s.LogFile)
			return fmt.Errorf("versitygw exited: %s", lastLines(string(out), 5))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill()
			return fmt.Errorf("versitygw did not answer at %s: %w", s.URL, err)
		}
	}
}

// Close stops the server.
func (s *VersityGW) Close() error {
	s.Kill()
	return nil
}

// Kill stops the server with SIGKILL, as a crash would, and waits until it
// is gone. It does nothing to a server already stopped.
func (s *VersityGW) Kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kill()
}

func (s *VersityGW) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Restart starts a killed server again, on the same port and directory, and
// waits until it answers. A running server is left as it is.
func (s *VersityGW) Restart() error {
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		return nil
	}
	return s.start()
}

// Client returns an S3 client with the root credentials.
func (s *VersityGW) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		HTTPClient: awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.TLSClientConfig = &tls.Config{RootCAs: s.ca}
		}),
	})
}

// CreateBucket creates bucket. With public, anyone may GET its objects, and
// with the website endpoint on, the website endpoint serves it.
func (s *VersityGW) CreateBucket(ctx context.Context, bucket string, public bool) error {
	c := s.Client()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	if !public {
		return nil
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{
		Bucket: aws.String(bucket),
		Policy: aws.String(policy),
	}); err != nil {
		return fmt.Errorf("make bucket %s public: %w", bucket, err)
	}
	if s.WebsiteURL == "" {
		return nil
	}
	if _, err := c.PutBucketWebsite(ctx, &s3.PutBucketWebsiteInput{
		Bucket: aws.String(bucket),
		WebsiteConfiguration: &types.WebsiteConfiguration{
			IndexDocument: &types.IndexDocument{Suffix: aws.String("index.html")},
		},
	}); err != nil {
		return fmt.Errorf("serve bucket %s as a website: %w", bucket, err)
	}
	return nil
}

// httpClient trusts the server's CA.
func (s *VersityGW) httpClient() *http.Client {
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.ca}},
	}
}

// VersityGWBinary returns the path of a versitygw executable:
// $CIMD_VERSITYGW, else bin/versitygw in the repository, which it builds from
// tools/go.mod when missing.
func VersityGWBinary() (string, error) {
	if p := os.Getenv("CIMD_VERSITYGW"); p != "" {
		return p, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(root, "bin", "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	// Build under a temporary name and rename, so that test binaries building
	// at the same time never run a half-written file.
	tmp := fmt.Sprintf("%s.tmp-%d", bin, os.Getpid())
	cmd := exec.Command("go", "build", "-modfile=tools/go.mod", "-o", tmp,
		"github.com/versity/versitygw/cmd/versitygw")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("build versitygw: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// repoRoot is the nearest directory above the working directory that holds
// tools/go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "tools", "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("versitygw: no tools/go.mod above the working directory; set CIMD_VERSITYGW")
		}
		dir = parent
	}
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

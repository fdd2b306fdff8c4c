package testenv

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// AuthServerOptions configures [StartOIDCProvider] and [StartBetterAuth].
// Beyond the files, the zero value is a server that advertises CIMD, lists
// "none" among its token endpoint auth methods and advertises PKCE S256.
type AuthServerOptions struct {
	// CACert is a PEM file of the CA the server trusts when it fetches
	// client ID metadata documents (NODE_EXTRA_CA_CERTS).
	CACert string
	// Cert and Key are PEM files of the server's own certificate, valid
	// for 127.0.0.1.
	Cert, Key string

	// NoCIMD turns the server's CIMD support off.
	NoCIMD bool
	// NoNone removes "none" from token_endpoint_auth_methods_supported.
	NoNone bool
	// NoS256 removes S256 from code_challenge_methods_supported (and the
	// member itself, which then means no PKCE at all, RFC 8414).
	NoS256 bool

	// Resources are the RFC 8707 resource indicators (MCP server URLs) the
	// server knows; a request naming any other is refused (invalid_target).
	Resources []string

	// LogSecrets makes oidc-provider report the access tokens it issues and
	// the client assertions it receives, for [AuthServer.Secrets].
	LogSecrets bool

	// Proxy puts the rewriting proxy in front even with no switch, so that
	// [AuthServer.Requests] can list what the server was asked.
	Proxy bool
}

// An AuthServer is a running authorization server.
type AuthServer struct {
	// URL is the issuer, https://127.0.0.1:PORT, from which both
	// /.well-known/oauth-authorization-server and
	// /.well-known/openid-configuration are served.
	URL string
	// Backend is the Node server's own URL. It differs from URL when the
	// metadata passes through the rewriting proxy (Rewritten): the switches
	// the server's configuration cannot express.
	Backend   string
	Rewritten bool

	log *requestLog // the proxy's, nil without one

	secrets *lockedLines
}

// Secrets returns the access tokens the server issued and the client
// assertions it received, in order, when started with LogSecrets: what a
// test asserts never reaches cimd's output.
func (as *AuthServer) Secrets() []string {
	if as.secrets == nil {
		return nil
	}
	return as.secrets.get()
}

type lockedLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *lockedLines) add(s string) {
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
}

func (l *lockedLines) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// Requests returns the requests the server received through the proxy, as
// "GET /path?query", in order; nil when it runs without the proxy.
func (as *AuthServer) Requests() []string {
	if as.log == nil {
		return nil
	}
	as.log.mu.Lock()
	defer as.log.mu.Unlock()
	return append([]string(nil), as.log.lines...)
}

type requestLog struct {
	mu    sync.Mutex
	lines []string
}

// StartOIDCProvider starts oidc-provider (panva/node-oidc-provider) with its
// Client ID Metadata Document feature. NoCIMD and NoNone are its own
// configuration; NoS256 is the rewriting proxy, because the provider always
// advertises S256. It also has the client_credentials grant and
// private_key_jwt. The server stops when the test ends.
func StartOIDCProvider(t testing.TB, opts AuthServerOptions) *AuthServer {
	t.Helper()
	env := []string{"AS_CIMD=" + onOff(!opts.NoCIMD), "AS_AUTH_NONE=" + onOff(!opts.NoNone), "AS_LOG_SECRETS=" + onOff(opts.LogSecrets)}
	return startAuthServer(t, "oidc-provider", "oidc-provider.mjs", env, opts, rewrite{noS256: opts.NoS256})
}

// StartBetterAuth starts Better Auth with @better-auth/oauth-provider and
// @better-auth/cimd on the memory adapter. NoCIMD is its own configuration
// (the cimd plugin is left out, which also drops "none"); NoNone and NoS256
// are the rewriting proxy, because with CIMD on the provider always lists
// "none" and always advertises S256. The server stops when the test ends.
func StartBetterAuth(t testing.TB, opts AuthServerOptions) *AuthServer {
	t.Helper()
	env := []string{"AS_CIMD=" + onOff(!opts.NoCIMD)}
	return startAuthServer(t, "better-auth", "better-auth.mjs", env, opts, rewrite{noNone: opts.NoNone, noS256: opts.NoS256})
}

// AuthServersDir is the Node project with the server scripts: the
// CIMD_AUTHSERVERS_DIR environment variable if set (CI sets it), else the
// directory next to this file.
func AuthServersDir() string {
	if d := os.Getenv("CIMD_AUTHSERVERS_DIR"); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "authservers")
}

// unavailable skips the test when a prerequisite is missing on a
// developer's machine, and fails it in CI, where a skip would hide that the
// real servers never ran.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true, so this is a failure, not a skip)", msg)
	}
	t.Skip(msg)
}

// nodeCommand is the command that runs pkg's script on a free port of
// 127.0.0.1 with opts' certificate; the test is skipped (failed on CI)
// when node or pkg is missing.
func nodeCommand(t testing.TB, pkg, script string, env []string, opts AuthServerOptions) *exec.Cmd {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(t, "%s needs node (Node.js 20 or later) on PATH: %v", pkg, err)
	}
	dir := AuthServersDir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
		unavailable(t, "%s is not installed: run `npm ci` in %s (%v)", pkg, dir, err)
	}
	if opts.CACert == "" || opts.Cert == "" || opts.Key == "" {
		t.Fatalf("Start %s: CACert, Cert and Key are required", pkg)
	}

	cmd := exec.Command(node, script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"AS_ADDR=127.0.0.1",
		"AS_PORT=0",
		"AS_TLS_CERT="+opts.Cert,
		"AS_TLS_KEY="+opts.Key,
		"NODE_EXTRA_CA_CERTS="+opts.CACert,
		"AS_RESOURCES="+strings.Join(opts.Resources, ","),
	)
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func startAuthServer(t testing.TB, pkg, script string, env []string, opts AuthServerOptions, rw rewrite) *AuthServer {
	t.Helper()
	cmd := nodeCommand(t, pkg, script, env, opts)
	var logs lockedBuffer
	cmd.Stderr = &logs
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", pkg, err)
	}
	secrets := &lockedLines{}
	listening := make(chan string, 1)
	exited := make(chan struct{})
	var waitErr error
	go func() {
		// The pipe must be drained before Wait, which closes it.
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if u, ok := strings.CutPrefix(line, "listening "); ok {
				listening <- u
				continue
			}
			if s, ok := strings.CutPrefix(line, "secret "); ok {
				secrets.add(s) // kept out of the logs a failed test prints
				continue
			}
			fmt.Fprintln(&logs, line)
		}
		waitErr = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", pkg, logs.String())
		}
	})

	var backend string
	select {
	case backend = <-listening:
	case <-exited:
		t.Fatalf("%s exited before listening (%v):\n%s", pkg, waitErr, logs.String())
	case <-time.After(2 * time.Minute):
		// A guard against a hung start, not a timing assertion.
		t.Fatalf("%s printed no listening line in 2 minutes:\n%s", pkg, logs.String())
	}
	as := &AuthServer{URL: backend, Backend: backend, secrets: secrets}
	if rw.noNone || rw.noS256 || opts.Proxy {
		as.log = &requestLog{}
		as.URL = rw.start(t, backend, opts, as.log)
		as.Rewritten = true
	}
	return as
}

// rewrite is the metadata-rewriting proxy: a TLS reverse proxy in front of
// a server that passes every request through and edits only the JSON
// metadata under /.well-known/, for switches a server's configuration
// cannot express.
type rewrite struct {
	noNone, noS256 bool
}

func (rw rewrite) start(t testing.TB, backend string, opts AuthServerOptions, log *requestLog) string {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(opts.CACert)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %s", opts.CACert)
	}
	cert, err := tls.LoadX509KeyPair(opts.Cert, opts.Key)
	if err != nil {
		t.Fatal(err)
	}
	var front string // the proxy's origin, known once it listens
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			log.mu.Lock()
			log.lines = append(log.lines, r.In.Method+" "+r.In.URL.RequestURI())
			log.mu.Unlock()
			r.SetURL(target)
		},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		ModifyResponse: func(resp *http.Response) error {
			if loc := resp.Header.Get("Location"); strings.HasPrefix(loc, backend) {
				resp.Header.Set("Location", front+strings.TrimPrefix(loc, backend))
			}
			if !strings.HasPrefix(resp.Request.URL.Path, "/.well-known/") || resp.StatusCode != http.StatusOK {
				return nil
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return err
			}
			body, err = rw.edit(bytes.ReplaceAll(body, []byte(backend), []byte(front)))
			if err != nil {
				return err
			}
			resp.Body = io.NopCloser(bytes.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
			return nil
		},
	}
	srv := httptest.NewUnstartedServer(proxy)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	front = srv.URL
	return front
}

// edit applies the switches to one metadata document.
func (rw rewrite) edit(body []byte) ([]byte, error) {
	var md map[string]any
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fmt.Errorf("rewriting proxy: metadata is not a JSON object: %w", err)
	}
	if rw.noNone {
		without(md, "token_endpoint_auth_methods_supported", "none")
	}
	if rw.noS256 {
		without(md, "code_challenge_methods_supported", "S256")
	}
	return json.Marshal(md)
}

// without removes value from the array md[key], and the member when the
// array ends up empty.
func without(md map[string]any, key, value string) {
	list, _ := md[key].([]any)
	kept := []any{}
	for _, v := range list {
		if v != value {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		delete(md, key)
		return
	}
	md[key] = kept
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// lockedBuffer collects a server's output from two goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

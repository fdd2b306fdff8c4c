package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/cimd-dev/cimd/internal/testenv"
)

// cmdNginx serves a directory with a real nginx over HTTPS for a script:
//
//	nginx ROOTDIR [CONTENT_TYPE]
//
// The first call makes a throwaway CA and a certificate for 127.0.0.1
// (testenv's CA), starts nginx on a free port of 127.0.0.1 (HTTP/1.1 and HTTP/2),
// and sets NGINX_URL (https://127.0.0.1:PORT), NGINX_HOST (127.0.0.1:PORT)
// and NGINX_CA (the CA as PEM, for --cacert). Files ending in .json are
// served as application/json with Cache-Control "public, max-age=300"; with
// CONTENT_TYPE every file is served as that type instead. A later call in
// the same script reloads the same nginx with the new root and type, so the
// URL, and the client_id a document built for it holds, stay the same.
// nginx stops when the script ends. It fails, never skips, when nginx is not
// installed: the story is there to run against a real server.
func cmdNginx(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: nginx ROOTDIR [CONTENT_TYPE]")
	}
	n := nginxServer{root: ts.MkAbs(args[0])}
	if len(args) == 2 {
		n.contentType = args[1]
	}
	if dir := ts.Getenv("NGINX_DIR"); dir != "" {
		n.dir = dir
		n.reload(ts)
		return
	}
	n.start(ts)
}

// nginxServer is one script's nginx: a prefix directory with its config,
// certificate, pid file, logs and temporary files.
type nginxServer struct {
	bin         string
	dir         string
	root        string
	contentType string
	port        int
	generation  int // served at /.generation, to tell when a reload took
}

func (n *nginxServer) start(ts *testscript.TestScript) {
	n.bin = findNginx(ts)
	n.dir = filepath.Join(ts.Getenv("WORK"), ".nginx")
	ts.Check(os.MkdirAll(filepath.Join(n.dir, "tmp"), 0o755))
	makeCertificates(ts, n.dir)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	n.port = l.Addr().(*net.TCPAddr).Port
	l.Close() // nginx binds it next; another process taking it first would make start fail loudly
	n.generation = 1
	n.writeConfig(ts)

	cmd := exec.Command(n.bin, n.flags()...)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	ts.Check(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ts.Defer(func() {
		// SIGQUIT lets the workers finish what they serve; a stuck one is
		// killed rather than left behind.
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})

	ts.Setenv("NGINX_DIR", n.dir)
	ts.Setenv("NGINX_CA", filepath.Join(n.dir, "ca.pem"))
	ts.Setenv("NGINX_HOST", fmt.Sprintf("127.0.0.1:%d", n.port))
	ts.Setenv("NGINX_URL", fmt.Sprintf("https://127.0.0.1:%d", n.port))
	if err := n.waitReady(exited); err != nil {
		ts.Fatalf("nginx did not start: %v\n%s%s", err, logs.String(), readLog(n.dir))
	}
}

func (n *nginxServer) reload(ts *testscript.TestScript) {
	n.bin = findNginx(ts)
	b, err := os.ReadFile(filepath.Join(n.dir, "generation"))
	ts.Check(err)
	n.generation, err = strconv.Atoi(strings.TrimSpace(string(b)))
	ts.Check(err)
	n.generation++
	n.port, err = strconv.Atoi(strings.TrimPrefix(ts.Getenv("NGINX_HOST"), "127.0.0.1:"))
	ts.Check(err)
	n.writeConfig(ts)
	pidText, err := os.ReadFile(filepath.Join(n.dir, "nginx.pid"))
	ts.Check(err)
	master, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	ts.Check(err)
	old := children(master)
	if len(old) == 0 {
		ts.Fatalf("nginx reload: found no worker of master %d in /proc", master)
	}
	out, err := exec.Command(n.bin, append(n.flags(), "-s", "reload")...).CombinedOutput()
	if err != nil {
		ts.Fatalf("nginx -s reload: %v\n%s", err, out)
	}
	if err := n.waitReady(nil); err != nil {
		ts.Fatalf("nginx did not reload: %v\n%s", err, readLog(n.dir))
	}
	// A new worker answering is not enough: until the old workers have
	// exited, they may still accept a connection and serve the old config.
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range old {
		for slices.Contains(children(master), pid) {
			if time.Now().After(deadline) {
				ts.Fatalf("nginx reload: old worker %d still running after 10s", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// children returns the pids of the processes whose parent is pid, read from
// /proc (the stories run on Linux, as CI does).
func children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses and may
		// hold spaces: state, then the parent's pid.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}

func (n *nginxServer) flags() []string {
	return []string{"-p", n.dir, "-c", filepath.Join(n.dir, "nginx.conf"), "-e", filepath.Join(n.dir, "error.log")}
}

// writeConfig keeps everything nginx writes inside the prefix directory, so
// it runs unprivileged and leaves nothing behind.
func (n *nginxServer) writeConfig(ts *testscript.TestScript) {
	types := "types { application/json json; }\n    default_type application/octet-stream;"
	if n.contentType != "" {
		types = fmt.Sprintf("types { }\n    default_type %q;", n.contentType)
	}
	user := ""
	if os.Geteuid() == 0 {
		// Workers would otherwise drop to nobody, who cannot read the
		// script's private work directory.
		user = "user root;"
	}
	conf := fmt.Sprintf(`# Written by the nginx test command; generation %[1]d.
%[2]s
daemon off;
worker_processes 1;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[3]s/tmp/client;
    proxy_temp_path %[3]s/tmp/proxy;
    fastcgi_temp_path %[3]s/tmp/fastcgi;
    uwsgi_temp_path %[3]s/tmp/uwsgi;
    scgi_temp_path %[3]s/tmp/scgi;
    %[4]s
    server {
        listen 127.0.0.1:%[5]d ssl http2;
        ssl_certificate %[3]s/server.pem;
        ssl_certificate_key %[3]s/server.key;
        root %[6]q;
        add_header Cache-Control "public, max-age=300";
        location = /.generation {
            default_type text/plain;
            return 200 "%[1]d";
        }
    }
}
`, n.generation, user, n.dir, types, n.port, n.root)
	ts.Check(os.WriteFile(filepath.Join(n.dir, "nginx.conf"), []byte(conf), 0o644))
	ts.Check(os.WriteFile(filepath.Join(n.dir, "generation"), []byte(strconv.Itoa(n.generation)), 0o644))
}

// waitReady polls until nginx answers with the current generation over TLS
// verified by the test CA, which proves the config, the certificate and the
// port all took. exited, when not nil, reports an nginx that gave up.
func (n *nginxServer) waitReady(exited <-chan error) error {
	pem, err := os.ReadFile(filepath.Join(n.dir, "ca.pem"))
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	client := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	defer client.CloseIdleConnections()
	url := fmt.Sprintf("https://127.0.0.1:%d/.generation", n.port)
	want := strconv.Itoa(n.generation)
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("nginx exited: %v", err)
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) == want {
				return nil
			}
			err = fmt.Errorf("generation %q, want %s", b, want)
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// findNginx looks for nginx on PATH and, since Debian installs it in an sbin
// directory that is not on every user's PATH, next to each bin directory.
func findNginx(ts *testscript.TestScript) string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if filepath.Base(d) != "bin" {
			continue
		}
		p := filepath.Join(filepath.Dir(d), "sbin", "nginx")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	ts.Fatalf("nginx: not installed (apt-get install nginx-light or nginx); the end-to-end story needs a real web server")
	return ""
}

// makeCertificates makes a throwaway CA (dir/ca.pem) and a server
// certificate for 127.0.0.1 signed by it (dir/server.pem, dir/server.key),
// as an operator of a staging host would.
func makeCertificates(ts *testscript.TestScript, dir string) {
	ca, err := testenv.NewCAIn(dir)
	ts.Check(err)
	cert, key, err := ca.IssueFiles("127.0.0.1")
	ts.Check(err)
	ts.Check(os.Rename(cert, filepath.Join(dir, "server.pem")))
	ts.Check(os.Rename(key, filepath.Join(dir, "server.key")))
}

func readLog(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	return string(b)
}

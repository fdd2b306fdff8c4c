package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
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
)

// Nginx is a real nginx serving a directory over HTTPS on 127.0.0.1, with a
// certificate from a throwaway [CA]. Everything it writes (config, pid file,
// logs, temporary files) stays in its prefix directory, so it runs
// unprivileged and leaves nothing behind.
type Nginx struct {
	URL    string // https://127.0.0.1:PORT
	Host   string // 127.0.0.1:PORT
	CAFile string // the CA as PEM, for --cacert

	bin         string
	dir         string
	root        string
	contentType string
	port        int
	generation  int // served at /.generation, to tell when a reload took
	cmd         *exec.Cmd
	exited      chan error
}

// StartNginx starts nginx with its prefix directory dir (created) serving
// root: files ending in .json as application/json, or with contentType set
// every file as that type, all with Cache-Control "public, max-age=300". It
// waits until nginx answers. It fails when nginx is not installed.
func StartNginx(dir, root, contentType string) (*Nginx, error) {
	bin, err := findNginx()
	if err != nil {
		return nil, err
	}
	n := &Nginx{bin: bin, dir: dir, root: root, contentType: contentType, generation: 1}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return nil, err
	}
	ca, err := NewCAIn(dir)
	if err != nil {
		return nil, err
	}
	n.CAFile = ca.CertFile
	cert, key, err := ca.IssueFiles("127.0.0.1")
	if err != nil {
		return nil, err
	}
	if err := errors.Join(os.Rename(cert, filepath.Join(dir, "server.pem")), os.Rename(key, filepath.Join(dir, "server.key"))); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n.port = l.Addr().(*net.TCPAddr).Port
	l.Close() // nginx binds it next; another process taking it first would make start fail loudly
	n.setURL()
	if err := n.writeConfig(); err != nil {
		return nil, err
	}

	n.cmd = exec.Command(n.bin, n.flags()...)
	var logs strings.Builder
	n.cmd.Stdout, n.cmd.Stderr = &logs, &logs
	if err := n.cmd.Start(); err != nil {
		return nil, err
	}
	n.exited = make(chan error, 1)
	go func() { n.exited <- n.cmd.Wait() }()
	if err := n.waitReady(n.exited); err != nil {
		n.Close()
		return nil, fmt.Errorf("nginx did not start: %v\n%s%s", err, logs.String(), n.errorLog())
	}
	return n, nil
}

// Close stops nginx: SIGQUIT lets the workers finish what they serve; a
// stuck one is killed rather than left behind.
func (n *Nginx) Close() {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-n.exited:
	case <-time.After(5 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
	}
	n.cmd = nil
}

// ReloadNginx points the nginx running in prefix directory dir (started by
// [StartNginx], maybe by another call of a script) at root and contentType,
// keeping its port, so the URL and the client_id a document built for it
// holds stay the same. It returns when only the new config is served.
func ReloadNginx(dir, root, contentType string) error {
	bin, err := findNginx()
	if err != nil {
		return err
	}
	n := &Nginx{bin: bin, dir: dir, root: root, contentType: contentType, CAFile: filepath.Join(dir, "ca.pem")}
	b, err := os.ReadFile(filepath.Join(dir, "state"))
	if err != nil {
		return err
	}
	if _, err := fmt.Sscan(string(b), &n.generation, &n.port); err != nil {
		return fmt.Errorf("nginx state: %w", err)
	}
	n.generation++
	n.setURL()
	if err := n.writeConfig(); err != nil {
		return err
	}
	pidText, err := os.ReadFile(filepath.Join(dir, "nginx.pid"))
	if err != nil {
		return err
	}
	master, err := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if err != nil {
		return err
	}
	old := children(master)
	if len(old) == 0 {
		return fmt.Errorf("nginx reload: found no worker of master %d in /proc", master)
	}
	if out, err := exec.Command(n.bin, append(n.flags(), "-s", "reload")...).CombinedOutput(); err != nil {
		return fmt.Errorf("nginx -s reload: %v\n%s", err, out)
	}
	if err := n.waitReady(nil); err != nil {
		return fmt.Errorf("nginx did not reload: %v\n%s", err, n.errorLog())
	}
	// A new worker answering is not enough: until the old workers have
	// exited, they may still accept a connection and serve the old config.
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range old {
		for slices.Contains(children(master), pid) {
			if time.Now().After(deadline) {
				return fmt.Errorf("nginx reload: old worker %d still running after 10s", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// Fetches returns how many requests for path the access log holds whose
// User-Agent does not contain exclude ("" excludes nothing): a test counts
// the fetches of a document by the servers it starts, without its own.
func (n *Nginx) Fetches(path, exclude string) int {
	b, _ := os.ReadFile(filepath.Join(n.dir, "access.log"))
	count := 0
	for _, line := range strings.Split(string(b), "\n") {
		// The combined format: ... "GET /path HTTP/1.1" status bytes "referer" "user agent"
		if !strings.Contains(line, `"GET `+path+` HTTP/`) {
			continue
		}
		fields := strings.Split(line, `"`)
		if exclude != "" && len(fields) >= 6 && strings.Contains(fields[5], exclude) {
			continue
		}
		count++
	}
	return count
}

func (n *Nginx) setURL() {
	n.Host = fmt.Sprintf("127.0.0.1:%d", n.port)
	n.URL = "https://" + n.Host
}

func (n *Nginx) flags() []string {
	return []string{"-p", n.dir, "-c", filepath.Join(n.dir, "nginx.conf"), "-e", filepath.Join(n.dir, "error.log")}
}

func (n *Nginx) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	return string(b)
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

// writeConfig keeps everything nginx writes inside the prefix directory, so
// it runs unprivileged and leaves nothing behind.
func (n *Nginx) writeConfig() error {
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
	conf := fmt.Sprintf(`# Written by testenv.StartNginx; generation %[1]d.
%[2]s
daemon off;
worker_processes 1;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log;
events { worker_connections 64; }
http {
    access_log %[3]s/access.log;
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
	state := fmt.Sprintf("%d %d\n", n.generation, n.port)
	return errors.Join(os.WriteFile(filepath.Join(n.dir, "nginx.conf"), []byte(conf), 0o644),
		os.WriteFile(filepath.Join(n.dir, "state"), []byte(state), 0o644))
}

// waitReady polls until nginx answers with the current generation over TLS
// verified by the test CA, which proves the config, the certificate and the
// port all took. exited, when not nil, reports an nginx that gave up.
func (n *Nginx) waitReady(exited <-chan error) error {
	pem, err := os.ReadFile(n.CAFile)
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
func findNginx() (string, error) {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if filepath.Base(d) != "bin" {
			continue
		}
		p := filepath.Join(filepath.Dir(d), "sbin", "nginx")
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New("nginx: not installed (apt-get install nginx-light or nginx); the end-to-end story needs a real web server")
}

package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cimd-dev/cimd/internal/testenv"
)

// fate is what the reset server does with one connection.
type fate int

const (
	resetHandshake fate = iota // RST before the TLS handshake
	resetRequest               // RST after reading the request
	resetHeaders               // RST after the status line and headers
	resetBody                  // RST part way through the body
	serveWhole                 // the whole response, then close_notify
	fates
)

// resetServer is an HTTPS server on 127.0.0.1 that serves one document and
// resets most connections (SO_LINGER 0, so the peer gets an RST) at a random
// point. It counts the responses it sent whole: a validation may only pass
// when one was.
type resetServer struct {
	ln  net.Listener
	tls *tls.Config
	doc []byte

	mu     sync.Mutex // guards intN, random
	intN   func(n int) int
	random bool // when false, every connection is served whole

	whole  atomic.Int64
	resets atomic.Int64
	wg     sync.WaitGroup
}

func (s *resetServer) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		f := serveWhole
		s.mu.Lock()
		if s.random {
			f = fate(s.intN(int(fates)))
		}
		s.mu.Unlock()
		s.wg.Go(func() { s.handle(c.(*net.TCPConn), f) })
	}
}

func (s *resetServer) reset(c *net.TCPConn) {
	c.SetLinger(0)
	c.Close()
	s.resets.Add(1)
}

func (s *resetServer) handle(c *net.TCPConn, f fate) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if f == resetHandshake {
		s.reset(c)
		return
	}
	tc := tls.Server(c, s.tls)
	if err := tc.Handshake(); err != nil {
		c.Close()
		return
	}
	req, err := http.ReadRequest(bufio.NewReader(tc))
	if err != nil {
		c.Close()
		return
	}
	req.Body.Close()
	head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: public, max-age=300\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(s.doc))
	switch f {
	case resetRequest:
		s.reset(c)
	case resetHeaders:
		io.WriteString(tc, head)
		s.reset(c)
	case resetBody:
		s.mu.Lock()
		cut := 1 + s.intN(len(s.doc)-1) // 1..len-1 bytes: never the whole body
		s.mu.Unlock()
		io.WriteString(tc, head)
		tc.Write(s.doc[:cut])
		s.reset(c)
	case serveWhole:
		io.WriteString(tc, head)
		tc.Write(s.doc)
		s.whole.Add(1)
		tc.Close()
	}
}

// validateResult counts the validate loop's outcomes.
type validateResult struct {
	attempts, resets, passes int
	clean, unclean           int
	falsePasses              int
	examples                 []string
}

func (r *validateResult) print(w io.Writer) {
	printTable(w, "Validate against a TLS server that resets connections at random (handshake, request, headers, mid-body):",
		[]string{"attempts", "connections reset", "passes (whole response)", "clean failures (http-fetch, exit 1)", "unclean failures", "false passes"},
		r.attempts, r.resets, r.passes, r.clean, r.unclean, r.falsePasses)
}

func validateFaults(ctx context.Context, o options, dir string) (*validateResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cert, caFile, err := selfSigned(dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &resetServer{
		ln: ln,
		// HTTP/1.1 only: the server writes its responses by hand.
		tls:  &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}},
		intN: o.rng.IntN,
	}
	go s.serve()
	defer func() { ln.Close(); s.wg.Wait() }()

	url := "https://" + ln.Addr().String() + "/oauth/client.json"
	env := cleanEnv("NO_COLOR=1")
	create := runCimd(ctx, o, dir, env, "create", "--name", "Faults App",
		"--redirect-uri", "http://127.0.0.1:8765/callback", "--client-id", url)
	// create exits 1 on url-private-address (127.0.0.1), which validate
	// is told to allow, but prints the document all the same.
	if !json.Valid([]byte(create.stdout)) {
		return nil, fmt.Errorf("cimd create: %s", create.describe())
	}
	s.doc = []byte(create.stdout)
	args := []string{"validate", "--json", "--cacert", caFile, "--allow-private", "--timeout", "5s", url}

	// Every fate must be possible, and the whole response must pass:
	// otherwise a failure would prove nothing.
	if res := runCimd(ctx, o, dir, env, args...); res.code != 0 {
		return nil, fmt.Errorf("the undisturbed document does not validate: %s\n%s", res.describe(), res.stdout)
	}
	s.mu.Lock()
	s.random = true
	s.mu.Unlock()

	r := &validateResult{}
	deadline := time.Now().Add(o.validateTime)
	for i := 0; i < o.validates && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
		whole0, resets0 := s.whole.Load(), s.resets.Load()
		res := runCimd(ctx, o, dir, env, args...)
		whole := s.whole.Load() - whole0
		r.resets += int(s.resets.Load() - resets0)
		r.attempts++
		switch {
		case res.crashed() || res.hung || (res.code != 0 && res.code != 1):
			r.unclean++
			r.examples = append(r.examples, "unclean validate: "+res.describe())
		case res.code == 0 && whole == 0:
			r.falsePasses++
			r.examples = append(r.examples, "false pass: "+res.stdout)
		case res.code == 0:
			r.passes++
		case onlyFetchError(res.stdout):
			r.clean++
		default:
			r.unclean++
			r.examples = append(r.examples, "validate failed without an http-fetch error: "+res.describe()+" "+res.stdout)
		}
	}
	return r, nil
}

// onlyFetchError reports whether a --json report says the one target failed
// with an http-fetch error.
func onlyFetchError(stdout string) bool {
	var rep struct {
		Valid   bool `json:"valid"`
		Results []struct {
			Findings []struct {
				Rule     string `json:"rule"`
				Severity string `json:"severity"`
			} `json:"findings"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Valid || len(rep.Results) != 1 {
		return false
	}
	for _, f := range rep.Results[0].Findings {
		if f.Rule == "http-fetch" && f.Severity == "error" {
			return true
		}
	}
	return false
}

// selfSigned makes a throwaway CA in dir (dir/ca.pem, for --cacert) and a
// certificate for 127.0.0.1 that it signs.
func selfSigned(dir string) (tls.Certificate, string, error) {
	ca, err := testenv.NewCAIn(dir)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	cert, err := ca.Certificate("127.0.0.1")
	return cert, ca.CertFile, err
}

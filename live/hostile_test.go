package live

// Hostile and broken servers: huge and compressed bodies, slow and silent
// servers, broken connections and connects that fail.

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/validate"
)

// allocated returns how many bytes f allocated, all goroutines included.
func allocated(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// allocLimit is far below a gigabyte and far above what one fetch needs
// (transport buffers, TLS, the test server's own writes).
const allocLimit = 32 << 20

func TestCheckLiveGigabyteBody(t *testing.T) {
	const size = 1 << 30
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(size))
		buf := bytes.Repeat([]byte(" "), 32<<10)
		for n := 0; n < size; n += len(buf) {
			if _, err := w.Write(buf); err != nil {
				return // the client hung up, as it should
			}
		}
	})
	var r validate.Result
	start := time.Now()
	alloc := allocated(func() { r = Check(context.Background(), srv.docURL(), srv.opts()) })
	wantFinding(t, r, "http-size", validate.Error, "1073741824 bytes")
	if len(r.Body) != validate.MaxBytes+1 || r.HTTP.Bytes != size {
		t.Errorf("Check(1 GB): read %d bytes, HTTP.Bytes %d; want %d read and %d reported", len(r.Body), r.HTTP.Bytes, validate.MaxBytes+1, size)
	}
	if alloc > allocLimit {
		t.Errorf("Check(1 GB) allocated %d bytes; want under %d", alloc, allocLimit)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Check(1 GB) took %s; it must stop reading at %d bytes", d, validate.MaxBytes+1)
	}
}

func TestCheckLiveGzipBomb(t *testing.T) {
	srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			http.Error(w, "gzip only", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		gz := gzip.NewWriter(w)
		buf := make([]byte, 64<<10) // zeros: 1 GB of them compresses to about 1 MB
		for range 1 << 14 {
			if _, err := gz.Write(buf); err != nil {
				return
			}
		}
		gz.Close()
	})
	var r validate.Result
	alloc := allocated(func() { r = Check(context.Background(), srv.docURL(), srv.opts()) })
	wantFinding(t, r, "http-size", validate.Error, "more than 5120 bytes")
	if len(r.Body) != validate.MaxBytes+1 {
		t.Errorf("Check(gzip bomb): read %d decoded bytes; want %d", len(r.Body), validate.MaxBytes+1)
	}
	if alloc > allocLimit {
		t.Errorf("Check(gzip bomb) allocated %d bytes; want under %d", alloc, allocLimit)
	}
}

func TestCheckLiveGzip(t *testing.T) {
	gzipped := func(corrupt bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var b bytes.Buffer
			gz := gzip.NewWriter(&b)
			gz.Write(testDoc(requestURL(r)))
			gz.Close()
			body := b.Bytes()
			if corrupt {
				body[len(body)-6] ^= 0xff // the CRC-32
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "max-age=60")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(body)
		}
	}
	t.Run("valid", func(t *testing.T) {
		srv := newTestServer(t, gzipped(false))
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantValid(t, r)
		if r.Document == nil {
			t.Errorf("Check(gzip): no document; want the decoded one")
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		srv := newTestServer(t, gzipped(true))
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", validate.Error, "gzip")
		if r.Document != nil {
			t.Errorf("Check(bad gzip): document %v; want nil", r.Document)
		}
	})
	t.Run("not gzip", func(t *testing.T) {
		srv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(testDoc(requestURL(r)))
		})
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", validate.Error, "not valid gzip")
	})
}

// stall blocks a handler until the client hangs up; with a deadline in the
// test, never longer than that.
func stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func TestCheckLiveTimeout(t *testing.T) {
	const timeout = time.Second
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"one byte per second", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "100")
			for range 100 {
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(time.Second):
				}
			}
		}, "reading the body"},
		{"headers never come", func(w http.ResponseWriter, r *http.Request) {
			stall(r)
		}, "waiting for the response headers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, tt.handler)
			opts := srv.opts()
			opts.Timeout = timeout
			start := time.Now()
			r := Check(context.Background(), srv.docURL(), opts)
			elapsed := time.Since(start)
			wantFinding(t, r, "http-fetch", validate.Error, "timed out after 1s", tt.want)
			if elapsed > timeout+time.Second {
				t.Errorf("Check(%s) took %s; want under %s", tt.name, elapsed, timeout+time.Second)
			}
			if r.HTTP == nil || r.HTTP.ElapsedMS < timeout.Milliseconds()-50 {
				t.Errorf("Check(%s): HTTP = %+v; want elapsed_ms about %d", tt.name, r.HTTP, timeout.Milliseconds())
			}
		})
	}
}

func TestCheckLiveBrokenConnection(t *testing.T) {
	hijack := func(reset bool) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: max-age=60\r\nContent-Length: 1000\r\n\r\n")
			buf.WriteString(`{"client_id": "`)
			buf.Flush()
			if reset {
				time.Sleep(100 * time.Millisecond) // let the client read the headers
				// Close the TCP connection under TLS with RST, no close_notify.
				tc := netConn(conn).(*net.TCPConn)
				tc.SetLinger(0)
				tc.Close()
				return
			}
			conn.Close()
		}
	}
	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, hijack(false))
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", validate.Error, "closed after 15 bytes", "1000 that Content-Length promised")
		if r.Document != nil || r.Has("doc-not-json") {
			t.Errorf("Check(truncated) = %v; want no document rules on a partial body", r.Findings)
		}
	})
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		srv := newTestServer(t, hijack(true))
		r := Check(context.Background(), srv.docURL(), srv.opts())
		wantFinding(t, r, "http-fetch", validate.Error, "reset")
	})
}

// netConn unwraps the TLS connection a hijacked handler gets.
func netConn(c net.Conn) net.Conn {
	if u, ok := c.(interface{ NetConn() net.Conn }); ok {
		return u.NetConn()
	}
	return c
}

func TestCheckLiveConnectFailures(t *testing.T) {
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		r := Check(context.Background(), "https://"+addr+"/oauth/client.json",
			Options{Options: validate.Options{AllowPrivate: true}, Timeout: time.Second})
		wantFinding(t, r, "http-fetch", validate.Error, "refused", addr)
	})
	t.Run("DNS", func(t *testing.T) {
		t.Parallel()
		r := Check(context.Background(), "https://cimd-test.invalid/oauth/client.json",
			Options{Timeout: time.Second})
		wantFinding(t, r, "http-fetch", validate.Error, "DNS", "cimd-test.invalid")
		if r.Has("url-private-address") {
			t.Errorf("Check(unresolvable) = %v; want no url-private-address", r.Findings)
		}
	})
	t.Run("plain HTTP on the TLS port", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(serveDoc("application/json", "max-age=60"))
		defer srv.Close()
		u := strings.Replace(srv.URL, "http://", "https://", 1) + "/oauth/client.json"
		r := Check(context.Background(), u, Options{Options: validate.Options{AllowPrivate: true}, Timeout: time.Second})
		wantFinding(t, r, "http-fetch", validate.Error, "did not answer with TLS")
	})
}

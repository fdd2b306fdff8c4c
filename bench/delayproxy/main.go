// Command delayproxy is a TCP proxy that adds latency, for bench/run: it
// listens on 127.0.0.1, forwards every connection to one target, and
// delays each direction by half of -rtt, so a request and its answer cost
// one round trip more. A new connection costs one more round trip before
// any byte passes, as a TCP handshake across a network would (the kernel
// accepts a loopback connection at once, so the proxy holds the first
// bytes instead). Data is delayed, not throttled: chunks in flight overlap.
//
// It prints the port it listens on, one line on stdout, then serves until
// killed. With -stats FILE it writes the number of connections accepted so
// far to FILE on every accept.
//
//	delayproxy -target 127.0.0.1:9000 -rtt 10ms
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("target", "", "`HOST:PORT` to forward to")
	rtt := flag.Duration("rtt", 10*time.Millisecond, "round trip time to add")
	stats := flag.String("stats", "", "write the number of connections accepted to `FILE` on each accept")
	flag.Parse()
	if *target == "" {
		log.Fatal("delayproxy: -target is required")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	var conns atomic.Int64
	for {
		c, err := l.Accept()
		if err != nil {
			log.Fatal(err)
		}
		n := conns.Add(1)
		if *stats != "" {
			os.WriteFile(*stats, []byte(strconv.FormatInt(n, 10)+"\n"), 0o644)
		}
		go serve(c, *target, *rtt)
	}
}

// serve relays c to target, each direction delayed by rtt/2, after a
// set-up delay of one rtt.
func serve(c net.Conn, target string, rtt time.Duration) {
	defer c.Close()
	ready := time.Now().Add(rtt) // the handshake's round trip
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { relay(up, c, ready, rtt/2); done <- struct{}{} }()
	go func() { relay(c, up, ready, rtt/2); done <- struct{}{} }()
	<-done
	<-done
}

type chunk struct {
	at   time.Time
	data []byte
	err  error
}

// relay copies src to dst, each chunk written delay after it was read
// (and not before ready).
func relay(dst, src net.Conn, ready time.Time, delay time.Duration) {
	q := make(chan chunk, 1024)
	go func() {
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			at := time.Now().Add(delay)
			if at.Before(ready) {
				at = ready.Add(delay)
			}
			q <- chunk{at, buf[:n], err}
			if err != nil {
				close(q)
				return
			}
		}
	}()
	for ch := range q {
		time.Sleep(time.Until(ch.at))
		if len(ch.data) > 0 {
			if _, err := dst.Write(ch.data); err != nil {
				return
			}
		}
		if ch.err != nil {
			if ch.err == io.EOF {
				if tc, ok := dst.(*net.TCPConn); ok {
					tc.CloseWrite()
					// Keep reading the other way until it ends too.
					continue
				}
			}
			dst.Close()
			return
		}
	}
}

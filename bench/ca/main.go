// Command ca writes a throwaway certificate authority and a certificate for
// 127.0.0.1 signed by it, for the nginx of bench/run: DIR/ca.pem (for
// curl's and cimd's --cacert), DIR/server.pem and DIR/server.key, valid for
// a day. It is internal/testenv's CA, the one certificate generator of the
// repository, so the benchmarks need no openssl.
//
// Usage, from the repository's root:
//
//	go run ./bench/ca DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cimd-dev/cimd/internal/testenv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench/ca DIR")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "bench/ca: %v\n", err)
		os.Exit(1)
	}
}

// write puts the CA and the server's certificate and key into dir.
func write(dir string) error {
	ca, err := testenv.NewCAIn(dir)
	if err != nil {
		return err
	}
	certFile, keyFile, err := ca.IssueFiles("127.0.0.1")
	if err != nil {
		return err
	}
	if err := os.Rename(certFile, filepath.Join(dir, "server.pem")); err != nil {
		return err
	}
	return os.Rename(keyFile, filepath.Join(dir, "server.key"))
}

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdJWT decodes the compact JWS on the first line of the previous
// command's stdout and prints its header and payload as JSON (keys sorted),
// and exp - iat as "lifetime: N", for the next stdout assertions.
func cmdJWT(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: jwt")
	}
	line, _, _ := strings.Cut(strings.TrimSpace(ts.ReadFile("stdout")), "\n")
	parts := strings.Split(line, ".")
	if len(parts) != 3 {
		ts.Fatalf("stdout %q is not a compact JWS", line)
	}
	var out bytes.Buffer
	var payload map[string]any
	for i, name := range []string{"header", "payload"} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		ts.Check(err)
		var v map[string]any
		ts.Check(json.Unmarshal(raw, &v))
		canon, err := json.Marshal(v)
		ts.Check(err)
		fmt.Fprintf(&out, "%s: %s\n", name, canon)
		payload = v
	}
	if _, err := base64.RawURLEncoding.DecodeString(parts[2]); err != nil || parts[2] == "" {
		ts.Fatalf("the signature %q is not base64url", parts[2])
	}
	exp, _ := payload["exp"].(float64)
	iat, _ := payload["iat"].(float64)
	fmt.Fprintf(&out, "lifetime: %d\n", int64(exp-iat))
	ts.Stdout().Write(out.Bytes())
}

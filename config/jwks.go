package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// readJWKS reads the JWK Set at path for inlining as the document's jwks.
//
// The document is public, so a key with private members, or a symmetric key
// (which is nothing but a secret), would leak it to every authorization
// server and anyone else who fetches the URL: such a file is refused rather
// than filtered, since a private key in the repository is itself the problem.
func readJWKS(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the JWK Set: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numbers exactly as written, they are inlined verbatim
	var set map[string]any
	if err := dec.Decode(&set); err != nil {
		return nil, fmt.Errorf("%s is not a JWK Set: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s is not a JWK Set: data after the JSON object", path)
	}
	if set == nil {
		return nil, fmt.Errorf("%s is not a JWK Set: want a JSON object", path)
	}
	keys, ok := set["keys"].([]any)
	if !ok {
		return nil, fmt.Errorf("%s is not a JWK Set: want an object with a \"keys\" array", path)
	}
	var problems []string
	for i, k := range keys {
		jwk, ok := k.(map[string]any)
		if !ok {
			problems = append(problems, fmt.Sprintf("keys[%d] is not an object", i))
			continue
		}
		name := fmt.Sprintf("keys[%d]", i)
		if kid, ok := jwk["kid"].(string); ok {
			name += fmt.Sprintf(" (kid %q)", kid)
		}
		if kty, ok := jwk["kty"].(string); !ok || kty == "" {
			problems = append(problems, name+" has no \"kty\"")
		} else if kty == "oct" {
			problems = append(problems, name+" is a symmetric key (kty \"oct\"): it is a secret")
			continue
		}
		if _, ok := jwk["k"]; ok {
			problems = append(problems, name+" is a symmetric key (member \"k\"): it is a secret")
		}
		var private []string
		for _, m := range []string{"d", "p", "q", "dp", "dq", "qi", "oth"} {
			if _, ok := jwk[m]; ok {
				private = append(private, `"`+m+`"`)
			}
		}
		if len(private) > 0 {
			problems = append(problems, fmt.Sprintf("%s has private members %s", name, strings.Join(private, ", ")))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s; a CIMD is public, publish only public keys", path, strings.Join(problems, "; "))
	}
	return set, nil
}

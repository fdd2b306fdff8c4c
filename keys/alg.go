package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"io"
)

// Alg is a JWS algorithm name (RFC 7518, RFC 8037).
type Alg string

// The algorithms cimd generates keys for.
const (
	ES256 Alg = "ES256" // ECDSA P-256 with SHA-256: the default, small and universally supported
	RS256 Alg = "RS256" // RSASSA-PKCS1-v1_5 with SHA-256: for servers that accept only RSA
	EdDSA Alg = "EdDSA" // Ed25519 (RFC 8037)
)

// RSABits is the size of generated RSA keys. 3072 bits give the 128-bit
// security strength of the P-256 default (NIST SP 800-57 Part 1, table 2),
// which 2048 bits (112-bit) do not after 2030; every server that takes
// RS256 verifies 3072-bit keys, and the JWKS stays far under Auth0's 12 KB.
const RSABits = 3072

// Algs lists the algorithms in the order the CLI documents them.
var Algs = []Alg{ES256, RS256, EdDSA}

// ParseAlg returns the Alg named s, or an error listing the valid names.
func ParseAlg(s string) (Alg, error) {
	for _, a := range Algs {
		if string(a) == s {
			return a, nil
		}
	}
	return "", fmt.Errorf("unknown key algorithm %q: use ES256 (the default), RS256 or EdDSA", s)
}

// Generate returns a new private key for alg, drawing randomness from r
// (crypto/rand when nil).
func Generate(alg Alg, r io.Reader) (crypto.Signer, error) {
	if r == nil {
		r = rand.Reader
	}
	switch alg {
	case ES256:
		return ecdsa.GenerateKey(elliptic.P256(), r)
	case RS256:
		return rsa.GenerateKey(r, RSABits)
	case EdDSA:
		_, k, err := ed25519.GenerateKey(r)
		return k, err
	}
	return nil, fmt.Errorf("unknown key algorithm %q", alg)
}

// algOf returns the algorithm a private key signs with, refusing key types
// and sizes cimd does not sign with.
func algOf(k crypto.Signer) (Alg, error) {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("an EC key on %s: only P-256 (ES256) is supported", k.Curve.Params().Name)
		}
		return ES256, nil
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return "", fmt.Errorf("a %d-bit RSA key: RS256 needs at least 2048 bits (RFC 7518 §3.3)", k.N.BitLen())
		}
		return RS256, nil
	case ed25519.PrivateKey:
		return EdDSA, nil
	}
	return "", fmt.Errorf("an unsupported key type %T", k)
}

// signJWS returns the JWS signature of input under k with alg: for ES256
// the fixed-size r||s of RFC 7518 §3.4, not ASN.1.
func signJWS(k crypto.Signer, alg Alg, input []byte) ([]byte, error) {
	switch alg {
	case ES256:
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			break
		}
		sum := sha256.Sum256(input)
		r, s, err := ecdsa.Sign(rand.Reader, ek, sum[:])
		if err != nil {
			return nil, err
		}
		sig := make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
		return sig, nil
	case RS256:
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			break
		}
		sum := sha256.Sum256(input)
		return rsa.SignPKCS1v15(nil, rk, crypto.SHA256, sum[:])
	case EdDSA:
		ed, ok := k.(ed25519.PrivateKey)
		if !ok {
			break
		}
		return ed25519.Sign(ed, input), nil
	}
	return nil, fmt.Errorf("a %T cannot sign %s", k, alg)
}

package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
)

// JWK is a public JSON Web Key (RFC 7517) as cimd publishes it. It has no
// field for a private member, so a JWK can never carry one.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
}

// Set is a JWK Set (RFC 7517 §5).
type Set struct {
	Keys []JWK `json:"keys"`
}

var b64 = base64.RawURLEncoding

// PublicJWK returns the public JWK of pub, with no kid, use or alg.
func PublicJWK(pub crypto.PublicKey) (JWK, error) {
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		ecdh, err := p.ECDH() // refuses a key that is not on a named curve
		if err != nil {
			return JWK{}, err
		}
		raw := ecdh.Bytes() // 0x04 || X || Y
		if p.Curve.Params().Name != "P-256" || len(raw) != 65 {
			return JWK{}, fmt.Errorf("an EC key on %s: only P-256 is supported", p.Curve.Params().Name)
		}
		return JWK{Kty: "EC", Crv: "P-256", X: b64.EncodeToString(raw[1:33]), Y: b64.EncodeToString(raw[33:])}, nil
	case *rsa.PublicKey:
		return JWK{Kty: "RSA", N: b64.EncodeToString(p.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(p.E)).Bytes())}, nil
	case ed25519.PublicKey:
		return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.EncodeToString(p)}, nil
	}
	return JWK{}, fmt.Errorf("an unsupported public key type %T", pub)
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of k, base64url
// without padding: the hash of the required members in lexicographic
// order, without white space. It is the default kid.
func Thumbprint(k JWK) (string, error) {
	// encoding/json writes a map's keys sorted, as §3.2 requires.
	var v map[string]string
	switch k.Kty {
	case "EC":
		v = map[string]string{"crv": k.Crv, "kty": k.Kty, "x": k.X, "y": k.Y}
	case "RSA":
		v = map[string]string{"e": k.E, "kty": k.Kty, "n": k.N}
	case "OKP":
		v = map[string]string{"crv": k.Crv, "kty": k.Kty, "x": k.X}
	default:
		return "", fmt.Errorf("no thumbprint for key type %q", k.Kty)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return b64.EncodeToString(sum[:]), nil
}

package keys

import (
	"crypto"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Signer signs JWS input with one private key. It is all an assertion
// needs, so a key held elsewhere (a KMS, an HSM) can implement it without
// its private half ever reaching cimd.
type Signer interface {
	// KeyID is the kid the JWS header names.
	KeyID() string
	// Alg is the JWS algorithm Sign produces.
	Alg() Alg
	// Sign returns the JWS signature of input (RFC 7515 §5.1).
	Sign(input []byte) ([]byte, error)
}

// keySigner is a [Signer] over a private key in memory.
type keySigner struct {
	kid string
	alg Alg
	key crypto.Signer
}

func (s *keySigner) KeyID() string                     { return s.kid }
func (s *keySigner) Alg() Alg                          { return s.alg }
func (s *keySigner) Sign(input []byte) ([]byte, error) { return signJWS(s.key, s.alg, input) }

// Public returns the signer's public JWK, with kid and alg.
func (s *keySigner) Public() (JWK, error) { return publicFor(s.key, s.kid, s.alg) }

// PEMSigner returns a [Signer] for the private key in pemData, as a CI
// secret holds it (see [EnvVar]). The algorithm follows from the key type;
// kid is the RFC 7638 thumbprint when empty.
func PEMSigner(pemData []byte, kid string) (Signer, error) {
	k, err := ParsePEM(pemData)
	if err != nil {
		return nil, err
	}
	return newKeySigner(k, kid)
}

// EnvVar is the environment variable that may hold the signing key as
// PEM, for CI jobs whose secrets are variables rather than files.
const EnvVar = "CIMD_SIGNING_KEY"

func newKeySigner(k crypto.Signer, kid string) (*keySigner, error) {
	alg, err := algOf(k)
	if err != nil {
		return nil, err
	}
	if kid == "" {
		jwk, err := PublicJWK(k.Public())
		if err != nil {
			return nil, err
		}
		if kid, err = Thumbprint(jwk); err != nil {
			return nil, err
		}
	}
	return &keySigner{kid: kid, alg: alg, key: k}, nil
}

func publicFor(k crypto.Signer, kid string, alg Alg) (JWK, error) {
	jwk, err := PublicJWK(k.Public())
	if err != nil {
		return JWK{}, err
	}
	jwk.Kid, jwk.Use, jwk.Alg = kid, "sig", string(alg)
	return jwk, nil
}

// DefaultLifetime is how long an assertion is valid when not told: long
// enough for one token request, short enough that a leaked one is stale.
const DefaultLifetime = 60 * time.Second

// Claims are the inputs of an RFC 7523 client assertion.
type Claims struct {
	ClientID string        // iss and sub
	Audience string        // aud: the token endpoint or the issuer
	Lifetime time.Duration // exp - iat; DefaultLifetime when 0
	Now      time.Time     // iat; time.Now when zero
	JTI      string        // a random one when empty
}

// Assert returns the compact JWS of an RFC 7523 §3 client assertion for c,
// signed by s.
func Assert(s Signer, c Claims) (string, error) {
	if c.ClientID == "" {
		return "", errors.New("assertion: no client_id")
	}
	if u, err := url.Parse(c.Audience); err != nil || !u.IsAbs() || u.Host == "" {
		return "", fmt.Errorf("assertion: the audience %q is not an absolute URL (the token endpoint or the server's issuer)", c.Audience)
	}
	if c.Lifetime == 0 {
		c.Lifetime = DefaultLifetime
	}
	if c.Lifetime < time.Second {
		return "", fmt.Errorf("assertion: lifetime %s is under a second", c.Lifetime)
	}
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	if c.JTI == "" {
		c.JTI = rand.Text()
	}
	header, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid,omitempty"`
		Typ string `json:"typ"`
	}{string(s.Alg()), s.KeyID(), "JWT"})
	if err != nil {
		return "", err
	}
	iat := c.Now.Unix()
	payload, err := json.Marshal(struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Iat int64  `json:"iat"`
		Jti string `json:"jti"`
	}{c.ClientID, c.ClientID, c.Audience, iat + int64(c.Lifetime/time.Second), iat, c.JTI})
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	sig, err := s.Sign([]byte(input))
	if err != nil {
		return "", fmt.Errorf("assertion: sign with key %s: %w", s.KeyID(), err)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

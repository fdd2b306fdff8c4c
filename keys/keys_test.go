package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestThumbprintRFC7638 checks the RFC 7638 §3.1 example: its published
// thumbprint, and that kid, use and alg do not change it.
func TestThumbprintRFC7638(t *testing.T) {
	k := JWK{
		Kty: "RSA", E: "AQAB", Kid: "2011-04-29", Alg: "RS256",
		N: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
	}
	got, err := Thumbprint(k)
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; err != nil || got != want {
		t.Errorf("Thumbprint(RFC 7638 §3.1 key) = %q, %v; want %q", got, err, want)
	}
}

// verifyingKey turns a published JWK back into a standard-library public
// key, so that a test verifies what servers would read, not what was signed.
func verifyingKey(t *testing.T, k JWK) crypto.PublicKey {
	t.Helper()
	dec := func(s string) []byte {
		b, err := b64.DecodeString(s)
		if err != nil {
			t.Fatalf("JWK member %q is not base64url: %v", s, err)
		}
		return b
	}
	switch k.Kty {
	case "EC":
		pub, err := ecdsa.ParseUncompressedPublicKey(ecdsaCurve(), slices.Concat([]byte{4}, dec(k.X), dec(k.Y)))
		if err != nil {
			t.Fatal(err)
		}
		return pub
	case "RSA":
		return &rsa.PublicKey{N: new(big.Int).SetBytes(dec(k.N)), E: int(new(big.Int).SetBytes(dec(k.E)).Int64())}
	case "OKP":
		return ed25519.PublicKey(dec(k.X))
	}
	t.Fatalf("unexpected kty %q", k.Kty)
	return nil
}

// verify checks a compact JWS with the standard library's verifiers and
// returns its decoded header and payload.
func verify(t *testing.T, jws string, pub crypto.PublicKey) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a compact JWS", jws)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	input := []byte(parts[0] + "." + parts[1])
	sum := sha256.Sum256(input)
	ok := false
	switch p := pub.(type) {
	case *ecdsa.PublicKey:
		ok = len(sig) == 64 && ecdsa.Verify(p, sum[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(p, crypto.SHA256, sum[:], sig) == nil
	case ed25519.PublicKey:
		ok = ed25519.Verify(p, input, sig)
	}
	if !ok {
		t.Fatalf("the signature of %s does not verify with its published key", jws)
	}
	for i, dst := range []*map[string]any{&header, &payload} {
		b, err := b64.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, payload
}

func clock(t *time.Time) func() time.Time { return func() time.Time { return *t } }

// TestAssertEveryAlg generates a key of each algorithm in a store, signs
// an assertion with it and verifies it against the published JWK.
func TestAssertEveryAlg(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, alg := range Algs {
		t.Run(string(alg), func(t *testing.T) {
			s, err := Open(filepath.Join(t.TempDir(), "keys"), clock(&now))
			if err != nil {
				t.Fatal(err)
			}
			k, err := s.Generate(alg, "")
			if err != nil {
				t.Fatal(err)
			}
			if tp, _ := Thumbprint(k.Public); k.Kid != tp {
				t.Errorf("kid %q; want the thumbprint %q", k.Kid, tp)
			}
			signer, err := s.Signer("")
			if err != nil {
				t.Fatal(err)
			}
			jws, err := Assert(signer, Claims{ClientID: "https://app.example.com/c.json", Audience: "https://as.example.com/token", Now: now})
			if err != nil {
				t.Fatal(err)
			}
			set := s.JWKS()
			if len(set.Keys) != 1 || set.Keys[0].Kid != k.Kid || set.Keys[0].Alg != string(alg) || set.Keys[0].Use != "sig" {
				t.Fatalf("JWKS() = %+v; want the one key %s with alg %s, use sig", set, k.Kid, alg)
			}
			h, p := verify(t, jws, verifyingKey(t, set.Keys[0]))
			if h["alg"] != string(alg) || h["kid"] != k.Kid || h["typ"] != "JWT" {
				t.Errorf("header %v; want alg %s, kid %s, typ JWT", h, alg, k.Kid)
			}
			want := map[string]any{"iss": "https://app.example.com/c.json", "sub": "https://app.example.com/c.json",
				"aud": "https://as.example.com/token", "iat": float64(now.Unix()), "exp": float64(now.Unix() + 60)}
			for name, v := range want {
				if p[name] != v {
					t.Errorf("payload %s = %v; want %v", name, p[name], v)
				}
			}
			if jti, _ := p["jti"].(string); len(jti) < 16 {
				t.Errorf("jti %q; want a random value", p["jti"])
			}
		})
	}
}

// TestPEMSigner reads the forms a CI secret may hold: PKCS #8, PKCS #1 and
// SEC 1, with the thumbprint as kid, and refuses what is not a key.
func TestPEMSigner(t *testing.T) {
	ec, _ := Generate(ES256, nil)
	rk, _ := Generate(RS256, nil)
	sec1, _ := x509.MarshalECPrivateKey(ec.(*ecdsa.PrivateKey))
	pkcs8, _ := marshalPEM(ec)
	for name, tc := range map[string]struct {
		pem []byte
		key crypto.Signer
	}{
		"pkcs8": {pkcs8, ec},
		"sec1":  {pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), ec},
		"pkcs1": {pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk.(*rsa.PrivateKey))}), rk},
	} {
		s, err := PEMSigner(tc.pem, "")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		pub, _ := PublicJWK(tc.key.Public())
		tp, _ := Thumbprint(pub)
		if s.KeyID() != tp {
			t.Errorf("%s: kid %q; want the thumbprint %q", name, s.KeyID(), tp)
		}
		jws, err := Assert(s, Claims{ClientID: "https://a.example/c", Audience: "https://as.example"})
		if err != nil {
			t.Fatal(err)
		}
		verify(t, jws, tc.key.Public())
	}
	for _, bad := range []string{"", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := PEMSigner([]byte(bad), ""); err == nil {
			t.Errorf("PEMSigner(%q) succeeded; want an error", bad)
		}
	}
}

// TestModes checks that keys are written owner-only and that a key file or
// directory that others can read is refused.
func TestModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".cimd", "keys")
	s, _ := Open(dir, nil)
	k, err := s.Generate(ES256, "k1")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "k1.pem"): 0o600, filepath.Join(dir, stateFile): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, %v; want %04o", path, fi.Mode().Perm(), err, want)
		}
	}
	keyFile := filepath.Join(dir, k.Kid+".pem")
	os.Chmod(keyFile, 0o644)
	if _, err := s.Signer(""); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Signer with a world-readable key file: %v; want a refusal saying chmod 600", err)
	}
	os.Chmod(keyFile, 0o600)
	if _, err := s.Signer(""); err != nil {
		t.Errorf("Signer after chmod 600: %v", err)
	}
	os.Chmod(dir, 0o750)
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("Open of a group-readable directory: %v; want a refusal saying chmod 700", err)
	}
	os.Chmod(dir, 0o700)
	os.Remove(keyFile)
	os.Symlink(filepath.Join(t.TempDir(), "elsewhere.pem"), keyFile)
	if _, err := s.Signer(""); err == nil {
		t.Error("Signer through a symlinked key file succeeded; want a refusal")
	}
}

// TestRetireTiming rotates with an injected clock: retire is refused until
// the new key has been published for the cache lifetime, then promotes it
// and deletes the old private key.
func TestRetireTiming(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "keys")
	s, _ := Open(dir, clock(&now))
	old, err := s.Generate(ES256, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Generate(ES256, ""); err == nil {
		t.Error("a second Generate succeeded; want 'use rotate'")
	}
	if err := s.MarkPublished(now); err != nil {
		t.Fatal(err)
	}
	now = now.Add(48 * time.Hour)
	next, err := s.Rotate(EdDSA, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rotate(ES256, ""); err == nil {
		t.Error("a second Rotate before retire succeeded; want a refusal")
	}
	if got := s.JWKS(); len(got.Keys) != 2 || got.Keys[0].Kid != old.Kid || got.Keys[1].Kid != next.Kid {
		t.Errorf("JWKS after rotate = %+v; want current %s then next %s", got, old.Kid, next.Kid)
	}
	if sg, _ := s.Signer(""); sg == nil || sg.KeyID() != old.Kid {
		t.Errorf("after rotate the current key signs; got %v", sg)
	}
	life, _ := CacheLifetime("public, max-age=3600")

	var early *TooEarlyError
	if _, _, err := s.Retire(life, false); !errors.As(err, &early) || !early.Published.IsZero() {
		t.Fatalf("Retire before publication: %v; want a TooEarlyError saying it is unpublished", err)
	}
	published := now
	s.MarkPublished(published)
	now = published.Add(time.Hour)
	if _, _, err := s.Retire(life, false); !errors.As(err, &early) || !early.SafeAt.Equal(published.Add(24*time.Hour)) {
		t.Fatalf("Retire an hour after publication: %v; want a TooEarlyError safe at %s", err, published.Add(24*time.Hour))
	}
	if !strings.Contains(early.Error(), published.Add(24*time.Hour).Format(time.RFC3339)) {
		t.Errorf("the refusal %q does not say when it is safe", early)
	}

	// The state survives a reopen.
	s, err = Open(dir, clock(&now))
	if err != nil {
		t.Fatal(err)
	}
	now = published.Add(24 * time.Hour)
	retired, promoted, err := s.Retire(life, false)
	if err != nil || retired.Kid != old.Kid || promoted.Kid != next.Kid || promoted.State != Current {
		t.Fatalf("Retire after the lifetime = %v, %v, %v; want %s retired, %s current", retired, promoted, err, old.Kid, next.Kid)
	}
	if _, err := os.Stat(filepath.Join(dir, old.Kid+".pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the retired private key is still there: %v", err)
	}
	if got := s.JWKS(); len(got.Keys) != 1 || got.Keys[0].Kid != next.Kid {
		t.Errorf("JWKS after retire = %+v; want only %s", got, next.Kid)
	}
	if sg, err := s.Signer(""); err != nil || sg.KeyID() != next.Kid || sg.Alg() != EdDSA {
		t.Errorf("after retire the signer is %v, %v; want %s (EdDSA)", sg, err, next.Kid)
	}

	// --force skips the wait, even for a key never published.
	now = now.Add(time.Hour)
	third, _ := s.Rotate(RS256, "third")
	if _, p, err := s.Retire(life, true); err != nil || p.Kid != third.Kid {
		t.Errorf("forced Retire = %v, %v; want %s current", p, err, third.Kid)
	}
}

func TestCacheLifetime(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   time.Duration
		who    []string
	}{
		{"public, max-age=3600", 24 * time.Hour, []string{"cognito", "gravitee", "logto"}},
		{"public, max-age=604800", 7 * 24 * time.Hour, []string{"cloudflare", "cognito", "fastmcp", "janssen", "oidc-provider"}},
		{"no-store", 24 * time.Hour, []string{"cognito", "gravitee", "logto"}},
		{"max-age=300, s-maxage=400000", 400000 * time.Second, []string{"cloudflare"}},
	} {
		got, who := CacheLifetime(tc.header)
		if got != tc.want || !slices.Equal(who, tc.who) {
			t.Errorf("CacheLifetime(%q) = %s, %v; want %s, %v", tc.header, got, who, tc.want, tc.who)
		}
	}
}

func TestKidRefused(t *testing.T) {
	s, _ := Open(filepath.Join(t.TempDir(), "k"), nil)
	for _, kid := range []string{"../x", ".hidden", "a/b", "sp ace", ""} {
		if err := checkKid(kid); err == nil {
			t.Errorf("checkKid(%q) = nil; want a refusal", kid)
		}
	}
	for _, kid := range []string{"../x", ".hidden"} {
		if _, err := s.Generate(ES256, kid); err == nil {
			t.Errorf("Generate with kid %q succeeded; want a refusal", kid)
		}
	}
	// Any thumbprint is a valid kid: base64url, which may start with '-'.
	for _, kid := range []string{"-D0S10hmTvBSkMp2ADXfhy3G9z4GELZ1t4A5dLAd_gY", "_x", "2026-12"} {
		if err := checkKid(kid); err != nil {
			t.Errorf("checkKid(%q) = %v; want nil", kid, err)
		}
	}
	if _, err := s.Generate(ES256, "-leading-dash"); err != nil {
		t.Errorf("Generate with kid -leading-dash: %v", err)
	}
}

func ecdsaCurve() elliptic.Curve { return elliptic.P256() }

// TestCheckoutStore is the key directory as a git checkout has it: mode
// 0755 (git keeps no directory modes), state.json committed, no private
// key. Its public keys are read (build, publish); a private key is never
// written or read there; and the moment a .pem sits in it, it is refused
// as before.
func TestCheckoutStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	s, _ := Open(dir, nil)
	k, err := s.Generate(ES256, "k1")
	if err != nil {
		t.Fatal(err)
	}
	pemData, err := os.ReadFile(filepath.Join(dir, "k1.pem"))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "k1.pem"))
	os.Chmod(filepath.Join(dir, stateFile), 0o644)
	os.Chmod(dir, 0o755)

	c, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("Open of a checkout: %v", err)
	}
	if set := c.JWKS(); len(set.Keys) != 1 || set.Keys[0] != k.Public {
		t.Errorf("JWKS of a checkout = %+v; want k1's public key", set)
	}
	if err := c.MarkPublished(time.Now()); err != nil {
		t.Errorf("MarkPublished in a checkout: %v", err)
	}
	if _, err := c.Signer(""); err == nil || !strings.Contains(err.Error(), "is not in") || !strings.Contains(err.Error(), EnvVar) {
		t.Errorf("Signer in a checkout: %v; want one naming %s", err, EnvVar)
	}
	if _, err := c.Rotate(ES256, "k2"); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("Rotate in a checkout: %v; want a refusal saying chmod 700", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "k2.pem")); err == nil {
		t.Error("Rotate wrote a private key into a directory others can read")
	}
	sg, err := c.EnvSigner(pemData, "")
	if err != nil || sg.KeyID() != "k1" {
		t.Errorf("EnvSigner = %v, %v; want the kid k1 of the same public key", sg, err)
	}
	other, _ := Generate(ES256, nil)
	otherPEM, _ := marshalPEM(other)
	if _, err := c.EnvSigner(otherPEM, ""); err == nil || !strings.Contains(err.Error(), "none of the public keys") {
		t.Errorf("EnvSigner with a key not in state.json: %v; want a refusal", err)
	}
	if sg, err := c.EnvSigner(otherPEM, "named"); err != nil || sg.KeyID() != "named" {
		t.Errorf("EnvSigner with --kid: %v, %v", sg, err)
	}

	// A private key in the open directory: refused whole, as before.
	for _, name := range []string{"k1.pem", ".tmp-123"} {
		os.WriteFile(filepath.Join(dir, name), pemData, 0o600)
		if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "chmod 700") {
			t.Errorf("Open of a 0755 directory holding %s: %v; want a refusal saying chmod 700", name, err)
		}
		os.Remove(filepath.Join(dir, name))
	}
}

package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/cimd-dev/cimd/keys"
)

// maxAssertionLifetime bounds --lifetime: an assertion is a credential
// anyone holding it can use until it expires.
const maxAssertionLifetime = time.Hour

func runAssert(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "assert", `
Usage: cimd assert --aud URL [-c FILE] [--env NAME] [--kid ID] [--lifetime DUR]

Prints an RFC 7523 client assertion for testing a token endpoint: a JWT with
iss = sub = the client_id (https:// + host + path of cimd.toml), aud = URL
(the token endpoint, or the server's issuer), iat, exp (60 s later by
default) and a random jti, signed with the current key of 'cimd keys' (or
the key --kid names). When the environment variable `+keys.EnvVar+` holds a
PEM private key (a CI secret), that key signs instead; its kid is --kid, else
that of the key in state.json with the same public key (a key that is not
there is refused), else its RFC 7638 thumbprint.

Send it as client_assertion with client_assertion_type
urn:ietf:params:oauth:client-assertion-type:jwt-bearer. Until it expires,
anyone holding it can authenticate as the client: do not log it.
`)
	var ef envFlags
	fs.StringVarP(&ef.config, "config", "c", "cimd.toml", "the config `FILE`")
	fs.StringVar(&ef.env, "env", "", "use environment `NAME` ([env.NAME] merged over the top level)")
	aud := fs.String("aud", "", "the audience `URL`: the token endpoint or the issuer (required)")
	kid := fs.String("kid", "", "sign with the key `ID` instead of the current one")
	lifetime := fs.Duration("lifetime", keys.DefaultLifetime, "how long the assertion is valid, `DUR` up to 1h")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("assert takes no arguments (got %q)", fs.Args())
	}
	if *aud == "" {
		return usagef("assert: --aud URL is required: the token endpoint (or issuer) the assertion is for")
	}
	if u, err := url.Parse(*aud); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return usagef("assert: --aud %q: want an http(s) URL, the token endpoint or issuer", printable(*aud))
	}
	if *lifetime < time.Second || *lifetime > maxAssertionLifetime {
		return usagef("assert: --lifetime %s: want 1s to %s", *lifetime, maxAssertionLifetime)
	}
	_, cfgs, err := ef.load()
	if err != nil {
		return err
	}
	c := cfgs[0]

	var signer keys.Signer
	if msg := c.KeysDirProblem(); msg != "" {
		return usagef("%s: [client.keys] private_dir: %s", c.File, msg)
	}
	store, err := keys.Open(c.KeysDir(), nil)
	if err != nil {
		return fmt.Errorf("assert: %w", err)
	}
	if pemKey := s.getenv(keys.EnvVar); pemKey != "" {
		signer, err = store.EnvSigner([]byte(pemKey), *kid)
		if err != nil {
			return fmt.Errorf("assert: %s: %w", keys.EnvVar, err)
		}
	} else if signer, err = store.Signer(*kid); err != nil {
		return fmt.Errorf("assert: %w", err)
	}
	jwt, err := keys.Assert(signer, keys.Claims{ClientID: c.ClientID(), Audience: *aud, Lifetime: *lifetime})
	if err != nil {
		return fmt.Errorf("assert: %w", err)
	}
	fmt.Fprintln(s.out, jwt)
	fmt.Fprintf(s.err, "cimd: %s assertion for %s, aud %s, kid %s, valid %s\n", signer.Alg(), printable(c.ClientID()), printable(*aud), printable(signer.KeyID()), *lifetime)
	return nil
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/keys"
)

func runKeys(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "keys", `
Usage: cimd keys generate|rotate|retire|list [-c FILE] [--env NAME]
                 [--alg ES256|RS256|EdDSA] [--kid ID] [--force]

Manages the key pairs of a client that authenticates with private_key_jwt.
Private keys stay in [client.keys] private_dir (default .cimd/keys, next to
cimd.toml): one file per key, mode 0600, in a directory of mode 0700, with
their state (current, next; created and published times; public keys) in
state.json. A key file or directory that group or others can read is
refused. Private key material is never printed. 'cimd init' git-ignores the
directory but state.json, which holds no secret: commit it, and a CI
checkout builds and publishes the JWK Set ('cimd assert' signs there with
the key in CIMD_SIGNING_KEY).

  generate  create the first key, as current (the one 'cimd assert' signs with)
  rotate    add a new key as next; the current one keeps signing, both are
            published
  retire    make the next key current and delete the old one, once the new
            key has been published for longer than the longest time an
            authorization server may cache the JWK Set (from [publish]
            cache_control and the cache bounds of the server profiles);
            before that it refuses and says when it will be safe
  list      show each key's kid, algorithm, state, age and publication time

The kid is the key's RFC 7638 thumbprint unless --kid gives one.
`)
	var ef envFlags
	fs.StringVarP(&ef.config, "config", "c", "cimd.toml", "the config `FILE`")
	fs.StringVar(&ef.env, "env", "", "use environment `NAME` ([env.NAME] merged over the top level)")
	alg := fs.String("alg", "", "algorithm of a new key: `ALG` ES256, RS256 or EdDSA (default [client.keys] alg, else ES256)")
	kid := fs.String("kid", "", "the new key's `ID` (default its RFC 7638 thumbprint)")
	force := fs.Bool("force", false, "retire without waiting for server caches (assertions signed with the new key may be refused until they refetch)")
	if err := parse(fs, args); err != nil {
		return err
	}
	ops := "generate, rotate, retire or list"
	if fs.NArg() != 1 {
		return usagef("keys: want one of %s (see 'cimd keys -h')", ops)
	}
	op := fs.Arg(0)
	switch op {
	case "generate", "rotate", "retire", "list":
	default:
		return usagef("keys: unknown operation %q: want %s", printable(op), ops)
	}
	if (*alg != "" || *kid != "") && op != "generate" && op != "rotate" {
		return usagef("keys %s: --alg and --kid go with generate and rotate", op)
	}
	if *force && op != "retire" {
		return usagef("keys %s: --force goes with retire", op)
	}
	_, cfgs, err := ef.load()
	if err != nil {
		return err
	}
	c := cfgs[0]
	if msg := c.KeysDirProblem(); msg != "" {
		return usagef("%s: [client.keys] private_dir: %s", c.File, msg)
	}
	store, err := keys.Open(c.KeysDir(), nil)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}

	switch op {
	case "generate", "rotate":
		return keysAdd(s, c, store, op, *alg, *kid)
	case "retire":
		return keysRetire(s, c, store, *force)
	}
	return keysList(s, store)
}

// keysAdd is 'keys generate' and 'keys rotate': a new key of alg (default
// [client.keys] alg), as current or as next.
func keysAdd(s stdio, c *config.Config, store *keys.Store, op, alg, kid string) error {
	if alg == "" {
		alg = c.Client.Keys.Alg
	}
	a, err := keys.ParseAlg(alg)
	if err != nil {
		return usagef("keys %s: --alg: %v", op, err)
	}
	dir := store.Dir()
	if op == "generate" {
		k, err := store.Generate(a, kid)
		if err != nil {
			return fmt.Errorf("keys generate: %w", err)
		}
		fmt.Fprintf(s.out, "generated %s key %s (current) in %s\n", k.Alg, k.Kid, printable(dir))
		fmt.Fprintf(s.err, "cimd: next: publish the public key with the document; then 'cimd assert --aud URL' signs with it\n")
		return nil
	}
	k, err := store.Rotate(a, kid)
	if err != nil {
		return fmt.Errorf("keys rotate: %w", err)
	}
	life, who := keys.CacheLifetime(c.Publish.CacheControl)
	fmt.Fprintf(s.out, "added %s key %s as next in %s; the current key keeps signing\n", k.Alg, k.Kid, printable(dir))
	fmt.Fprintf(s.err, "cimd: next: publish both keys; 'cimd keys retire' makes %s current %s after they are published (%s)\n", k.Kid, human(life), cachedBy(who))
	return nil
}

// keysRetire is 'keys retire': the next key becomes current once servers'
// caches of the JWK Set have expired, or at once with --force.
func keysRetire(s stdio, c *config.Config, store *keys.Store, force bool) error {
	life, who := keys.CacheLifetime(c.Publish.CacheControl)
	retired, promoted, err := store.Retire(life, force)
	var early *keys.TooEarlyError
	if errors.As(err, &early) {
		msg := fmt.Sprintf("keys retire: refused: %v (%s, with cache_control %q)", early, cachedBy(who), c.Publish.CacheControl)
		if !early.SafeAt.IsZero() {
			msg += fmt.Sprintf("; that is in %s", human(time.Until(early.SafeAt)))
		}
		return errors.New(msg + "; --force retires now, and a server still holding the old JWK Set then refuses assertions signed with " + early.Kid + " until it refetches")
	}
	if err != nil {
		return fmt.Errorf("keys retire: %w", err)
	}
	if force {
		fmt.Fprintf(s.err, "cimd: --force: servers that cached the JWK Set before %s was published refuse its assertions until they refetch (up to %s)\n", promoted.Kid, human(life))
	}
	fmt.Fprintf(s.out, "retired key %s (its private file is deleted); key %s is now current\n", retired.Kid, promoted.Kid)
	fmt.Fprintf(s.err, "cimd: next: publish the JWK Set without %s\n", retired.Kid)
	return nil
}

// keysList is 'keys list': one row per key.
func keysList(s stdio, store *keys.Store) error {
	list := store.Keys()
	if len(list) == 0 {
		fmt.Fprintf(s.err, "cimd: no keys in %s: 'cimd keys generate' creates one\n", printable(store.Dir()))
		return nil
	}
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tALG\tSTATE\tAGE\tPUBLISHED")
	now := time.Now()
	for _, k := range list {
		pub := "not yet"
		if !k.Published.IsZero() {
			pub = k.Published.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.Kid, k.Alg, k.State, human(now.Sub(k.Created)), pub)
	}
	return tw.Flush()
}

// cachedBy names the servers whose caches set a wait.
func cachedBy(who []string) string {
	if len(who) == 0 {
		return "no server profile caches it"
	}
	return "the longest a server caches the JWK Set: " + strings.Join(who, ", ")
}

// human writes a duration to the minute, in days, hours and minutes.
func human(d time.Duration) string {
	if d < time.Minute {
		return "under a minute"
	}
	d = d.Truncate(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%dh", h))
	}
	if m > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%dm", m))
	}
	return strings.Join(parts, "")
}

package keys

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// State is where a key is in its rotation.
type State string

// The states of a key. The published JWK Set carries every key in the
// store; only the current key signs unless another is asked for by kid.
const (
	// Current signs assertions.
	Current State = "current"
	// Next is published and waits for the caches of authorization servers
	// to carry it; retire makes it current.
	Next State = "next"
)

// Key is one key pair of a [Store], without its private half.
type Key struct {
	Kid     string    `json:"kid"`
	Alg     Alg       `json:"alg"`
	State   State     `json:"state"`
	Created time.Time `json:"created"`
	// Published is when a JWK Set with this key was first published, zero
	// until then.
	Published time.Time `json:"published,omitzero"`
	// Public is the public JWK (kid, use and alg set). Keeping it here
	// lets the JWK Set be rendered without reading a private key.
	Public JWK `json:"public"`
}

// stateFile is the store's state, beside the private keys.
const stateFile = "state.json"

type stateDoc struct {
	Keys []Key `json:"keys"`
}

// Store is the key pairs in a private directory: one PKCS #8 PEM file per
// key (<kid>.pem, mode 0600) and state.json with their states and times.
// The directory is mode 0700; a store refuses to use a directory or key
// file that group or others can read.
type Store struct {
	dir  string
	now  func() time.Time
	keys []Key
}

// Open reads the store in dir; a missing dir is an empty store, created
// on the first write. now is the clock (time.Now when nil).
func Open(dir string, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	s := &Store{dir: dir, now: now}
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := private(dir, fi, true); err != nil {
		// A checkout (a CI job) has the directory as git made it, mode
		// 0755, with the committed state.json and no private key: its
		// public keys may be read, to build and publish the JWK Set.
		// Every use of a private key still refuses such a directory.
		if !fi.IsDir() || holdsPrivate(dir) {
			return nil, err
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	var doc stateDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	s.keys = doc.Keys
	for _, k := range s.keys {
		if err := checkKid(k.Kid); err != nil || (k.State != Current && k.State != Next) {
			return nil, fmt.Errorf("%s: a key with kid %q and state %q: the file was edited by hand?", filepath.Join(dir, stateFile), k.Kid, k.State)
		}
	}
	return s, nil
}

// holdsPrivate reports whether dir has a private key file (<kid>.pem) or
// a temporary file that may hold one, or cannot be listed.
func holdsPrivate(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return true
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".pem") || strings.HasPrefix(e.Name(), ".tmp-") {
			return true
		}
	}
	return false
}

// private refuses a key file or directory that is not the owner's alone.
func private(path string, fi fs.FileInfo, dir bool) error {
	switch {
	case dir && !fi.IsDir():
		return fmt.Errorf("%s is not a directory", path)
	case !dir && !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file (a symlink or device is not trusted with a private key)", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		want := "600"
		if dir {
			want = "700"
		}
		return fmt.Errorf("%s is readable or writable by group or others (mode %04o): refused, since it holds private keys; run chmod %s %s", path, perm, want, path)
	}
	return nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Keys returns the keys, the current first.
func (s *Store) Keys() []Key {
	out := make([]Key, 0, len(s.keys))
	for _, st := range []State{Current, Next} {
		for _, k := range s.keys {
			if k.State == st {
				out = append(out, k)
			}
		}
	}
	return out
}

func (s *Store) find(st State) (Key, bool) {
	for _, k := range s.keys {
		if k.State == st {
			return k, true
		}
	}
	return Key{}, false
}

// JWKS returns the public JWK Set: the current key and the next one.
func (s *Store) JWKS() Set {
	set := Set{Keys: []JWK{}}
	for _, k := range s.Keys() {
		set.Keys = append(set.Keys, k.Public)
	}
	return set
}

// Generate creates the store's first key, as current. A store that has a
// key refuses: adding one is [Store.Rotate].
func (s *Store) Generate(alg Alg, kid string) (Key, error) {
	if cur, ok := s.find(Current); ok {
		return Key{}, fmt.Errorf("%s already has a current key (%s); use 'cimd keys rotate' to add a new one", s.dir, cur.Kid)
	}
	return s.add(alg, kid, Current)
}

// Rotate adds a new key as next, beside the current one, which keeps
// signing until [Store.Retire].
func (s *Store) Rotate(alg Alg, kid string) (Key, error) {
	if _, ok := s.find(Current); !ok {
		return Key{}, fmt.Errorf("%s has no key yet: run 'cimd keys generate' first", s.dir)
	}
	if next, ok := s.find(Next); ok {
		return Key{}, fmt.Errorf("key %s is already next: publish it, then 'cimd keys retire' before rotating again", next.Kid)
	}
	return s.add(alg, kid, Next)
}

func (s *Store) add(alg Alg, kid string, st State) (Key, error) {
	priv, err := Generate(alg, nil)
	if err != nil {
		return Key{}, err
	}
	pub, err := PublicJWK(priv.Public())
	if err != nil {
		return Key{}, err
	}
	if kid == "" {
		if kid, err = Thumbprint(pub); err != nil {
			return Key{}, err
		}
	}
	if err := checkKid(kid); err != nil {
		return Key{}, err
	}
	for _, k := range s.keys {
		if k.Kid == kid {
			return Key{}, fmt.Errorf("kid %q is already in %s", kid, s.dir)
		}
	}
	pub.Kid, pub.Use, pub.Alg = kid, "sig", string(alg)
	k := Key{Kid: kid, Alg: alg, State: st, Created: s.now().UTC().Truncate(time.Second), Public: pub}

	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return Key{}, err
	}
	fi, err := os.Lstat(s.dir)
	if err != nil {
		return Key{}, err
	}
	if err := private(s.dir, fi, true); err != nil {
		return Key{}, err
	}
	pemData, err := marshalPEM(priv)
	if err != nil {
		return Key{}, err
	}
	keyFile := s.keyFile(kid)
	if err := writePrivate(keyFile, pemData, false); err != nil {
		return Key{}, err
	}
	s.keys = append(s.keys, k)
	if err := s.save(); err != nil {
		s.keys = s.keys[:len(s.keys)-1]
		os.Remove(keyFile)
		return Key{}, err
	}
	return k, nil
}

// TooEarlyError is [Store.Retire]'s refusal: the new key may not yet be
// in every server's cached JWK Set.
type TooEarlyError struct {
	Kid       string
	Published time.Time // zero: never published
	SafeAt    time.Time // zero: never published
	Lifetime  time.Duration
	Profiles  []string // the servers that cache that long
}

func (e *TooEarlyError) Error() string {
	if e.Published.IsZero() {
		return fmt.Sprintf("key %s has not been published yet: servers cannot verify assertions signed with it; publish the JWK Set, wait %s, then retire", e.Kid, short(e.Lifetime))
	}
	return fmt.Sprintf("key %s was published at %s; servers may keep the previous JWK Set for %s, so it is safe to retire at %s", e.Kid, e.Published.Format(time.RFC3339), short(e.Lifetime), e.SafeAt.Format(time.RFC3339))
}

// short writes d without its zero minutes and seconds: "24h", not "24h0m0s".
func short(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Retire makes the next key current and removes the old current key (its
// private file is deleted), once the next key has been published for at
// least lifetime: until then a server may hold a JWK Set without it and
// refuse assertions it signs. force skips the wait.
func (s *Store) Retire(lifetime time.Duration, force bool) (retired, promoted Key, err error) {
	next, ok := s.find(Next)
	if !ok {
		return Key{}, Key{}, fmt.Errorf("nothing to retire: there is no next key; 'cimd keys rotate' adds one")
	}
	if !force {
		if next.Published.IsZero() {
			return Key{}, Key{}, &TooEarlyError{Kid: next.Kid, Lifetime: lifetime}
		}
		if safe := next.Published.Add(lifetime); s.now().Before(safe) {
			return Key{}, Key{}, &TooEarlyError{Kid: next.Kid, Published: next.Published, SafeAt: safe, Lifetime: lifetime}
		}
	}
	old, _ := s.find(Current)
	kept := s.keys[:0:0]
	for _, k := range s.keys {
		switch k.Kid {
		case old.Kid:
			continue
		case next.Kid:
			k.State = Current
			promoted = k
		}
		kept = append(kept, k)
	}
	prev := s.keys
	s.keys = kept
	if err := s.save(); err != nil {
		s.keys = prev
		return Key{}, Key{}, err
	}
	if err := os.Remove(s.keyFile(old.Kid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return old, promoted, fmt.Errorf("key %s is retired, but its private file is still there: %w", old.Kid, err)
	}
	return old, promoted, nil
}

// MarkPublished records t as the publication time of every key that has
// none: a JWK Set with them has just been published.
func (s *Store) MarkPublished(t time.Time) error {
	changed := false
	for i := range s.keys {
		if s.keys[i].Published.IsZero() {
			s.keys[i].Published = t.UTC().Truncate(time.Second)
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return s.save()
}

// Signer returns a [Signer] for the key kid, or for the current key when
// kid is "". The private file must be the owner's alone.
func (s *Store) Signer(kid string) (Signer, error) {
	var k Key
	found := false
	for _, c := range s.keys {
		if (kid == "" && c.State == Current) || (kid != "" && c.Kid == kid) {
			k, found = c, true
		}
	}
	if !found {
		if kid == "" {
			return nil, fmt.Errorf("%s has no current key: run 'cimd keys generate'", s.dir)
		}
		return nil, fmt.Errorf("no key with kid %q in %s ('cimd keys list' shows them)", kid, s.dir)
	}
	if _, err := os.Lstat(s.keyFile(k.Kid)); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the private key of %s (%s) is not in %s: a checkout has only %s, the public half; set %s to the key's PEM (a CI secret), or sign where the key was generated", k.Kid, k.State, s.dir, stateFile, EnvVar)
	}
	fi, err := os.Lstat(s.dir)
	if err == nil {
		err = private(s.dir, fi, true)
	}
	if err != nil {
		return nil, err
	}
	priv, err := readPrivate(s.keyFile(k.Kid))
	if err != nil {
		return nil, err
	}
	ks, err := newKeySigner(priv, k.Kid)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.keyFile(k.Kid), err)
	}
	if ks.alg != k.Alg {
		return nil, fmt.Errorf("%s: an %s key, but %s says %s", s.keyFile(k.Kid), ks.alg, stateFile, k.Alg)
	}
	if pub, err := ks.Public(); err != nil || pub != k.Public {
		return nil, fmt.Errorf("%s does not match the public key %s publishes for kid %s", s.keyFile(k.Kid), stateFile, k.Kid)
	}
	return ks, nil
}

func (s *Store) keyFile(kid string) string { return filepath.Join(s.dir, kid+".pem") }

// readPrivate reads a private key file, refusing one that group or others
// can read.
func readPrivate(path string) (crypto.Signer, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := private(path, fi, false); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func (s *Store) save() error {
	data, err := json.MarshalIndent(stateDoc{Keys: s.keys}, "", "  ")
	if err != nil {
		return err
	}
	return writePrivate(filepath.Join(s.dir, stateFile), append(data, '\n'), true)
}

// writePrivate writes data to path with mode 0600 through a temporary file
// in the same directory, so a reader never sees half a file. Unless
// replace, an existing path is an error.
func writePrivate(path string, data []byte, replace bool) error {
	if !replace {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s already exists", path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// checkKid refuses a kid that is not safe as a file name. A leading '-'
// is allowed: one thumbprint in 64 starts with it.
func checkKid(kid string) error {
	if kid == "" || len(kid) > 128 || kid[0] == '.' {
		return fmt.Errorf("kid %q: use 1 to 128 letters, digits, '-', '_' or '.', not starting with '.'", kid)
	}
	for _, r := range kid {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return fmt.Errorf("kid %q: use 1 to 128 letters, digits, '-', '_' or '.', not starting with '.'", kid)
		}
	}
	return nil
}

// EnvSigner returns a [Signer] for the PEM private key of [EnvVar]. Without
// a kid it signs as the store's key with the same public key, so that the
// kid matches the published JWK Set whatever it was named; a key that is
// not in a store that has keys is refused, since servers would refuse
// every assertion it signs. An empty store (no state.json) signs with the
// RFC 7638 thumbprint as kid.
func (s *Store) EnvSigner(pemData []byte, kid string) (Signer, error) {
	k, err := ParsePEM(pemData)
	if err != nil {
		return nil, err
	}
	if kid != "" || len(s.keys) == 0 {
		return newKeySigner(k, kid)
	}
	pub, err := PublicJWK(k.Public())
	if err != nil {
		return nil, err
	}
	var kids []string
	for _, c := range s.Keys() {
		p := c.Public
		p.Kid, p.Use, p.Alg = "", "", ""
		if p == pub {
			return newKeySigner(k, c.Kid)
		}
		kids = append(kids, c.Kid)
	}
	return nil, fmt.Errorf("the key is none of the public keys in %s (%s), so servers would refuse its assertions; set it to the private key of one of them, or name its kid with --kid", filepath.Join(s.dir, stateFile), strings.Join(kids, ", "))
}

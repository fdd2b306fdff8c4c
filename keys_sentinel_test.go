package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cimd-dev/cimd/keys"
)

const sentinelConfig = `host = "app.example.com"
path = "/oauth/service.json"
[client]
client_name = "Service"
redirect_uris = ["http://127.0.0.1:8765/callback"]
token_endpoint_auth_method = "private_key_jwt"
[publish]
target = "dir"
[publish.dir]
root = "site"
[client.keys]
`

// secrets returns every form in which the private key in a PEM file could
// leak: the PEM's base64 lines, and each private number (EC d, RSA d, p,
// q, the Ed25519 seed) in base64url (as a JWK's "d" would carry it),
// standard base64 and hex.
func secrets(t *testing.T, pemData []byte) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(string(pemData), "\n") {
		if len(l) >= 16 && !strings.HasPrefix(l, "-----") {
			out = append(out, l)
		}
	}
	k, err := keys.ParsePEM(pemData)
	if err != nil {
		t.Fatal(err)
	}
	var nums [][]byte
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		b, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, b)
	case *rsa.PrivateKey:
		for _, n := range append([]*big.Int{k.D}, k.Primes...) {
			nums = append(nums, n.Bytes())
		}
	case ed25519.PrivateKey:
		nums = append(nums, k.Seed())
	}
	for _, n := range nums {
		out = append(out, base64.RawURLEncoding.EncodeToString(n), base64.StdEncoding.EncodeToString(n)[:20], hex.EncodeToString(n))
	}
	return out
}

// TestPrivateKeyNeverPrinted runs every keys and assert command, build,
// publish and validate, for each algorithm and with the key from the
// environment, and checks that no output, no built or published file and
// not the state file carries private key material.
func TestPrivateKeyNeverPrinted(t *testing.T) {
	for _, alg := range keys.Algs {
		t.Run(string(alg), func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "cimd.toml")
			if err := os.WriteFile(cfg, []byte(sentinelConfig+"alg = \""+string(alg)+"\"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			keyDir := filepath.Join(dir, ".cimd", "keys")
			var outputs []string
			var secretForms []string
			collect := func(args ...string) int {
				code, stdout, stderr := runCLI(t, args...)
				outputs = append(outputs, strings.Join(args, " ")+"\n"+stdout+stderr)
				return code
			}
			// read every private key file now, before retire deletes one.
			grab := func() {
				files, _ := filepath.Glob(filepath.Join(keyDir, "*.pem"))
				for _, f := range files {
					data, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					secretForms = append(secretForms, secrets(t, data)...)
				}
			}
			steps := [][]string{
				{"keys", "generate", "-c", cfg},
				{"keys", "list", "-c", cfg},
				{"assert", "-c", cfg, "--aud", "https://as.example.com/token"},
				{"keys", "rotate", "-c", cfg},
				{"keys", "list", "-c", cfg},
				{"build", "-c", cfg, "--json"},
				{"publish", "-c", cfg, "--json"},
				{"publish", "-c", cfg, "-v"},
				{"validate", "-c", cfg, "--json", filepath.Join(dir, "public", "oauth", "service.json")},
				{"keys", "retire", "-c", cfg},
				{"keys", "generate", "-c", cfg}, // refused: a key exists
			}
			for _, s := range steps {
				collect(s...)
				grab()
			}
			files, _ := filepath.Glob(filepath.Join(keyDir, "*.pem"))
			pemData, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			// The same key from the environment, as a CI secret, and a
			// corrupted one whose error must not quote it.
			t.Setenv(keys.EnvVar, string(pemData))
			if code := collect("assert", "-c", cfg, "--aud", "https://as.example.com/token"); code != 0 {
				t.Errorf("assert with %s: exit %d\n%s", keys.EnvVar, code, outputs[len(outputs)-1])
			}
			block, _ := pem.Decode(pemData)
			block.Bytes = block.Bytes[:len(block.Bytes)-7]
			broken := pem.EncodeToMemory(block)
			secretForms = append(secretForms, secrets(t, pemData)...)
			for _, l := range strings.Split(string(broken), "\n") {
				if len(l) >= 16 && !strings.HasPrefix(l, "-----") {
					secretForms = append(secretForms, l)
				}
			}
			t.Setenv(keys.EnvVar, string(broken))
			if code := collect("assert", "-c", cfg, "--aud", "https://as.example.com/token"); code == 0 {
				t.Errorf("assert with a corrupted %s succeeded", keys.EnvVar)
			}
			collect("keys", "retire", "-c", cfg, "--force")
			collect("keys", "-h")

			// A checkout, as CI has it: cimd.toml and the committed
			// state.json in a 0755 directory, no private key; it builds
			// and publishes, and signs only with the key from the
			// environment.
			co := t.TempDir()
			coCfg := filepath.Join(co, "cimd.toml")
			coKeys := filepath.Join(co, ".cimd", "keys")
			cfgData, _ := os.ReadFile(cfg)
			stateData, _ := os.ReadFile(filepath.Join(keyDir, "state.json"))
			if err := os.MkdirAll(coKeys, 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(coCfg, cfgData, 0o644)
			os.WriteFile(filepath.Join(coKeys, "state.json"), stateData, 0o644)
			current, _ := filepath.Glob(filepath.Join(keyDir, "*.pem"))
			if len(current) != 1 {
				t.Fatalf("%d private keys after retire; want 1", len(current))
			}
			curPEM, _ := os.ReadFile(current[0])
			t.Setenv(keys.EnvVar, "")
			for _, args := range [][]string{{"build", "-c", coCfg, "--json"}, {"publish", "-c", coCfg, "-v"}} {
				if code := collect(args...); code != 0 {
					t.Errorf("%s in a checkout: exit %d\n%s", args[0], code, outputs[len(outputs)-1])
				}
			}
			if code := collect("assert", "-c", coCfg, "--aud", "https://as.example.com/token"); code == 0 {
				t.Errorf("assert in a checkout without %s succeeded", keys.EnvVar)
			}
			t.Setenv(keys.EnvVar, string(curPEM))
			if code := collect("assert", "-c", coCfg, "--aud", "https://as.example.com/token"); code != 0 {
				t.Errorf("assert in a checkout with %s: exit %d\n%s", keys.EnvVar, code, outputs[len(outputs)-1])
			}
			if pems, _ := filepath.Glob(filepath.Join(coKeys, "*")); len(pems) != 1 {
				t.Errorf("the checkout's key directory holds %v; want state.json alone", pems)
			}

			if len(secretForms) < 8 {
				t.Fatalf("found only %d secret forms to look for", len(secretForms))
			}
			state, err := os.ReadFile(filepath.Join(keyDir, "state.json"))
			if err != nil {
				t.Fatal(err)
			}
			coState, _ := os.ReadFile(filepath.Join(coKeys, "state.json"))
			outputs = append(outputs, "state.json\n"+string(state), "the checkout's state.json\n"+string(coState))
			// Every file built or published.
			published := 0
			for _, tree := range []string{filepath.Join(dir, "public"), filepath.Join(dir, "site"), filepath.Join(co, "public"), filepath.Join(co, "site")} {
				filepath.WalkDir(tree, func(path string, d os.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						data, _ := os.ReadFile(path)
						outputs = append(outputs, path+"\n"+string(data))
						published++
					}
					return nil
				})
			}
			if published != 8 {
				t.Errorf("found %d built and published files; want the document and jwks.json in public and site, here and in the checkout; outputs:\n%s", published, strings.Join(outputs, "\n---\n"))
			}
			for _, out := range outputs {
				for _, s := range secretForms {
					if strings.Contains(out, s) {
						t.Errorf("private key material %q appears in the output of %s", s, out)
					}
				}
			}
			if strings.Contains(string(state), `"d"`) {
				t.Errorf("state.json has a \"d\" member:\n%s", state)
			}
		})
	}
}
